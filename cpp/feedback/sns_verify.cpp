#include "feedback/sns_verify.hpp"

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "feedback/detail.hpp"
#include "text.hpp"

namespace presend::feedback {

namespace {

using detail::excerpt;
using detail::make_error;

// libcrypto's thread-local error queue must not grow with bad input.
struct ClearOpensslErrors {
    ClearOpensslErrors() = default;
    ClearOpensslErrors(const ClearOpensslErrors &) = delete;
    ClearOpensslErrors &operator=(const ClearOpensslErrors &) = delete;
    ~ClearOpensslErrors() { ERR_clear_error(); }
};

struct BioFree {
    void operator()(BIO *b) const noexcept { BIO_free(b); }
};
struct X509Free {
    void operator()(X509 *x) const noexcept { X509_free(x); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX *c) const noexcept { EVP_MD_CTX_free(c); }
};

// A string member of the envelope. Absent and JSON null both leave `out`
// unset; any other non-string type is field_invalid.
std::optional<FeedbackError> member(const cJSON *object, const char *key, std::optional<std::string> &out) {
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(object, key);
    out.reset();
    if (node == nullptr || cJSON_IsNull(node)) return std::nullopt;
    if (!cJSON_IsString(node) || node->valuestring == nullptr) {
        return make_error(ErrorCode::field_invalid, std::string(key) + " must be a string");
    }
    std::string_view v(node->valuestring);
    if (v.size() > kMaxSnsFieldBytes) {
        return make_error(ErrorCode::too_big, "the SNS envelope's " + std::string(key) + " is " + std::to_string(v.size()) +
                                                  " bytes, over the limit of " + std::to_string(kMaxSnsFieldBytes));
    }
    out = std::string(v);
    return std::nullopt;
}

std::optional<FeedbackError> required(const cJSON *object, const char *key, std::string &out) {
    std::optional<std::string> v;
    if (auto e = member(object, key, v)) return e;
    if (!v) return make_error(ErrorCode::field_missing, std::string("the SNS envelope has no ") + key);
    out = std::move(*v);
    return std::nullopt;
}

std::optional<FeedbackError> optional_field(const cJSON *object, const char *key, std::string &out) {
    std::optional<std::string> v;
    if (auto e = member(object, key, v)) return e;
    out = v.value_or(std::string());
    return std::nullopt;
}

void append_pair(std::string &out, std::string_view key, std::string_view value) {
    out += key;
    out += '\n';
    out += value;
    out += '\n';
}

bool is_region_byte(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

bool is_file_name_byte(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

FeedbackError url_error(std::string_view url, std::string why) {
    return make_error(ErrorCode::sns_certificate_url_invalid,
                      "SigningCertURL \"" + excerpt(url, 256) + "\" is refused: " + std::move(why));
}

// The host must be sns.<region>.amazonaws.com or sns.<region>.amazonaws.com.cn.
bool sns_host(std::string_view host) noexcept {
    constexpr std::string_view kPrefix = "sns.";
    if (!host.starts_with(kPrefix)) return false;
    host.remove_prefix(kPrefix.size());
    if (host.ends_with(".amazonaws.com.cn")) {
        host.remove_suffix(std::string_view(".amazonaws.com.cn").size());
    } else if (host.ends_with(".amazonaws.com")) {
        host.remove_suffix(std::string_view(".amazonaws.com").size());
    } else {
        return false;
    }
    if (host.empty() || host.front() == '-' || host.back() == '-') return false;
    for (const char c : host) {
        if (!is_region_byte(c)) return false;
    }
    return true;
}

int64_t system_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

FeedbackResult<std::string> read_certificate_file(const std::string &dir, const std::string &name) {
    if (dir.empty()) {
        return make_error(ErrorCode::sns_certificate_unknown,
                          "no certificate was given and no certificate directory is configured (the envelope names " +
                              name + ")");
    }
    const std::filesystem::path path = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return make_error(ErrorCode::sns_certificate_unknown,
                          "no certificate " + name + " in the certificate directory");
    }
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size > kMaxSnsCertificateBytes) {
        return make_error(ErrorCode::sns_certificate_invalid,
                          "certificate " + name + " is over the limit of " + std::to_string(kMaxSnsCertificateBytes) +
                              " bytes");
    }
    std::ifstream in(path, std::ios::binary);
    std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        return make_error(ErrorCode::sns_certificate_unknown, "certificate " + name + " cannot be read");
    }
    return pem;
}

}  // namespace

std::string_view sns_message_type_name(SnsMessageType t) noexcept {
    switch (t) {
        case SnsMessageType::notification: return "Notification";
        case SnsMessageType::subscription_confirmation: return "SubscriptionConfirmation";
        case SnsMessageType::unsubscribe_confirmation: return "UnsubscribeConfirmation";
    }
    return "unknown";
}

