// Looking for the sender's postal address and name in a message: what
// CAN-SPAM, CASL and the Spam Act ask a commercial message to carry.
#include <algorithm>
#include <functional>

#include "region_policy.hpp"

namespace presend::region {

namespace {

bool is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

unsigned char to_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c - 'A' + 'a') : c; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

bool base64_line(std::string_view line) {
    return !line.empty() && std::all_of(line.begin(), line.end(), [](char c) { return base64_value(c) >= 0 || c == '='; });
}

void base64_decode_into(std::string_view in, std::string &out) {
    uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        const int v = base64_value(c);
        if (v < 0) continue;  // padding, or anything a lenient reader skips
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
               return to_lower(static_cast<unsigned char>(a)) == to_lower(static_cast<unsigned char>(b));
           });
}

bool contains_ci(std::string_view s, std::string_view needle) {
    return std::search(s.begin(), s.end(), needle.begin(), needle.end(), [](char a, char b) {
               return to_lower(static_cast<unsigned char>(a)) == to_lower(static_cast<unsigned char>(b));
           }) != s.end();
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

// The bodies of MIME parts sent as base64 (a template's HTML often is):
// after a Content-Transfer-Encoding: base64 header, the lines of base64
// that follow the blank line ending the part's header block.
void decode_base64_parts(std::string_view raw, std::string &out) {
    enum class State { scan, header, body } st = State::scan;
    std::string b64;
    auto flush = [&] {
        if (!b64.empty()) {
            out += '\n';
            base64_decode_into(b64, out);
            out += '\n';
            b64.clear();
        }
    };
    size_t pos = 0;
    while (pos <= raw.size()) {
        size_t nl = raw.find('\n', pos);
        std::string_view line = raw.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (st == State::body) {
            if (base64_line(line)) {
                b64.append(line);
            } else {
                flush();
                st = State::scan;
            }
        }
        if (st != State::body) {
            if (starts_with_ci(line, "content-transfer-encoding:") && contains_ci(line, "base64")) {
                st = State::header;
            } else if (st == State::header && line.empty()) {
                st = State::body;
            }
        }
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    flush();
}

}  // namespace

std::string normalize_words(std::string_view text) {
    std::string out = " ";
    bool in_word = false;
    auto separate = [&] {
        if (in_word) {
            out += ' ';
            in_word = false;
        }
    };
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '<') {
            // An HTML tag (or an angle address): a separator. A '<' with no
            // '>' close by is only a character.
            const size_t close = text.substr(i + 1, 1024).find('>');
            separate();
            i = close == std::string_view::npos ? i + 1 : i + 2 + close;
            continue;
        }
        if (c == '&') {
            // A character reference (&nbsp; &#160; &amp;): a separator.
            size_t k = i + 1;
            while (k < n && k - i <= 10 && (is_alnum(static_cast<unsigned char>(text[k])) || text[k] == '#')) ++k;
            separate();
            i = (k < n && text[k] == ';' && k > i + 1) ? k + 1 : i + 1;
            continue;
        }
        if (c >= 0x80) {
            // UTF-8 spaces separate words: U+00A0, U+2000..U+200B, U+202F, U+3000.
            const auto c1 = i + 1 < n ? static_cast<unsigned char>(text[i + 1]) : 0;
            const auto c2 = i + 2 < n ? static_cast<unsigned char>(text[i + 2]) : 0;
            if (c == 0xC2 && c1 == 0xA0) {
                separate();
                i += 2;
                continue;
            }
            if ((c == 0xE2 && c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8B) || c2 == 0xAF)) ||
                (c == 0xE3 && c1 == 0x80 && c2 == 0x80)) {
                separate();
                i += 3;
                continue;
            }
            out += static_cast<char>(c);  // part of a word in another script
            in_word = true;
            ++i;
            continue;
        }
        if (is_alnum(c)) {
            out += static_cast<char>(to_lower(c));
            in_word = true;
        } else {
            separate();
        }
        ++i;
    }
    separate();
    return out;
}

