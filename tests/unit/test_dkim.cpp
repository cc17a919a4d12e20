// DKIM key records (RFC 6376 3.6.1, RFC 8301, RFC 8463) and selector checks
// over fixture zones. Keys are generated with libcrypto, so the size limits
// are tested with real keys on both sides.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <map>
#include <memory>

#include "dkim.hpp"
#include "json.hpp"

namespace presend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// --- Key material -------------------------------------------------------------------

struct PkeyFree {
    void operator()(EVP_PKEY *k) const noexcept { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string base64(const std::vector<unsigned char> &bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()), bytes.data(),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

template <class F>
std::vector<unsigned char> der_of(const EVP_PKEY *k, F i2d) {
    const int n = i2d(k, nullptr);
    EXPECT_GT(n, 0);
    std::vector<unsigned char> der(static_cast<size_t>(n));
    unsigned char *p = der.data();
    i2d(k, &p);
    return der;
}

std::vector<unsigned char> spki_der(const EVP_PKEY *k) {
    return der_of(k, [](const EVP_PKEY *key, unsigned char **pp) { return i2d_PUBKEY(key, pp); });
}
std::vector<unsigned char> pkcs1_der(const EVP_PKEY *k) {
    return der_of(k, [](const EVP_PKEY *key, unsigned char **pp) { return i2d_PublicKey(key, pp); });
}

// Real RSA keys, generated once per size.
const EVP_PKEY *rsa_key(int bits) {
    static std::map<int, Pkey> keys;
    auto it = keys.find(bits);
    if (it == keys.end()) {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr);
        EVP_PKEY *k = nullptr;
        EXPECT_EQ(EVP_PKEY_keygen_init(ctx), 1);
        EXPECT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits), 1);
        EXPECT_EQ(EVP_PKEY_keygen(ctx, &k), 1);
        EVP_PKEY_CTX_free(ctx);
        it = keys.emplace(bits, Pkey(k)).first;
    }
    return it->second.get();
}

std::string rsa_spki_b64(int bits) { return base64(spki_der(rsa_key(bits))); }
std::string rsa_pkcs1_b64(int bits) { return base64(pkcs1_der(rsa_key(bits))); }

// An RSA public key with a modulus of exactly `bits` bits (2^(bits-1) + 1),
// for sizes where generating primes would be slow. Only the size matters.
std::string rsa_public_only_b64(int bits) {
    BIGNUM *n = BN_new();
    BIGNUM *e = BN_new();
    BN_set_bit(n, bits - 1);
    BN_set_bit(n, 0);
    BN_set_word(e, 65537);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    EVP_PKEY *k = nullptr;
    EXPECT_EQ(EVP_PKEY_fromdata_init(ctx), 1);
    EXPECT_EQ(EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params), 1);
    Pkey key(k);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return base64(spki_der(key.get()));
}

const EVP_PKEY *ed25519_key() {
    static Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    return key.get();
}

std::vector<unsigned char> ed25519_raw() {
    std::vector<unsigned char> raw(32);
    size_t len = raw.size();
    EXPECT_EQ(EVP_PKEY_get_raw_public_key(ed25519_key(), raw.data(), &len), 1);
    raw.resize(len);
    return raw;
}

std::vector<std::string> codes(const std::vector<AuthFinding> &findings) {
    std::vector<std::string> out;
    for (const auto &f : findings) out.push_back(f.code);
    return out;
}

DkimKey parse_ok(const std::string &txt) {
    auto k = dkim_parse_key(txt);
    EXPECT_TRUE(k.ok()) << txt << ": " << (k.ok() ? "" : k.error().message);
    return k.ok() ? std::move(*k) : DkimKey{};
}

// --- The key record -------------------------------------------------------------------