FeedbackResult<SnsEnvelope> read_sns_envelope(const cJSON *object) {
    if (object == nullptr || !cJSON_IsObject(object)) {
        return make_error(ErrorCode::not_an_event, "an SNS envelope must be a JSON object");
    }
    SnsEnvelope env;
    if (auto e = required(object, "Type", env.type_text)) return std::move(*e);
    if (env.type_text == "Notification") {
        env.type = SnsMessageType::notification;
    } else if (env.type_text == "SubscriptionConfirmation") {
        env.type = SnsMessageType::subscription_confirmation;
    } else if (env.type_text == "UnsubscribeConfirmation") {
        env.type = SnsMessageType::unsubscribe_confirmation;
    } else {
        return make_error(ErrorCode::unknown_event_type, "unknown SNS message Type \"" + excerpt(env.type_text) + "\"");
    }
    if (auto e = required(object, "MessageId", env.message_id)) return std::move(*e);
    if (auto e = required(object, "TopicArn", env.topic_arn)) return std::move(*e);
    if (auto e = required(object, "Message", env.message)) return std::move(*e);
    if (auto e = required(object, "Timestamp", env.timestamp)) return std::move(*e);
    if (env.type == SnsMessageType::notification) {
        std::optional<std::string> subject;
        if (auto e = member(object, "Subject", subject)) return std::move(*e);
        env.subject = std::move(subject);
    } else {
        if (auto e = required(object, "SubscribeURL", env.subscribe_url)) return std::move(*e);
        if (auto e = required(object, "Token", env.token)) return std::move(*e);
    }
    if (auto e = optional_field(object, "UnsubscribeURL", env.unsubscribe_url)) return std::move(*e);
    if (auto e = optional_field(object, "SignatureVersion", env.signature_version)) return std::move(*e);
    if (auto e = optional_field(object, "Signature", env.signature)) return std::move(*e);
    if (auto e = optional_field(object, "SigningCertURL", env.signing_cert_url)) return std::move(*e);
    auto ts = parse_timestamp(env.timestamp);
    if (!ts) {
        return make_error(ErrorCode::field_invalid,
                          "Timestamp \"" + excerpt(env.timestamp) + "\" is not an RFC 3339 time: " + ts.error().message);
    }
    env.timestamp_ms = *ts;
    return env;
}

FeedbackResult<SnsEnvelope> parse_sns_envelope(std::string_view json) {
    auto doc = json_parse(json, kMaxSnsFieldBytes * 2);
    if (!doc) {
        const Error &e = doc.error();
        return make_error(e.status == Status::too_big ? ErrorCode::too_big : ErrorCode::json_invalid, e.message);
    }
    return read_sns_envelope(doc->get());
}

std::string sns_string_to_sign(const SnsEnvelope &env) {
    std::string out;
    append_pair(out, "Message", env.message);
    append_pair(out, "MessageId", env.message_id);
    if (env.type == SnsMessageType::notification) {
        if (env.subject) append_pair(out, "Subject", *env.subject);
        append_pair(out, "Timestamp", env.timestamp);
        append_pair(out, "TopicArn", env.topic_arn);
        append_pair(out, "Type", env.type_text);
    } else {
        append_pair(out, "SubscribeURL", env.subscribe_url);
        append_pair(out, "Timestamp", env.timestamp);
        append_pair(out, "Token", env.token);
        append_pair(out, "TopicArn", env.topic_arn);
        append_pair(out, "Type", env.type_text);
    }
    return out;
}

