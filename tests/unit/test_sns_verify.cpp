// SNS signatures, with keys and certificates made at test time.
#include <cjson/cJSON.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "feedback/ses_event.hpp"
#include "feedback/sns_verify.hpp"
#include "feedback/support.hpp"
#include "text.hpp"

namespace presend::feedback {
namespace {

using test::replace_all;
using test::TempDir;

constexpr time_t k2024 = 1704067200;      // 2024-01-01
constexpr time_t k2025 = 1735689600;      // 2025-01-01
constexpr time_t kEnd2025 = 1767139200;   // 2025-12-31
constexpr time_t kFeb2026 = 1769904000;   // 2026-02-01
constexpr time_t k2027 = 1798761600;      // 2027-01-01
constexpr int64_t kNowMs = 1768435200000; // 2026-01-15, the verification time

constexpr const char *kCertName = "SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem";
const std::string kCertUrl = std::string("https://sns.us-east-1.amazonaws.com/") + kCertName;

struct PkeyFree {
    void operator()(EVP_PKEY *k) const noexcept { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string bio_text(BIO *b) {
    char *data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    return std::string(data, static_cast<size_t>(n));
}

// A self-signed certificate for `key`, valid from `from` to `until`.
std::string make_certificate(EVP_PKEY *key, time_t from, time_t until) {
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    ASN1_TIME_set(X509_getm_notBefore(x), from);
    ASN1_TIME_set(X509_getm_notAfter(x), until);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("sns.amazonaws.com"),
                               -1, -1, 0);
    X509_set_issuer_name(x, name);
    EXPECT_GT(X509_sign(x, key, EVP_sha256()), 0);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    std::string pem = bio_text(b);
    BIO_free(b);
    X509_free(x);
    return pem;
}

std::string sign(EVP_PKEY *key, const EVP_MD *md, const std::string &data) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t len = 0;
    EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, md, nullptr, key), 1);
    EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char *>(data.data()), data.size()), 1);
    std::vector<unsigned char> sig(len);
    EXPECT_EQ(EVP_DigestSign(ctx, sig.data(), &len, reinterpret_cast<const unsigned char *>(data.data()), data.size()),
              1);
    EVP_MD_CTX_free(ctx);
    std::vector<unsigned char> b64(4 * ((len + 2) / 3) + 1);
    const int n = EVP_EncodeBlock(b64.data(), sig.data(), static_cast<int>(len));
    return std::string(reinterpret_cast<char *>(b64.data()), static_cast<size_t>(n));
}