TEST(DkimKey, ParsesTagsAndDefaults) {
    const std::string p = rsa_spki_b64(2048);
    const DkimKey k = parse_ok("v=DKIM1; k=rsa; p=" + p);
    EXPECT_EQ(k.version, "DKIM1");
    EXPECT_EQ(k.key_type, DkimKeyType::rsa);
    EXPECT_EQ(k.key_format, "spki");
    EXPECT_EQ(k.key_bits, 2048u);
    EXPECT_EQ(k.public_key, p);
    EXPECT_FALSE(k.revoked);
    EXPECT_FALSE(k.testing);
    EXPECT_TRUE(k.hashes.empty());
    EXPECT_THAT(k.services, ElementsAre("*"));
    EXPECT_TRUE(k.findings.empty()) << k.findings.front().code;
    ASSERT_EQ(k.tags.size(), 3u);
    EXPECT_EQ(k.tags[1].name, "k");
    EXPECT_EQ(k.tags[1].position, 9u);

    // Everything but p= is optional: k defaults to rsa, v may be absent.
    const DkimKey bare = parse_ok("p=" + p);
    EXPECT_EQ(bare.version, "");
    EXPECT_EQ(bare.key_type, DkimKeyType::rsa);
    EXPECT_EQ(bare.key_bits, 2048u);
}

struct SizeCase {
    int bits;
    const char *code;  // expected finding, or nullptr
    AuthSeverity severity;
};

void PrintTo(const SizeCase &c, std::ostream *os) { *os << c.bits << " bits"; }

class DkimKeySize : public ::testing::TestWithParam<SizeCase> {};

TEST_P(DkimKeySize, BothSidesOfEachLimitInBothEncodings) {
    const SizeCase &c = GetParam();
    for (const std::string &p : {rsa_spki_b64(c.bits), rsa_pkcs1_b64(c.bits)}) {
        const DkimKey k = parse_ok("v=DKIM1; k=rsa; p=" + p);
        EXPECT_EQ(k.key_bits, static_cast<uint32_t>(c.bits));
        if (c.code == nullptr) {
            EXPECT_TRUE(k.findings.empty()) << c.bits;
        } else {
            ASSERT_THAT(codes(k.findings), ElementsAre(c.code)) << c.bits;
            EXPECT_EQ(k.findings[0].severity, c.severity);
            EXPECT_THAT(k.findings[0].message, HasSubstr(std::to_string(c.bits) + " bits"));
        }
    }
}

INSTANTIATE_TEST_SUITE_P(DkimRsaLimits, DkimKeySize,
                         ::testing::Values(SizeCase{1023, "dkim.weak_key", AuthSeverity::error},
                                           SizeCase{1024, "dkim.short_key", AuthSeverity::warning},
                                           SizeCase{2047, "dkim.short_key", AuthSeverity::warning},
                                           SizeCase{2048, nullptr, AuthSeverity::info}));

TEST(DkimKey, BarePkcs1KeysAreAccepted) {
    const DkimKey k = parse_ok("v=DKIM1; p=" + rsa_pkcs1_b64(1024));
    EXPECT_EQ(k.key_format, "pkcs1");
    EXPECT_EQ(k.key_bits, 1024u);
}

TEST(DkimKey, LongKeysAndOddSizes) {
    EXPECT_TRUE(parse_ok("p=" + rsa_public_only_b64(4096)).findings.empty());
    const DkimKey big = parse_ok("p=" + rsa_public_only_b64(4097));
    EXPECT_EQ(big.key_bits, 4097u);
    EXPECT_THAT(codes(big.findings), ElementsAre("dkim.long_key"));
    EXPECT_THAT(codes(parse_ok("p=" + rsa_public_only_b64(512)).findings), ElementsAre("dkim.weak_key"));
}