FeedbackResult<std::string> sns_certificate_file_name(std::string_view url) {
    constexpr std::string_view kScheme = "https://";
    if (url.size() < kScheme.size() || !ascii_iequals(url.substr(0, kScheme.size()), kScheme)) {
        return url_error(url, "it is not an https URL");
    }
    std::string_view rest = url.substr(kScheme.size());
    const size_t authority_end = rest.find_first_of("/?#\\");
    const std::string_view authority = rest.substr(0, authority_end);
    if (authority.find('@') != std::string_view::npos) return url_error(url, "it carries user information");
    if (authority.find(':') != std::string_view::npos) return url_error(url, "it names a port");
    if (!sns_host(ascii_lower(authority))) {
        return url_error(url, "its host is not sns.<region>.amazonaws.com or sns.<region>.amazonaws.com.cn");
    }
    if (authority_end == std::string_view::npos || rest[authority_end] != '/') {
        return url_error(url, "it has no path naming a certificate");
    }
    const std::string_view path = rest.substr(authority_end);
    if (path.find_first_of("?#") != std::string_view::npos) return url_error(url, "it has a query or fragment");
    if (path.find_first_of("%\\") != std::string_view::npos) {
        return url_error(url, "its path holds a percent-escape or a backslash");
    }
    std::string_view name;
    size_t pos = 1;  // after the leading '/'
    for (;;) {
        const size_t slash = path.find('/', pos);
        const std::string_view segment = path.substr(pos, slash == std::string_view::npos ? slash : slash - pos);
        if (segment.empty() || segment == "." || segment == "..") {
            return url_error(url, "its path has an empty, \".\" or \"..\" segment");
        }
        name = segment;
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    if (name.size() > 255 || name.front() == '.' || !name.ends_with(".pem") || name.size() == 4) {
        return url_error(url, "its file name is not <name>.pem");
    }
    for (const char c : name) {
        if (!is_file_name_byte(c)) return url_error(url, "its file name has a byte outside [A-Za-z0-9._-]");
    }
    return std::string(name);
}

FeedbackResult<SnsSignatureState> verify_sns_envelope(const SnsEnvelope &env, const SnsVerifyOptions &options) {
    if (options.policy == SnsVerifyPolicy::off) return SnsSignatureState::not_checked;
    if (env.signature.empty()) {
        if (options.policy == SnsVerifyPolicy::if_present) return SnsSignatureState::unsigned_accepted;
        return make_error(ErrorCode::sns_unsigned,
                          "the SNS message " + excerpt(env.message_id) + " is not signed, and signatures are required");
    }
    const EVP_MD *md = nullptr;
    if (env.signature_version == "1") {
        md = EVP_sha1();
    } else if (env.signature_version == "2") {
        md = EVP_sha256();
    } else {
        return make_error(ErrorCode::sns_signature_version_unsupported,
                          env.signature_version.empty()
                              ? std::string("the SNS message is signed but has no SignatureVersion")
                              : "SignatureVersion \"" + excerpt(env.signature_version) +
                                    "\" is not supported (only \"1\" and \"2\" are)");
    }
    auto name = sns_certificate_file_name(env.signing_cert_url);
    if (!name) return std::move(name).error();

    std::string pem;
    if (!options.certificate_pem.empty()) {
        pem = options.certificate_pem;
    } else {
        auto file = read_certificate_file(options.certificate_dir, *name);
        if (!file) return std::move(file).error();
        pem = std::move(*file);
    }

    ClearOpensslErrors clear;
    if (pem.size() > kMaxSnsCertificateBytes) {
        return make_error(ErrorCode::sns_certificate_invalid, "the certificate is over the limit of " +
                                                                  std::to_string(kMaxSnsCertificateBytes) + " bytes");
    }
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return make_error(ErrorCode::sns_certificate_invalid, "out of memory reading the certificate");
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        return make_error(ErrorCode::sns_certificate_invalid, "certificate " + *name + " is not a PEM X.509 certificate");
    }
    const int64_t now_ms = options.now_ms.value_or(system_now_ms());
    time_t now = static_cast<time_t>(now_ms / 1000);
    const int after_start = X509_cmp_time(X509_get0_notBefore(cert.get()), &now);
    const int before_end = X509_cmp_time(X509_get0_notAfter(cert.get()), &now);
    if (after_start == 0 || before_end == 0) {
        return make_error(ErrorCode::sns_certificate_invalid, "certificate " + *name + " has an unreadable validity");
    }
    if (after_start > 0) {
        return make_error(ErrorCode::sns_certificate_expired,
                          "certificate " + *name + " is not valid yet at " + format_timestamp(now_ms));
    }
    if (before_end < 0) {
        return make_error(ErrorCode::sns_certificate_expired,
                          "certificate " + *name + " expired before " + format_timestamp(now_ms));
    }
    EVP_PKEY *key = X509_get0_pubkey(cert.get());
    if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
        return make_error(ErrorCode::sns_certificate_invalid, "certificate " + *name + " does not hold an RSA key");
    }
    if (EVP_PKEY_get_bits(key) < kMinSnsKeyBits) {
        return make_error(ErrorCode::sns_certificate_invalid,
                          "certificate " + *name + " holds a " + std::to_string(EVP_PKEY_get_bits(key)) +
                              "-bit RSA key; at least " + std::to_string(kMinSnsKeyBits) + " bits are required");
    }

    std::string signature;
    if (!detail::base64_decode(env.signature, signature, false)) {
        return make_error(ErrorCode::sns_signature_invalid, "the Signature is not base64");
    }
    const std::string signed_text = sns_string_to_sign(env);
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) {
        return make_error(ErrorCode::sns_signature_invalid, "the signature cannot be checked with certificate " + *name);
    }
    const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(signature.data()),
                                    signature.size(), reinterpret_cast<const unsigned char *>(signed_text.data()),
                                    signed_text.size());
    if (ok != 1) {
        return make_error(ErrorCode::sns_signature_invalid,
                          "the signature of SNS message " + excerpt(env.message_id) + " does not verify with " + *name);
    }
    return SnsSignatureState::verified;
}

}  // namespace presend::feedback