// One RSA-2048 key and its certificates for the whole suite: key generation
// is the slow part.
struct Keys {
    Pkey key{EVP_RSA_gen(2048)};
    std::string cert = make_certificate(key.get(), k2025, k2027);
    std::string expired = make_certificate(key.get(), k2024, kEnd2025);
    std::string not_yet = make_certificate(key.get(), kFeb2026, k2027);
    Pkey small{EVP_RSA_gen(1024)};
    std::string small_cert = make_certificate(small.get(), k2025, k2027);
    // Not EVP_EC_gen: the macro casts away const, which clang rejects (-Wcast-qual).
    Pkey ec{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
    std::string ec_cert = make_certificate(ec.get(), k2025, k2027);
    Pkey other{EVP_RSA_gen(2048)};
    std::string other_cert = make_certificate(other.get(), k2025, k2027);
};
const Keys &keys() {
    static const Keys k;
    return k;
}

using Fields = std::map<std::string, std::string>;

Fields notification_fields() {
    return {{"Type", "Notification"},
            {"MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"},
            {"TopicArn", "arn:aws:sns:us-east-1:210987654321:ses-feedback"},
            {"Subject", "Amazon SES Email Event Notification"},
            {"Message", R"({"eventType":"Send","mail":{"messageId":"m-1","timestamp":"2026-01-14T10:00:00Z",)"
                        R"("destination":["a@example.com"]},"send":{}})"},
            {"Timestamp", "2026-01-14T10:00:01.123Z"},
            {"SigningCertURL", kCertUrl},
            {"UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x"}};
}

Fields confirmation_fields() {
    return {{"Type", "SubscriptionConfirmation"},
            {"MessageId", "165545c9-2a5c-472c-8df2-7ff2be2b3b1b"},
            {"Token", "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92"},
            {"TopicArn", "arn:aws:sns:us-east-1:210987654321:ses-feedback"},
            {"Message", "You have chosen to subscribe to the topic arn:aws:sns:us-east-1:210987654321:ses-feedback."},
            {"SubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f"},
            {"Timestamp", "2026-01-14T09:00:00.000Z"},
            {"SigningCertURL", kCertUrl}};
}

std::string to_json(const Fields &fields) {
    cJSON *o = cJSON_CreateObject();
    for (const auto &[k, v] : fields) cJSON_AddStringToObject(o, k.c_str(), v.c_str());
    char *text = cJSON_PrintUnformatted(o);
    std::string out(text);
    cJSON_free(text);
    cJSON_Delete(o);
    return out;
}

SnsEnvelope envelope_of(const Fields &fields) {
    auto env = parse_sns_envelope(to_json(fields));
    EXPECT_TRUE(env.ok()) << (env.ok() ? "" : env.error().message);
    return env.ok() ? *env : SnsEnvelope{};
}

// Signs `fields` as SNS does and returns them with the signature fields.
Fields signed_fields(Fields fields, const std::string &version = "2", EVP_PKEY *key = nullptr) {
    fields["SignatureVersion"] = version;
    const EVP_MD *md = version == "1" ? EVP_sha1() : EVP_sha256();
    fields["Signature"] = sign(key != nullptr ? key : keys().key.get(), md, sns_string_to_sign(envelope_of(fields)));
    return fields;
}

SnsVerifyOptions with_cert(SnsVerifyPolicy policy = SnsVerifyPolicy::required, std::string pem = keys().cert) {
    SnsVerifyOptions o;
    o.policy = policy;
    o.certificate_pem = std::move(pem);
    o.now_ms = kNowMs;
    return o;
}

FeedbackError verify_error(const Fields &fields, const SnsVerifyOptions &options) {
    auto r = verify_sns_envelope(envelope_of(fields), options);
    EXPECT_FALSE(r.ok());
    return r.ok() ? FeedbackError{} : r.error();
}

// --- The string to sign ----------------------------------------------------------

TEST(SnsStringToSign, AsAwsDocumentsIt) {
    Fields f = notification_fields();
    EXPECT_EQ(sns_string_to_sign(envelope_of(f)),
              "Message\n" + f["Message"] +
                  "\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
                  "Subject\nAmazon SES Email Event Notification\n"
                  "Timestamp\n2026-01-14T10:00:01.123Z\n"
                  "TopicArn\narn:aws:sns:us-east-1:210987654321:ses-feedback\n"
                  "Type\nNotification\n");
    f.erase("Subject");
    EXPECT_EQ(sns_string_to_sign(envelope_of(f)),
              "Message\n" + f["Message"] +
                  "\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n"
                  "Timestamp\n2026-01-14T10:00:01.123Z\n"
                  "TopicArn\narn:aws:sns:us-east-1:210987654321:ses-feedback\n"
                  "Type\nNotification\n");
    // "Subject": null is no subject.
    const std::string with_null = replace_all(to_json(f), R"("Type":)", R"("Subject":null,"Type":)");
    auto env = parse_sns_envelope(with_null);
    ASSERT_TRUE(env.ok());
    EXPECT_FALSE(env->subject);
    EXPECT_EQ(sns_string_to_sign(*env), sns_string_to_sign(envelope_of(f)));

    EXPECT_EQ(sns_string_to_sign(envelope_of(confirmation_fields())),
              "Message\nYou have chosen to subscribe to the topic arn:aws:sns:us-east-1:210987654321:ses-feedback.\n"
              "MessageId\n165545c9-2a5c-472c-8df2-7ff2be2b3b1b\n"
              "SubscribeURL\nhttps://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f\n"
              "Timestamp\n2026-01-14T09:00:00.000Z\n"
              "Token\n2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92\n"
              "TopicArn\narn:aws:sns:us-east-1:210987654321:ses-feedback\n"
              "Type\nSubscriptionConfirmation\n");
}

// --- Verification -----------------------------------------------------------------

TEST(SnsVerify, GoodSignaturesVersion1And2) {
    for (const std::string version : {"1", "2"}) {
        SCOPED_TRACE(version);
        for (const Fields &base : {notification_fields(), confirmation_fields()}) {
            auto r = verify_sns_envelope(envelope_of(signed_fields(base, version)), with_cert());
            ASSERT_TRUE(r.ok()) << r.error().message;
            EXPECT_EQ(*r, SnsSignatureState::verified);
        }
        Fields no_subject = notification_fields();
        no_subject.erase("Subject");
        EXPECT_EQ(*verify_sns_envelope(envelope_of(signed_fields(no_subject, version)), with_cert()),
                  SnsSignatureState::verified);
    }
}

TEST(SnsVerify, TamperedFieldsDoNotVerify) {
    const Fields good = signed_fields(notification_fields());
    const std::vector<std::pair<std::string, std::string>> tampering = {
        {"Message", replace_all(good.at("Message"), "a@example.com", "b@example.com")},
        {"Subject", "Amazon SES Email Event Notification!"},
        {"TopicArn", "arn:aws:sns:us-east-1:999999999999:ses-feedback"},
        {"MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf325"},
        {"Timestamp", "2026-01-14T10:00:02.123Z"},
    };
    for (const auto &[field, value] : tampering) {
        SCOPED_TRACE(field);
        Fields f = good;
        f[field] = value;
        const FeedbackError e = verify_error(f, with_cert());
        EXPECT_EQ(e.code, ErrorCode::sns_signature_invalid);
        EXPECT_EQ(e.message, "the signature of SNS message " + f.at("MessageId") + " does not verify with " + kCertName);
    }
    // Adding or removing the Subject changes what was signed.
    Fields removed = good;
    removed.erase("Subject");
    EXPECT_EQ(verify_error(removed, with_cert()).code, ErrorCode::sns_signature_invalid);
    Fields unsigned_subject = notification_fields();
    unsigned_subject.erase("Subject");
    Fields added = signed_fields(unsigned_subject);
    added["Subject"] = "injected";
    EXPECT_EQ(verify_error(added, with_cert()).code, ErrorCode::sns_signature_invalid);
    // Signed by another key.
    EXPECT_EQ(verify_error(signed_fields(notification_fields(), "2", keys().other.get()), with_cert()).code,
              ErrorCode::sns_signature_invalid);
    // A confirmation whose SubscribeURL was swapped.
    Fields confirmation = signed_fields(confirmation_fields(), "1");
    confirmation["SubscribeURL"] = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=evil";
    EXPECT_EQ(verify_error(confirmation, with_cert()).code, ErrorCode::sns_signature_invalid);
}

TEST(SnsVerify, SignatureVersions) {
    Fields v1_labelled_2 = signed_fields(notification_fields(), "1");
    v1_labelled_2["SignatureVersion"] = "2";
    EXPECT_EQ(verify_error(v1_labelled_2, with_cert()).code, ErrorCode::sns_signature_invalid);

    Fields v3 = signed_fields(notification_fields(), "2");
    v3["SignatureVersion"] = "3";
    FeedbackError e = verify_error(v3, with_cert());
    EXPECT_EQ(e.code, ErrorCode::sns_signature_version_unsupported);
    EXPECT_EQ(e.message, "SignatureVersion \"3\" is not supported (only \"1\" and \"2\" are)");

    Fields none = signed_fields(notification_fields(), "2");
    none.erase("SignatureVersion");
    e = verify_error(none, with_cert());
    EXPECT_EQ(e.code, ErrorCode::sns_signature_version_unsupported);
    EXPECT_EQ(e.message, "the SNS message is signed but has no SignatureVersion");

    Fields not_base64 = signed_fields(notification_fields(), "2");
    not_base64["Signature"] = "not*base64";
    e = verify_error(not_base64, with_cert());
    EXPECT_EQ(e.code, ErrorCode::sns_signature_invalid);
    EXPECT_EQ(e.message, "the Signature is not base64");
}

TEST(SnsVerify, UnsignedUnderEachPolicy) {
    const SnsEnvelope unsigned_env = envelope_of(notification_fields());
    EXPECT_EQ(*verify_sns_envelope(unsigned_env, with_cert(SnsVerifyPolicy::off)), SnsSignatureState::not_checked);
    EXPECT_EQ(*verify_sns_envelope(unsigned_env, with_cert(SnsVerifyPolicy::if_present)),
              SnsSignatureState::unsigned_accepted);
    auto r = verify_sns_envelope(unsigned_env, with_cert(SnsVerifyPolicy::required));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::sns_unsigned);

