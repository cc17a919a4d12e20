#include "audit.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "result.hpp"

namespace presend {

namespace {

constexpr size_t kMacBytes = 32;
constexpr size_t kMinKeyBytes = 16;

// HMAC-SHA-256, with the keyed state of the last few keys kept per thread:
// HMAC() looks both algorithms up in OpenSSL's providers and hashes the key
// on every call, which cost several times the MAC of a decision's record.
// A copy of the keyed state costs two digest copies.
class KeyedMacs {
public:
    KeyedMacs() = default;
    KeyedMacs(const KeyedMacs &) = delete;
    KeyedMacs &operator=(const KeyedMacs &) = delete;
    ~KeyedMacs() {
        for (auto &s : slots_) EVP_MAC_CTX_free(s.ctx);
    }

    // A new context in the keyed state (owned: free with EVP_MAC_CTX_free), or null.
    EVP_MAC_CTX *fresh(std::string_view key) {
        for (auto &s : slots_) {
            if (s.ctx != nullptr && s.key == key) return EVP_MAC_CTX_dup(s.ctx);
        }
        Slot &s = slots_[next_];
        next_ = (next_ + 1) % slots_.size();
        EVP_MAC_CTX_free(s.ctx);
        s.ctx = nullptr;
        EVP_MAC *mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        EVP_MAC_CTX *ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
        EVP_MAC_free(mac);  // the context holds its own reference
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
        if (ctx == nullptr ||
            EVP_MAC_init(ctx, reinterpret_cast<const unsigned char *>(key.data()), key.size(), params) != 1) {
            EVP_MAC_CTX_free(ctx);
            return nullptr;
        }
        s.key.assign(key);
        s.ctx = ctx;
        return EVP_MAC_CTX_dup(ctx);
    }

private:
    struct Slot {
        std::string key;
        EVP_MAC_CTX *ctx = nullptr;
    };
    std::array<Slot, 4> slots_{};  // the audit key and the address-token key, with room to spare
    size_t next_ = 0;
};

std::string hmac_sha256(std::string_view key, std::string_view data) {
    thread_local KeyedMacs macs;
    EVP_MAC_CTX *ctx = macs.fresh(key);
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t len = 0;
    bool ok = ctx != nullptr && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char *>(data.data()), data.size()) == 1 &&
              EVP_MAC_final(ctx, out, &len, sizeof out) == 1 && len == kMacBytes;
    EVP_MAC_CTX_free(ctx);
    if (!ok) fail(Status::error, "HMAC-SHA-256 failed");
    return std::string(reinterpret_cast<const char *>(out), len);
}

void put_u64(std::string &out, uint64_t v) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// What a record's MAC covers: every column but the MAC, unambiguously
// (fixed-width numbers, the kind's length, then the content), and the
// previous record's MAC.
std::string mac_input(int64_t seq, int64_t at, std::string_view kind, std::string_view content, std::string_view prev) {
    std::string in;
    in.reserve(8 + 8 + 8 + kind.size() + content.size() + prev.size() + 16);
    in += "presend-audit-v1";
    put_u64(in, static_cast<uint64_t>(seq));
    put_u64(in, static_cast<uint64_t>(at));
    put_u64(in, kind.size());
    in += kind;
    in += content;
    in += prev;
    return in;
}

std::string trim_newline(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

}  // namespace

std::string to_hex(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    return out;
}

AuditKey audit_key_from_config(const AuditConfig &config) {
    AuditKey k;
    if (!config.key.empty()) {
        k.bytes = config.key;
        k.source = "config";
    } else if (!config.key_file.empty()) {
        std::ifstream in(config.key_file, std::ios::binary);
        if (!in) fail(Status::config, "audit.key_file: cannot read \"" + config.key_file + "\"");
        k.bytes = trim_newline(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
        k.source = "key_file";
        if (k.bytes.size() < kMinKeyBytes) {
            fail(Status::config, "audit.key_file: \"" + config.key_file + "\" holds fewer than 16 bytes");
        }
    } else if (!config.key_env.empty()) {
        const char *v = std::getenv(config.key_env.c_str());
        if (v == nullptr) fail(Status::config, "audit.key_env: the variable " + config.key_env + " is not set");
        k.bytes = trim_newline(v);
        k.source = "key_env";
        if (k.bytes.size() < kMinKeyBytes) {
            fail(Status::config, "audit.key_env: " + config.key_env + " holds fewer than 16 bytes");
        }
    }
    return k;
}

AuditKey audit_key_from_store(Conn &c, bool read_only) {
    static constexpr const char *kGet = "SELECT value FROM meta WHERE key = 'audit_key'";
    static constexpr const char *kPut = "INSERT OR IGNORE INTO meta(key, value) VALUES ('audit_key', ?1)";
    AuditKey k;
    k.source = "store";
    {
        Use s(c.stmt(kGet));
        if (s->step()) {
            k.bytes = std::string(s->blob(0));
            return k;
        }
    }
    if (read_only) return k;
    Transaction tx(c.db(), Transaction::Kind::immediate);
    unsigned char fresh[kMacBytes];
    if (RAND_bytes(fresh, sizeof fresh) != 1) fail(Status::error, "no random bytes for the audit key");
    {
        Use s(c.stmt(kPut));
        s->bind_blob(1, std::string_view(reinterpret_cast<const char *>(fresh), sizeof fresh));
        s->run();
    }
    // Another process may have created it first: read what won.
    {
        Use s(c.stmt(kGet));
        if (s->step()) k.bytes = std::string(s->blob(0));
    }
    tx.commit();
    return k;
}

void audit_append(Conn &c, const AuditKey &key, int64_t at_ms, std::string_view kind, std::string_view content) {
    static constexpr const char *kLast = "SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1";
    static constexpr const char *kInsert = "INSERT INTO audit(seq, at, kind, content, mac) VALUES (?1, ?2, ?3, ?4, ?5)";
    if (key.bytes.empty()) fail(Status::readonly, "the audit trail cannot be written without its key");
    int64_t seq = 1;
    std::string prev(kMacBytes, '\0');
    {
        Use s(c.stmt(kLast));
        if (s->step()) {
            seq = s->int64(0) + 1;
            prev = std::string(s->blob(1));
        }
    }
    std::string mac = hmac_sha256(key.bytes, mac_input(seq, at_ms, kind, content, prev));
    Use s(c.stmt(kInsert));
    s->bind(1, seq).bind(2, at_ms).bind(3, kind).bind(4, content).bind_blob(5, mac);
    s->run();
}

AuditVerifyResult audit_verify(Conn &c, const AuditKey &key) {
    static constexpr const char *kAll = "SELECT seq, at, kind, content, mac FROM audit ORDER BY seq";
    AuditVerifyResult r;
    std::string prev(kMacBytes, '\0');
    int64_t expected = 1;
    Use s(c.stmt(kAll));
    while (s->step()) {
        ++r.records;
        int64_t seq = s->int64(0);
        if (!r.ok) continue;  // count the rest
        auto bad = [&](int64_t at_seq, std::string why) {
            r.ok = false;
            r.first_bad = at_seq;
            r.problem = std::move(why);
        };
        if (seq != expected) {
            bad(seq, seq > expected ? "record " + std::to_string(expected) + (seq == expected + 1 ? "" : " to " + std::to_string(seq - 1)) +
                                          " missing before it (deleted)"
                                    : "sequence number out of order (expected " + std::to_string(expected) + ")");
            continue;
        }
        if (s->is_null(4) || s->blob(4).size() != kMacBytes) {
            bad(seq, "its MAC is missing or not 32 bytes");
            continue;
        }
        std::string mac = hmac_sha256(key.bytes, mac_input(seq, s->int64(1), s->text(2), s->text(3), prev));
        if (std::string_view(mac) != s->blob(4)) {
            bad(seq, "its MAC does not match its content and the record before it (edited, inserted or moved)");
            continue;
        }
        prev = std::move(mac);
        r.last_seq = seq;
        r.head = to_hex(prev);
        ++expected;
    }
    return r;
}

std::string history_address(const AuditKey &key, AddressForm form, std::string_view address) {
    if (form == AddressForm::clear) return std::string(address);
    // A key of its own, derived from the audit key, so that the token says
    // nothing about the chain's MACs.
    std::string derived = hmac_sha256(key.bytes, "presend address token");
    return "k:" + to_hex(hmac_sha256(derived, address)).substr(0, 16);
}

}  // namespace presend