std::string searchable_text(std::string_view raw) {
    // Quoted-printable soft line breaks and escapes undone everywhere: where
    // the text was not quoted-printable this changes nothing that matters
    // to a search for words.
    std::string text;
    text.reserve(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '=') {
            if (i + 1 < raw.size() && raw[i + 1] == '\n') {
                i += 1;
                continue;
            }
            if (i + 2 < raw.size() && raw[i + 1] == '\r' && raw[i + 2] == '\n') {
                i += 2;
                continue;
            }
            if (i + 2 < raw.size() && hex_value(raw[i + 1]) >= 0 && hex_value(raw[i + 2]) >= 0) {
                text += static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2]));
                i += 2;
                continue;
            }
        }
        text += raw[i];
    }
    decode_base64_parts(raw, text);
    return normalize_words(text);
}

std::string display_name(std::string_view from) {
    from = trim(from);
    std::string_view name;
    if (size_t lt = from.rfind('<'); lt != std::string_view::npos) {
        name = trim(from.substr(0, lt));
    } else if (size_t open = from.find('('); open != std::string_view::npos) {
        // The old form: address (Name).
        size_t close = from.rfind(')');
        if (close != std::string_view::npos && close > open) name = trim(from.substr(open + 1, close - open - 1));
    }
    std::string out;
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
        name = name.substr(1, name.size() - 2);
        for (size_t i = 0; i < name.size(); ++i) {
            if (name[i] == '\\' && i + 1 < name.size()) ++i;
            out += name[i];
        }
    } else {
        out = std::string(name);
    }
    return std::string(trim(out));
}

bool MessageInfo::has_header(std::string_view name) const noexcept {
    return std::any_of(headers.begin(), headers.end(), [&](const Header &h) {
        return h.name.size() == name.size() && starts_with_ci(h.name, name) && !trim(h.value).empty();
    });
}

const std::string &MessageInfo::searchable() {
    if (!searchable_) searchable_ = raw ? searchable_text(*raw) : std::string(" ");
    return *searchable_;
}

const Presence &MessageInfo::postal_address(const Settings &s) {
    if (postal_) return *postal_;
    Presence p;
    if (s.postal_address_in_template) {
        p = {true, "declared by postal_address_in_template"};
    } else if (has_header(s.postal_address_header)) {
        p = {true, "declared by the host's " + s.postal_address_header + " header"};
    } else if (!raw) {
        p = {false, "the message is structured and has no text to search; declare the address with "
                    "postal_address_in_template or the " + s.postal_address_header + " header"};
    } else if (s.postal_addresses.empty()) {
        p = {false, "sender.postal_address is not configured, so the message cannot be searched for it"};
    } else {
        const std::string &text = searchable();
        for (const auto &a : s.postal_addresses) {
            const std::string words = normalize_words(a);
            if (text.size() >= words.size() &&
                std::search(text.begin(), text.end(), std::boyer_moore_horspool_searcher(words.begin(), words.end())) !=
                    text.end()) {
                p = {true, "found in the message text"};
                break;
            }
        }
        if (!p.present) p.how = "the message text does not contain sender.postal_address";
    }
    postal_ = std::move(p);
    return *postal_;
}

const Presence &MessageInfo::sender_name(const Settings &s) {
    if (sender_) return *sender_;
    Presence p;
    if (std::string name = display_name(from); !name.empty()) {
        p = {true, "the From header names \"" + name + "\""};
    } else if (s.sender_name.empty()) {
        p = {false, "the From header has no display name and sender.name is not configured"};
    } else if (!raw) {
        p = {false, "the From header has no display name and a structured message has no text to search for sender.name"};
    } else {
        const std::string &text = searchable();
        const std::string words = normalize_words(s.sender_name);
        if (std::search(text.begin(), text.end(), std::boyer_moore_horspool_searcher(words.begin(), words.end())) !=
            text.end()) {
            p = {true, "sender.name appears in the message text"};
        } else {
            p = {false, "the From header has no display name and the message text does not contain sender.name"};
        }
    }
    sender_ = std::move(p);
    return *sender_;
}

}  // namespace presend::region