    // if_present still checks what is signed; off checks nothing.
    Fields forged = signed_fields(notification_fields());
    forged["Message"] = "{}";
    EXPECT_EQ(verify_error(forged, with_cert(SnsVerifyPolicy::if_present)).code, ErrorCode::sns_signature_invalid);
    EXPECT_EQ(*verify_sns_envelope(envelope_of(forged), with_cert(SnsVerifyPolicy::off)),
              SnsSignatureState::not_checked);
}

TEST(SnsVerify, CertificateValidityAndKey) {
    const Fields good = signed_fields(notification_fields());
    FeedbackError e = verify_error(good, with_cert(SnsVerifyPolicy::required, keys().expired));
    EXPECT_EQ(e.code, ErrorCode::sns_certificate_expired);
    EXPECT_EQ(e.message, std::string("certificate ") + kCertName + " expired before 2026-01-15T00:00:00Z");
    e = verify_error(good, with_cert(SnsVerifyPolicy::required, keys().not_yet));
    EXPECT_EQ(e.code, ErrorCode::sns_certificate_expired);
    EXPECT_EQ(e.message, std::string("certificate ") + kCertName + " is not valid yet at 2026-01-15T00:00:00Z");

    // The same certificate is fine at a time inside its validity.
    SnsVerifyOptions later = with_cert(SnsVerifyPolicy::required, keys().not_yet);
    later.now_ms = int64_t{kFeb2026} * 1000 + 1;
    EXPECT_EQ(*verify_sns_envelope(envelope_of(good), later), SnsSignatureState::verified);

    e = verify_error(signed_fields(notification_fields(), "2", keys().small.get()),
                     with_cert(SnsVerifyPolicy::required, keys().small_cert));
    EXPECT_EQ(e.code, ErrorCode::sns_certificate_invalid);
    EXPECT_EQ(e.message, std::string("certificate ") + kCertName +
                             " holds a 1024-bit RSA key; at least 2048 bits are required");

    e = verify_error(good, with_cert(SnsVerifyPolicy::required, keys().ec_cert));
    EXPECT_EQ(e.code, ErrorCode::sns_certificate_invalid);
    EXPECT_EQ(e.message, std::string("certificate ") + kCertName + " does not hold an RSA key");

    e = verify_error(good, with_cert(SnsVerifyPolicy::required, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
    EXPECT_EQ(e.code, ErrorCode::sns_certificate_invalid);
    EXPECT_EQ(e.message, std::string("certificate ") + kCertName + " is not a PEM X.509 certificate");
}

// --- SigningCertURL ------------------------------------------------------------------

TEST(SnsCertificateUrl, AcceptedHostsAndNames) {
    const std::vector<std::pair<std::string, std::string>> good = {
        {kCertUrl, kCertName},
        {"https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem", "SimpleNotificationService-abc.pem"},
        {"https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
         "SimpleNotificationService-abc.pem"},
        {"https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
         "SimpleNotificationService-abc.pem"},
        {"HTTPS://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-abc.pem", "SimpleNotificationService-abc.pem"},
        {"https://sns.us-east-1.amazonaws.com/certs/v2/SimpleNotificationService-abc.pem",
         "SimpleNotificationService-abc.pem"},
    };
    for (const auto &[url, name] : good) {
        SCOPED_TRACE(url);
        auto r = sns_certificate_file_name(url);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(*r, name);
    }
}

TEST(SnsCertificateUrl, Refused) {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", "it is not an https URL"},
        {"sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", "it is not an https URL"},
        {"https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-abc.pem",
         "its host is not sns.<region>.amazonaws.com or sns.<region>.amazonaws.com.cn"},
        {"https://evil.example/sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
         "its host is not sns.<region>.amazonaws.com or sns.<region>.amazonaws.com.cn"},
        {"https://sns.amazonaws.com/SimpleNotificationService-abc.pem",
         "its host is not sns.<region>.amazonaws.com or sns.<region>.amazonaws.com.cn"},
        {"https://sns.us-east-1.evil.amazonaws.com/SimpleNotificationService-abc.pem",
         "its host is not sns.<region>.amazonaws.com or sns.<region>.amazonaws.com.cn"},
        {"https://s3.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
         "its host is not sns.<region>.amazonaws.com or sns.<region>.amazonaws.com.cn"},
        {"https://sns.us-east-1.amazonaws.com@evil.example/SimpleNotificationService-abc.pem",
         "it carries user information"},
        {"https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem", "it names a port"},
        {"https://sns.us-east-1.amazonaws.com", "it has no path naming a certificate"},
        {"https://sns.us-east-1.amazonaws.com?x.pem", "it has no path naming a certificate"},
        {"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem?x=1", "it has a query or fragment"},
        {"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem#x", "it has a query or fragment"},
        {"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.crt", "its file name is not <name>.pem"},
        {"https://sns.us-east-1.amazonaws.com/.pem", "its file name is not <name>.pem"},
        {"https://sns.us-east-1.amazonaws.com/", "its path has an empty, \".\" or \"..\" segment"},
        {"https://sns.us-east-1.amazonaws.com/a b.pem", "its file name has a byte outside [A-Za-z0-9._-]"},
        {"", "it is not an https URL"},
    };
    for (const auto &[url, why] : bad) {
        SCOPED_TRACE(url);
        auto r = sns_certificate_file_name(url);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::sns_certificate_url_invalid);
        EXPECT_EQ(r.error().message, "SigningCertURL \"" + url + "\" is refused: " + why);
    }
}

