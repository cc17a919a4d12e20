// SNS envelopes over arbitrary bytes: parsing, the string to sign,
// SigningCertURL checks and verification against a key made at start-up.
// Properties: nothing random verifies; an envelope re-signed with the key
// verifies; changing its Message afterwards does not.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "feedback/sns_verify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

using namespace presend::feedback;

constexpr int64_t kNowMs = 1768435200000;  // 2026-01-15

struct Signer {
    EVP_PKEY *key = EVP_RSA_gen(2048);
    std::string pem;

    Signer() {
        X509 *x = X509_new();
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        ASN1_TIME_set(X509_getm_notBefore(x), 1735689600);  // 2025-01-01
        ASN1_TIME_set(X509_getm_notAfter(x), 1798761600);   // 2027-01-01
        X509_set_pubkey(x, key);
        X509_NAME *name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char *>("sns.amazonaws.com"), -1, -1, 0);
        X509_set_issuer_name(x, name);
        X509_sign(x, key, EVP_sha256());
        BIO *b = BIO_new(BIO_s_mem());
        PEM_write_bio_X509(b, x);
        char *p = nullptr;
        const long n = BIO_get_mem_data(b, &p);
        pem.assign(p, static_cast<size_t>(n));
        BIO_free(b);
        X509_free(x);
    }

    std::string sign(const std::string &text) const {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        size_t len = 0;
        EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
        EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char *>(text.data()), text.size());
        std::vector<unsigned char> sig(len);
        EVP_DigestSign(ctx, sig.data(), &len, reinterpret_cast<const unsigned char *>(text.data()), text.size());
        EVP_MD_CTX_free(ctx);
        std::vector<unsigned char> b64(4 * ((len + 2) / 3) + 1);
        const int n = EVP_EncodeBlock(b64.data(), sig.data(), static_cast<int>(len));
        return std::string(reinterpret_cast<char *>(b64.data()), static_cast<size_t>(n));
    }
};

const Signer &signer() {
    static const Signer s;
    return s;
}

void check_file_name(std::string_view url) {
    const auto name = sns_certificate_file_name(url);
    if (!name.ok()) {
        if (name.error().code != ErrorCode::sns_certificate_url_invalid) __builtin_trap();
        return;
    }
    const std::string &n = *name;
    if (n.empty() || n.front() == '.' || !n.ends_with(".pem") || n.find("..") == 0) __builtin_trap();
    for (const char c : n) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    check_file_name(text);

    auto env = parse_sns_envelope(text);
    if (!env.ok()) {
        if (env.error().message.empty()) __builtin_trap();
        return 0;
    }
    const std::string signed_text = sns_string_to_sign(*env);
    if (!signed_text.starts_with("Message\n" + env->message + "\nMessageId\n")) __builtin_trap();
    if (!signed_text.ends_with("\nType\n" + env->type_text + "\n")) __builtin_trap();
    check_file_name(env->signing_cert_url);

    SnsVerifyOptions options;
    options.policy = SnsVerifyPolicy::required;
    options.certificate_pem = signer().pem;
    options.now_ms = kNowMs;
    const auto as_given = verify_sns_envelope(*env, options);
    // Nothing the fuzzer writes can carry a signature by a key made at start-up.
    if (as_given.ok()) __builtin_trap();

    SnsEnvelope resigned = *env;
    resigned.signature_version = "2";
    resigned.signing_cert_url = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-fuzz.pem";
    resigned.signature = signer().sign(signed_text);
    const auto good = verify_sns_envelope(resigned, options);
    if (!good.ok() || *good != SnsSignatureState::verified) __builtin_trap();

    resigned.message += "x";
    const auto bad = verify_sns_envelope(resigned, options);
    if (bad.ok() || bad.error().code != ErrorCode::sns_signature_invalid) __builtin_trap();
    return 0;
}