TEST(DkimKey, Ed25519KeysAre32Bytes) {
    std::vector<unsigned char> raw = ed25519_raw();
    ASSERT_EQ(raw.size(), 32u);
    const DkimKey k = parse_ok("v=DKIM1; k=ed25519; p=" + base64(raw));
    EXPECT_EQ(k.key_type, DkimKeyType::ed25519);
    EXPECT_EQ(k.key_format, "raw");
    EXPECT_EQ(k.key_bits, 256u);
    EXPECT_THAT(codes(k.findings), ElementsAre("dkim.ed25519"));
    EXPECT_EQ(k.findings[0].severity, AuthSeverity::info);
    // k= is case-insensitive (an ABNF literal).
    EXPECT_EQ(parse_ok("k=Ed25519; p=" + base64(raw)).key_type, DkimKeyType::ed25519);

    raw.pop_back();  // 31 bytes
    auto short_key = dkim_parse_key("v=DKIM1; k=ed25519; p=" + base64(raw));
    ASSERT_FALSE(short_key);
    EXPECT_THAT(short_key.error().message, HasSubstr("decodes to 31 bytes"));
    EXPECT_EQ(short_key.error().position, 20u);
    raw.push_back(0);
    raw.push_back(0);  // 33 bytes
    EXPECT_FALSE(dkim_parse_key("k=ed25519; p=" + base64(raw)));

    // A SubjectPublicKeyInfo is not what RFC 8463 publishes; say so.
    auto spki = dkim_parse_key("k=ed25519; p=" + base64(spki_der(ed25519_key())));
    ASSERT_FALSE(spki);
    EXPECT_THAT(spki.error().message, HasSubstr("SubjectPublicKeyInfo"));
}

TEST(DkimKey, RevokedKeys) {
    for (const char *txt : {"v=DKIM1; p=", "v=DKIM1; k=rsa; p= ;", "p=\t\r\n "}) {
        const DkimKey k = parse_ok(txt);
        EXPECT_TRUE(k.revoked) << txt;
        EXPECT_EQ(k.key_bits, 0u);
        EXPECT_EQ(k.key_format, "");
        ASSERT_THAT(codes(k.findings), ElementsAre("dkim.revoked")) << txt;
        EXPECT_EQ(k.findings[0].severity, AuthSeverity::error);
    }
    // A revoked ed25519 key is revoked too, not "31 bytes short".
    EXPECT_TRUE(parse_ok("k=ed25519; p=").revoked);
}

struct TagCase {
    const char *tags;  // put before p=
    std::vector<std::string> codes;
};

void PrintTo(const TagCase &c, std::ostream *os) { *os << c.tags; }

class DkimKeyTags : public ::testing::TestWithParam<TagCase> {};

TEST_P(DkimKeyTags, Findings) {
    const TagCase &c = GetParam();
    const DkimKey k = parse_ok(std::string("v=DKIM1; ") + c.tags + " p=" + rsa_spki_b64(2048));
    EXPECT_EQ(codes(k.findings), c.codes) << c.tags;
}

INSTANTIATE_TEST_SUITE_P(
    DkimEveryTag, DkimKeyTags,
    ::testing::Values(TagCase{"h=sha256;", {}}, TagCase{"h=sha1:sha256;", {}}, TagCase{"h=SHA256;", {}},
                      TagCase{"h = sha1 : sha256 ;", {}}, TagCase{"h=sha1;", {"dkim.no_sha256"}},
                      TagCase{"h=sha512;", {"dkim.no_sha256"}}, TagCase{"t=y;", {"dkim.testing"}},
                      TagCase{"t=y:s;", {"dkim.testing"}}, TagCase{"t=s;", {}}, TagCase{"t=x;", {}},
                      TagCase{"s=email;", {}}, TagCase{"s=*;", {}}, TagCase{"s=tlsrpt:email;", {}},
                      TagCase{"s=EMAIL;", {}}, TagCase{"s=tlsrpt;", {"dkim.not_email"}},
                      TagCase{"n=Notes for humans =20 with spaces;", {}}, TagCase{"x=unknown; y_2=tags;", {}},
                      TagCase{"h=sha1; t=y; s=tlsrpt;", {"dkim.no_sha256", "dkim.testing", "dkim.not_email"}}));