TEST(SnsCertificateUrl, BadUrlFailsVerificationEvenWithAHostCertificate) {
    for (const std::string url : {"http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
                                  "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-abc.pem"}) {
        SCOPED_TRACE(url);
        Fields f = notification_fields();
        f["SigningCertURL"] = url;
        EXPECT_EQ(verify_error(signed_fields(f), with_cert()).code, ErrorCode::sns_certificate_url_invalid);
    }
    Fields none = notification_fields();
    none.erase("SigningCertURL");
    EXPECT_EQ(verify_error(signed_fields(none), with_cert()).code, ErrorCode::sns_certificate_url_invalid);
}

// --- The certificate directory --------------------------------------------------------

TEST(SnsCertificateDirectory, LookupByFileName) {
    TempDir dir;
    dir.write(std::string("certs/") + kCertName, keys().cert);
    SnsVerifyOptions options;
    options.policy = SnsVerifyPolicy::required;
    options.certificate_dir = dir.path() + "/certs";
    options.now_ms = kNowMs;
    const Fields good = signed_fields(notification_fields());
    EXPECT_EQ(*verify_sns_envelope(envelope_of(good), options), SnsSignatureState::verified);

    // Only the last path segment names the file.
    Fields deeper = notification_fields();
    deeper["SigningCertURL"] = std::string("https://sns.us-east-1.amazonaws.com/a/b/") + kCertName;
    EXPECT_EQ(*verify_sns_envelope(envelope_of(signed_fields(deeper)), options), SnsSignatureState::verified);

    Fields other = notification_fields();
    other["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-unknown.pem";
    FeedbackError e = verify_error(signed_fields(other), options);
    EXPECT_EQ(e.code, ErrorCode::sns_certificate_unknown);
    EXPECT_EQ(e.message, "no certificate SimpleNotificationService-unknown.pem in the certificate directory");

    SnsVerifyOptions no_dir = options;
    no_dir.certificate_dir.clear();
    e = verify_error(good, no_dir);
    EXPECT_EQ(e.code, ErrorCode::sns_certificate_unknown);
    EXPECT_EQ(e.message, std::string("no certificate was given and no certificate directory is configured (the "
                                     "envelope names ") +
                             kCertName + ")");

    // A file that is not a certificate.
    dir.write("certs/SimpleNotificationService-junk.pem", "junk");
    Fields junk = notification_fields();
    junk["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-junk.pem";
    EXPECT_EQ(verify_error(signed_fields(junk), options).code, ErrorCode::sns_certificate_invalid);
}

TEST(SnsCertificateDirectory, PathTraversalIsRefused) {
    TempDir dir;
    dir.write("certs/placeholder.txt", "");
    // A valid certificate just outside the directory: reaching it would verify.
    dir.write("outside.pem", keys().cert);
    dir.write(".hidden.pem", keys().cert);
    SnsVerifyOptions options;
    options.policy = SnsVerifyPolicy::required;
    options.certificate_dir = dir.path() + "/certs";
    options.now_ms = kNowMs;
    const std::vector<std::string> urls = {
        "https://sns.us-east-1.amazonaws.com/../outside.pem",
        "https://sns.us-east-1.amazonaws.com/a/../../outside.pem",
        "https://sns.us-east-1.amazonaws.com/%2e%2e/outside.pem",
        "https://sns.us-east-1.amazonaws.com/..%2foutside.pem",
        "https://sns.us-east-1.amazonaws.com/%2E%2E%2Foutside.pem",
        "https://sns.us-east-1.amazonaws.com/..\\outside.pem",
        "https://sns.us-east-1.amazonaws.com/.\\..\\outside.pem",
        "https://sns.us-east-1.amazonaws.com/./outside.pem",
        "https://sns.us-east-1.amazonaws.com//outside.pem",
        "https://sns.us-east-1.amazonaws.com/..",
        "https://sns.us-east-1.amazonaws.com/..pem",
        "https://sns.us-east-1.amazonaws.com/.hidden.pem",
    };
    for (const auto &url : urls) {
        SCOPED_TRACE(url);
        Fields f = notification_fields();
        f["SigningCertURL"] = url;
        EXPECT_EQ(verify_error(signed_fields(f), options).code, ErrorCode::sns_certificate_url_invalid);
    }
}

// --- Envelopes --------------------------------------------------------------------------

TEST(SnsEnvelopeParse, Errors) {
    Fields f = notification_fields();
    f.erase("MessageId");
    auto r = parse_sns_envelope(to_json(f));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::field_missing);
    EXPECT_EQ(r.error().message, "the SNS envelope has no MessageId");

    Fields c = confirmation_fields();
    c.erase("Token");
    r = parse_sns_envelope(to_json(c));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "the SNS envelope has no Token");

    f = notification_fields();
    f["Timestamp"] = "Wed, 14 Jan 2026 10:00:01 GMT";
    r = parse_sns_envelope(to_json(f));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::field_invalid);

    r = parse_sns_envelope(replace_all(to_json(notification_fields()), R"("Subject":"Amazon SES Email Event Notification")",
                                       R"("Subject":5)"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::field_invalid);
    EXPECT_EQ(r.error().message, "Subject must be a string");

    r = parse_sns_envelope("{");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::json_invalid);
    r = parse_sns_envelope("[]");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::not_an_event);
}

