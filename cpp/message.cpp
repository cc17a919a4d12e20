#include "message.hpp"

#include <cjson/cJSON.h>

#include "json.hpp"
#include "presend_limits.hpp"
#include "text.hpp"

namespace presend {

namespace {

constexpr Status kM = Status::message;

Error merr(std::string msg) { return Error{kM, std::move(msg)}; }

std::optional<Error> string_list(const cJSON *v, std::string_view field, std::vector<std::string> &out,
                                 size_t &total) {
    if (json_is_string(v)) {  // a single header value is accepted as well as a list
        out.emplace_back(v->valuestring);
        ++total;
        return std::nullopt;
    }
    if (!json_is_array(v)) return merr(std::string(field) + " must be an array of addresses (or one header value as a string)");
    size_t i = 0;
    for (const cJSON *el = json_child(v); el != nullptr; el = json_next(el), ++i) {
        if (!json_is_string(el)) return merr(std::string(field) + "[" + std::to_string(i) + "] must be a string");
        if (++total > kMaxRecipientsParsed) {
            return Error{Status::too_big, "more than " + std::to_string(kMaxRecipientsParsed) + " recipients"};
        }
        out.emplace_back(el->valuestring);
    }
    return std::nullopt;
}

std::optional<Error> header_list(const cJSON *v, std::vector<Header> &out) {
    if (!json_is_array(v)) return merr("headers must be an array of [name, value] pairs");
    size_t i = 0;
    for (const cJSON *el = json_child(v); el != nullptr; el = json_next(el), ++i) {
        std::string what = "headers[" + std::to_string(i) + "]";
        if (i >= kMaxHeaderCount) {
            return Error{Status::too_big, "more than " + std::to_string(kMaxHeaderCount) + " headers"};
        }
        if (!json_is_array(el) || json_array_size(el) != 2) return merr(what + " must be a [name, value] pair");
        const cJSON *name = json_child(el);
        const cJSON *value = json_next(name);
        if (!json_is_string(name) || !json_is_string(value)) return merr(what + " must hold two strings");
        std::string_view n = name->valuestring;
        if (n.empty()) return merr(what + " has an empty header name");
        for (char c : n) {
            auto u = static_cast<unsigned char>(c);
            if (u < 33 || u > 126 || c == ':') return merr(what + " has an invalid header name \"" + std::string(n) + "\"");
        }
        out.push_back(Header{std::string(n), value->valuestring});
    }
    return std::nullopt;
}

const Header *first_header(const std::vector<Header> &headers, std::string_view name) {
    for (const auto &h : headers) {
        if (header_name_equals(h.name, name)) return &h;
    }
    return nullptr;
}

// The address inside Return-Path: <a@b> (or <> for the null sender).
std::string return_path_address(std::string_view v) {
    auto lt = v.find('<');
    auto gt = v.rfind('>');
    if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) return std::string(v.substr(lt + 1, gt - lt - 1));
    return std::string(trim(v));
}

}  // namespace

Result<Message> message_from_json(const cJSON *root, const Config &config) {
    if (!json_is_object(root)) return merr("a message must be a JSON object");
    Message m;
    m.stream = config.default_stream;
    bool has_to = false, has_cc = false, has_bcc = false, has_from = false, has_mail_from = false,
         has_message_id = false;
    std::string &raw = m.raw;
    bool has_raw = false;
    size_t total = 0;

    for (const cJSON *f = json_child(root); f != nullptr; f = json_next(f)) {
        std::string_view k = json_key(f);
        auto str = [&](std::string &out) -> std::optional<Error> {
            auto s = json_string(f, k, kM);
            if (!s) return std::move(s).error();
            out = std::string(*s);
            return std::nullopt;
        };
        std::optional<Error> e;
        if (k == "from") e = str(m.from), has_from = true;
        else if (k == "mail_from") e = str(m.mail_from), has_mail_from = true;
        else if (k == "to") e = string_list(f, k, m.to, total), has_to = true;
        else if (k == "cc") e = string_list(f, k, m.cc, total), has_cc = true;
        else if (k == "bcc") e = string_list(f, k, m.bcc, total), has_bcc = true;
        else if (k == "account") e = str(m.account);
        else if (k == "region") e = str(m.region);
        else if (k == "list") e = str(m.list);
        else if (k == "message_id") e = str(m.message_id), has_message_id = true;
        else if (k == "headers") e = header_list(f, m.headers);
        else if (k == "raw") e = str(raw), has_raw = true;
        else if (k == "stream") {
            std::string s;
            e = str(s);
            if (!e) {
                if (s == "marketing") m.stream = Stream::marketing;
                else if (s == "transactional") m.stream = Stream::transactional;
                else e = merr("stream must be \"marketing\" or \"transactional\"");
            }
        } else {
            e = merr("unknown field \"" + std::string(k) + "\" in message");
        }
        if (e) return *e;
    }

    if (has_raw) {
        if (!m.headers.empty()) return merr("a message has either \"raw\" or \"headers\", not both");
        auto parsed = parse_raw_message(raw);
        if (!parsed) {
            Error err = std::move(parsed).error();
            if (err.status == Status::parse) err.status = kM;
            err.message = "raw: " + err.message;
            return err;
        }
        m.headers = std::move(parsed->headers);
        if (m.headers.size() > kMaxHeaderCount) return Error{Status::too_big, "too many headers"};
        auto take = [&](std::string_view name, std::vector<std::string> &out) -> std::optional<Error> {
            for (const auto &h : m.headers) {
                if (!header_name_equals(h.name, name)) continue;
                out.push_back(h.value);
                if (++total > kMaxRecipientsParsed) {
                    return Error{Status::too_big, "more than " + std::to_string(kMaxRecipientsParsed) + " recipients"};
                }
            }
            return std::nullopt;
        };
        // Envelope recipients given beside raw win over the headers.
        if (!has_to && !has_cc && !has_bcc) {
            if (auto e = take("To", m.to)) return *e;
            if (auto e = take("Cc", m.cc)) return *e;
            if (auto e = take("Bcc", m.bcc)) return *e;
        }
        if (!has_from) {
            if (const Header *h = first_header(m.headers, "From")) m.from = h->value;
        }
        if (!has_mail_from) {
            if (const Header *h = first_header(m.headers, "Return-Path")) m.mail_from = return_path_address(h->value);
        }
        if (!has_message_id) {
            if (const Header *h = first_header(m.headers, "Message-ID")) m.message_id = std::string(trim(h->value));
        }
    } else if (!has_from) {
        if (const Header *h = first_header(m.headers, "From")) m.from = h->value;
    }

    if (m.account.empty()) {
        if (config.default_account.empty()) return merr("the message names no account and the configuration has no default");
        m.account = config.default_account;
    }
    auto acct = config.accounts.find(m.account);
    if (acct == config.accounts.end()) {
        return Error{Status::unknown_account, "unknown account \"" + m.account + "\""};
    }
    if (m.region.empty()) {
        if (m.account == config.default_account && !config.default_region.empty()) m.region = config.default_region;
        else if (acct->second.regions.size() == 1) m.region = acct->second.regions.begin()->first;
        else return merr("the message names no region and account \"" + m.account + "\" has no single default");
    }
    if (!acct->second.regions.contains(m.region)) {
        return Error{Status::unknown_region,
                     "region \"" + m.region + "\" is not configured for account \"" + m.account + "\""};
    }
    return m;
}

Result<Message> parse_message(std::string_view json, const Config &config) {
    auto doc = json_parse(json, kMaxMessageJsonBytes);
    if (!doc) return std::move(doc).error();
    return message_from_json(doc->get(), config);
}

}  // namespace presend