TEST(DkimKey, TagValuesAreReadAsSpecified) {
    const DkimKey k =
        parse_ok("v=DKIM1; h=sha1:SHA256; s=email:tlsrpt; t=y:s; n=a note; x=kept; p=" + rsa_spki_b64(2048));
    EXPECT_THAT(k.hashes, ElementsAre("sha1", "sha256"));
    EXPECT_THAT(k.services, ElementsAre("email", "tlsrpt"));
    EXPECT_THAT(k.flags, ElementsAre("y", "s"));
    EXPECT_TRUE(k.testing);
    EXPECT_TRUE(k.strict_subdomains);
    EXPECT_EQ(k.notes, "a note");
    ASSERT_NE(k.find("x"), nullptr);
    EXPECT_EQ(k.find("x")->value, "kept");
}

TEST(DkimKey, UnknownKeyTypesAreNotDecoded) {
    const DkimKey k = parse_ok("v=DKIM1; k=dsa; p=AAAA");
    EXPECT_EQ(k.key_type, DkimKeyType::unknown);
    EXPECT_EQ(k.key_type_tag, "dsa");
    EXPECT_EQ(k.key_bits, 0u);
    ASSERT_THAT(codes(k.findings), ElementsAre("dkim.unknown_key_type"));
    EXPECT_EQ(k.findings[0].severity, AuthSeverity::error);
}

TEST(DkimKey, FoldingWhiteSpaceAsInRfc6376) {
    const std::string p = rsa_spki_b64(2048);
    // FWS around tags, '=' and inside the base64 of p= (RFC 6376 3.2, 3.6.1).
    std::string folded;
    for (size_t i = 0; i < p.size(); i += 60) folded += p.substr(i, 60) + "\r\n\t ";
    const DkimKey k = parse_ok(" v = DKIM1 ;\r\n\tk = rsa;\r\n p =  " + folded + "; ");
    EXPECT_EQ(k.public_key, p);
    EXPECT_EQ(k.find("p")->value, p);
    EXPECT_EQ(k.key_bits, 2048u);
    // Inner white space of other values is kept.
    EXPECT_EQ(parse_ok("n = two  words ; p=").notes, "two  words");
}

struct ErrorCase {
    std::string txt;
    size_t position;
    const char *message;
};

void PrintTo(const ErrorCase &c, std::ostream *os) { *os << ::testing::PrintToString(c.txt); }

class DkimKeyErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(DkimKeyErrors, ArePositionedAndClear) {
    const ErrorCase &c = GetParam();
    auto k = dkim_parse_key(c.txt);
    ASSERT_FALSE(k) << c.txt;
    EXPECT_EQ(k.error().status, Status::parse);
    EXPECT_EQ(k.error().position, c.position) << c.txt << ": " << k.error().message;
    EXPECT_THAT(k.error().message, HasSubstr(c.message)) << c.txt;
}