// --- Through the SES parser ---------------------------------------------------------

TEST(SnsWithSesEvents, SignedForgedAndUnsignedInOneStream) {
    TempDir dir;
    dir.write(kCertName, keys().cert);
    SesParseOptions options;
    options.sns.policy = SnsVerifyPolicy::required;
    options.sns.certificate_dir = dir.path();
    options.sns.now_ms = kNowMs;

    const Fields good = signed_fields(notification_fields(), "1");
    Fields forged = good;
    forged["Message"] = replace_all(forged["Message"], "a@example.com", "victim@example.com");
    Fields unsigned_env = notification_fields();
    const Fields confirmation = signed_fields(confirmation_fields(), "2");
    const std::string input =
        to_json(good) + "\n" + to_json(forged) + "\n" + to_json(unsigned_env) + "\n" + to_json(confirmation) + "\n";

    const auto outcomes = parse_ses_events(input, options);
    ASSERT_EQ(outcomes.size(), 4u);
    ASSERT_NE(outcomes[0].event(), nullptr);
    EXPECT_EQ(outcomes[0].event()->kind, EventKind::send);
    EXPECT_EQ(outcomes[0].event()->sns_signature, SnsSignatureState::verified);
    EXPECT_EQ(outcomes[0].event()->sns_message_id, "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324");
    ASSERT_NE(outcomes[1].error(), nullptr);
    EXPECT_EQ(outcomes[1].error()->code, ErrorCode::sns_signature_invalid);
    EXPECT_EQ(outcomes[1].line, 2u);
    ASSERT_NE(outcomes[2].error(), nullptr);
    EXPECT_EQ(outcomes[2].error()->code, ErrorCode::sns_unsigned);
    ASSERT_NE(outcomes[3].confirmation(), nullptr);
    EXPECT_EQ(outcomes[3].confirmation()->signature, SnsSignatureState::verified);
    EXPECT_EQ(outcomes[3].confirmation()->token, "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92");

    // The verified event is the same event as the bare document.
    SesParseOptions bare;
    const auto plain = parse_ses_events(good.at("Message"), bare);
    ASSERT_NE(plain.at(0).event(), nullptr);
    EXPECT_EQ(plain[0].event()->fingerprint, outcomes[0].event()->fingerprint);
}

}  // namespace
}  // namespace presend::feedback