INSTANTIATE_TEST_SUITE_P(
    DkimMalformed, DkimKeyErrors,
    ::testing::Values(
        ErrorCase{"", 0, "empty key record"}, ErrorCase{"  \t", 3, "empty key record"},
        ErrorCase{";", 0, "expected a tag name"}, ErrorCase{"v=DKIM1;;p=", 8, "expected a tag name"},
        ErrorCase{"1v=DKIM1; p=", 0, "expected a tag name"}, ErrorCase{"v=DKIM1; p", 10, "expected '=' after tag 'p'"},
        ErrorCase{"v=DKIM1; k-x=rsa; p=", 10, "expected '='"},
        ErrorCase{"\"v=DKIM1; p=\"", 0, "zone-file quotes"},
        ErrorCase{"v=DKIM1; n=caf\xC3\xA9; p=", 14, "byte 0xC3 in the value of tag 'n'"},
        ErrorCase{"v=DKIM2; p=", 0, "v=DKIM2 is not DKIM1"}, ErrorCase{"v=dkim1; p=", 0, "is not DKIM1"},
        ErrorCase{"k=rsa; v=DKIM1; p=", 7, "v= must be the first tag"},
        ErrorCase{"v=DKIM1; p=; k=rsa; p=", 20, "duplicate tag 'p'"},
        ErrorCase{"v=DKIM1; k=rsa", 14, "missing p="}, ErrorCase{"v=DKIM1; P=abcd", 15, "P= is not p="},
        ErrorCase{"v=DKIM1; p=ab$d", 9, "not a base64 character"},
        ErrorCase{"v=DKIM1; p=abcde", 9, "not a multiple of 4"}, ErrorCase{"p=====", 0, "not a base64 character"},
        ErrorCase{"v=DKIM1; p=AAAA", 9, "not an RSA public key"},
        ErrorCase{"v=DKIM1; h=; p=", 9, "empty item in h="}, ErrorCase{"v=DKIM1; h=sha1::sha256; p=", 9, "empty item"},
        ErrorCase{"v=DKIM1; h=sha1 sha256; p=", 9, "white space inside"},
        ErrorCase{"v=DKIM1; s=email:; p=", 9, "empty item in s="}, ErrorCase{"v=DKIM1; t=; p=", 9, "empty item in t="}));

TEST(DkimKey, KeysOfAnotherAlgorithmUnderKRsa) {
    Pkey ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    auto k = dkim_parse_key("v=DKIM1; k=rsa; p=" + base64(spki_der(ec.get())));
    ASSERT_FALSE(k);
    EXPECT_THAT(k.error().message, HasSubstr("but k=rsa"));
    // Trailing bytes after a valid key are not a key either.
    std::vector<unsigned char> der = spki_der(rsa_key(1024));
    der.push_back(0);
    der.push_back(0);
    der.push_back(0);
    EXPECT_FALSE(dkim_parse_key("p=" + base64(der)));
}

TEST(DkimKey, RecordCheckTurnsErrorsIntoSyntaxFindings) {
    const DkimRecordCheck bad = dkim_check_record("v=DKIM1; p=abcde");
    EXPECT_FALSE(bad.key);
    ASSERT_TRUE(bad.error);
    ASSERT_THAT(codes(bad.findings), ElementsAre("dkim.syntax"));
    EXPECT_EQ(bad.findings[0].severity, AuthSeverity::error);
    const DkimRecordCheck good = dkim_check_record("v=DKIM1; p=");
    ASSERT_TRUE(good.key);
    EXPECT_FALSE(good.error);
    EXPECT_THAT(codes(good.findings), ElementsAre("dkim.revoked"));
}

TEST(DkimKey, Json) {
    const DkimKey k = parse_ok("v=DKIM1; h=sha256; t=y; p=" + rsa_spki_b64(1024));
    std::string out;
    JsonWriter w(out);
    write_dkim_key_json(w, k);
    auto doc = json_parse(out, 1 << 20);
    ASSERT_TRUE(doc) << out;
    EXPECT_THAT(out, HasSubstr(R"("version":"DKIM1")"));
    EXPECT_THAT(out, HasSubstr(R"("key_type":"rsa")"));
    EXPECT_THAT(out, HasSubstr(R"("bits":1024)"));
    EXPECT_THAT(out, HasSubstr(R"("revoked":false)"));
    EXPECT_THAT(out, HasSubstr(R"("hashes":["sha256"])"));
    EXPECT_THAT(out, HasSubstr(R"("tags":{"v":"DKIM1","h":"sha256","t":"y","p":")"));
    EXPECT_THAT(out, HasSubstr(R"({"code":"dkim.short_key","severity":"warning","message":)"));
    EXPECT_THAT(out, HasSubstr(R"({"code":"dkim.testing","severity":"warning")"));

    std::string rec;
    JsonWriter wr(rec);
    write_dkim_record_json(wr, dkim_check_record("v=DKIM1; k=rsa"));
    ASSERT_TRUE(json_parse(rec, 1 << 20)) << rec;
    EXPECT_THAT(rec, HasSubstr(R"("valid":false,"key":null,"error":{"message":"missing p=)"));
    EXPECT_THAT(rec, HasSubstr(R"("position":14})"));
}

// --- Selectors in the DNS ------------------------------------------------------------

class DkimSelector : public ::testing::Test {
protected:
    void SetUp() override {
        auto r = FixtureResolver::from_json("{}");
        ASSERT_TRUE(r);
        dns = std::move(*r);
    }
    void txt(const std::string &name, const std::string &value) {
        dns->zone()[name].records[RRType::TXT].push_back(value);
    }
    void cname(const std::string &name, const std::string &target) {
        dns->zone()[name].records[RRType::CNAME].push_back(target);
    }
    std::unique_ptr<FixtureResolver> dns;
};

TEST_F(DkimSelector, KeyPublishedAsTxt) {
    txt("s1._domainkey.example.com", "v=DKIM1; k=rsa; p=" + rsa_spki_b64(2048));
    const DkimSelectorCheck c = dkim_check_selector(*dns, "Example.COM.", "S1");
    EXPECT_EQ(c.name, "s1._domainkey.example.com");
    EXPECT_EQ(c.domain, "example.com");
    EXPECT_EQ(c.dns_status, DnsStatus::ok);
    EXPECT_TRUE(c.cnames.empty());
    ASSERT_TRUE(c.key);
    EXPECT_EQ(c.key->key_bits, 2048u);
    EXPECT_TRUE(c.findings.empty());
    EXPECT_TRUE(c.ok());
    EXPECT_EQ(c.queries, 1u);
    EXPECT_EQ(dns->queries(), 1u);
}

TEST_F(DkimSelector, SesEasyDkimCnameIsFollowedAndReported) {
    cname("tok1._domainkey.example.com", "tok1.dkim.amazonses.com");
    txt("tok1.dkim.amazonses.com", "p=" + rsa_spki_b64(2048));
    const DkimSelectorCheck c = dkim_check_selector(*dns, "example.com", "tok1", DkimProviderRules::ses_easy_dkim());
    EXPECT_THAT(c.cnames, ElementsAre("tok1.dkim.amazonses.com"));
    ASSERT_TRUE(c.key);
    EXPECT_TRUE(c.findings.empty()) << c.findings.front().message;
    EXPECT_TRUE(c.ok());
    // Without provider rules the chain is still reported.
    EXPECT_THAT(dkim_check_selector(*dns, "example.com", "tok1").cnames, ElementsAre("tok1.dkim.amazonses.com"));
}

TEST_F(DkimSelector, ProviderSelectorThatIsAPlainTxtOrPointsElsewhere) {
    const std::string key = "p=" + rsa_spki_b64(2048);
    txt("tok1._domainkey.example.com", key);  // copied the key instead of the CNAME
    cname("tok2._domainkey.example.com", "tok2.dkim.other-esp.net");
    txt("tok2.dkim.other-esp.net", key);
    cname("tok3._domainkey.example.com", "tok9.dkim.amazonses.com");  // another token's target
    txt("tok9.dkim.amazonses.com", key);
    const auto ses = DkimProviderRules::ses_easy_dkim();

    const auto plain = dkim_check_selector(*dns, "example.com", "tok1", ses);
    ASSERT_THAT(codes(plain.findings), ElementsAre("dkim.cname_mismatch"));
    EXPECT_THAT(plain.findings[0].message, HasSubstr("is a TXT record, not a CNAME to tok1.dkim.amazonses.com"));
    EXPECT_TRUE(plain.key);  // the key itself is still read
    EXPECT_FALSE(plain.ok());

    const auto elsewhere = dkim_check_selector(*dns, "example.com", "tok2", ses);
    ASSERT_THAT(codes(elsewhere.findings), ElementsAre("dkim.cname_mismatch"));
    EXPECT_THAT(elsewhere.findings[0].message, HasSubstr("CNAME to tok2.dkim.other-esp.net"));

    EXPECT_THAT(codes(dkim_check_selector(*dns, "example.com", "tok3", ses).findings),
                ElementsAre("dkim.cname_mismatch"));
    // A suffix-only rule accepts any token under the suffix.
    EXPECT_TRUE(dkim_check_selector(*dns, "example.com", "tok3", DkimProviderRules{".dkim.amazonses.com", false})
                    .findings.empty());
}

TEST_F(DkimSelector, CnameToAProviderNameThatDoesNotExist) {
    cname("tok1._domainkey.example.com", "tok1.dkim.amazonses.com");
    const auto c = dkim_check_selector(*dns, "example.com", "tok1", DkimProviderRules::ses_easy_dkim());
    EXPECT_EQ(c.dns_status, DnsStatus::nxdomain);
    EXPECT_THAT(c.cnames, ElementsAre("tok1.dkim.amazonses.com"));
    ASSERT_THAT(codes(c.findings), ElementsAre("dkim.missing"));
    EXPECT_THAT(c.findings[0].message, HasSubstr("leads nowhere"));
}

TEST_F(DkimSelector, MissingIsNotADnsError) {
    dns->zone()["nodata._domainkey.example.com"].records[RRType::A].push_back("192.0.2.1");
    dns->zone()["slow._domainkey.example.com"].all_failure = DnsStatus::timeout;
    dns->zone()["broken._domainkey.example.com"].all_failure = DnsStatus::servfail;

    const auto nx = dkim_check_selector(*dns, "example.com", "absent");
    EXPECT_EQ(nx.dns_status, DnsStatus::nxdomain);
    EXPECT_THAT(codes(nx.findings), ElementsAre("dkim.missing"));
    EXPECT_THAT(nx.findings[0].message, HasSubstr("does not exist"));

    const auto nodata = dkim_check_selector(*dns, "example.com", "nodata");
    EXPECT_THAT(codes(nodata.findings), ElementsAre("dkim.missing"));
    EXPECT_THAT(nodata.findings[0].message, HasSubstr("no TXT record"));

    for (const char *sel : {"slow", "broken"}) {
        const auto c = dkim_check_selector(*dns, "example.com", sel, DkimProviderRules::ses_easy_dkim());
        EXPECT_TRUE(c.dns_status == DnsStatus::timeout || c.dns_status == DnsStatus::servfail);
        ASSERT_THAT(codes(c.findings), ElementsAre("dkim.dns_error")) << sel;
        EXPECT_EQ(c.findings[0].severity, AuthSeverity::error);
        EXPECT_FALSE(c.key);
    }
    // An SES selector that does not exist at all: missing, with the CNAME it should be.
    const auto ses_nx = dkim_check_selector(*dns, "example.com", "absent", DkimProviderRules::ses_easy_dkim());
    ASSERT_THAT(codes(ses_nx.findings), ElementsAre("dkim.missing"));
    EXPECT_THAT(ses_nx.findings[0].message, HasSubstr("expected a CNAME to *.dkim.amazonses.com"));
}

TEST_F(DkimSelector, SeveralTxtRecordsOnlyOneKey) {
    const std::string key = "v=DKIM1; p=" + rsa_spki_b64(2048);
    txt("s1._domainkey.example.com", "google-site-verification=abc");
    txt("s1._domainkey.example.com", key);
    txt("s1._domainkey.example.com", "v=spf1 -all");
    const auto one = dkim_check_selector(*dns, "example.com", "s1");
    EXPECT_EQ(one.records.size(), 3u);
    ASSERT_TRUE(one.key);
    EXPECT_TRUE(one.findings.empty());

    txt("s2._domainkey.example.com", key);
    txt("s2._domainkey.example.com", "k=rsa; p=" + rsa_spki_b64(1024));
    const auto two = dkim_check_selector(*dns, "example.com", "s2");
    ASSERT_TRUE(two.key);
    EXPECT_EQ(two.key->key_bits, 2048u);  // the first valid one
    EXPECT_THAT(codes(two.findings), ElementsAre("dkim.several_keys"));

    txt("s3._domainkey.example.com", "hello world");
    EXPECT_THAT(codes(dkim_check_selector(*dns, "example.com", "s3").findings), ElementsAre("dkim.missing"));
}

TEST_F(DkimSelector, MalformedAndRevokedKeys) {
    txt("bad._domainkey.example.com", "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA");
    txt("old._domainkey.example.com", "v=DKIM1; p=");
    const auto bad = dkim_check_selector(*dns, "example.com", "bad");
    EXPECT_FALSE(bad.key);
    ASSERT_THAT(codes(bad.findings), ElementsAre("dkim.syntax"));
    EXPECT_THAT(bad.findings[0].message, HasSubstr("bad._domainkey.example.com"));
    const auto old = dkim_check_selector(*dns, "example.com", "old");
    ASSERT_TRUE(old.key);
    EXPECT_TRUE(old.key->revoked);
    EXPECT_THAT(codes(old.findings), ElementsAre("dkim.revoked"));
    EXPECT_FALSE(old.ok());
}

TEST_F(DkimSelector, InvalidNamesAreNotQueried) {
    EXPECT_THAT(codes(dkim_check_selector(*dns, "exa mple.com", "s1").findings), ElementsAre("dkim.invalid_domain"));
    EXPECT_THAT(codes(dkim_check_selector(*dns, "[192.0.2.1]", "s1").findings), ElementsAre("dkim.invalid_domain"));
    for (const char *sel : {"", "a..b", ".a", "a.", "s 1", "s;1"}) {
        EXPECT_THAT(codes(dkim_check_selector(*dns, "example.com", sel).findings),
                    ElementsAre("dkim.invalid_selector"))
            << sel;
    }
    EXPECT_EQ(dns->queries(), 0u);
}

TEST_F(DkimSelector, InternationalDomainsAreQueriedAsALabels) {
    txt("s1._domainkey.xn--bcher-kva.example", "p=");
    const auto c = dkim_check_selector(*dns, "b\xC3\xBC" "cher.example", "s1");
    EXPECT_EQ(c.name, "s1._domainkey.xn--bcher-kva.example");
    ASSERT_TRUE(c.key);
}

TEST_F(DkimSelector, Json) {
    cname("tok1._domainkey.example.com", "tok1.dkim.amazonses.com");
    txt("tok1.dkim.amazonses.com", "p=" + rsa_spki_b64(1024));
    std::string out;
    JsonWriter w(out);
    write_dkim_selector_json(w, dkim_check_selector(*dns, "example.com", "tok1", DkimProviderRules::ses_easy_dkim()));
    ASSERT_TRUE(json_parse(out, 1 << 20)) << out;
    EXPECT_THAT(out, HasSubstr(R"("name":"tok1._domainkey.example.com","dns_status":"ok")"));
    EXPECT_THAT(out, HasSubstr(R"("cnames":["tok1.dkim.amazonses.com"])"));
    EXPECT_THAT(out, HasSubstr(R"("bits":1024)"));
    EXPECT_THAT(out, HasSubstr(R"("queries":1,"ok":true,"findings":[{"code":"dkim.short_key")"));

    std::string bad;
    JsonWriter wb(bad);
    write_dkim_selector_json(wb, dkim_check_selector(*dns, "not a domain", "s"));
    ASSERT_TRUE(json_parse(bad, 1 << 20)) << bad;
    EXPECT_THAT(bad, HasSubstr(R"("dns_status":null)"));
    EXPECT_THAT(bad, HasSubstr(R"("key":null)"));
}

}  // namespace
}  // namespace presend
