// Test support for the feedback parsers: fixture files, an independent
// computation of the documented fingerprints, SNS envelopes built with cJSON.
#pragma once

#include <cjson/cJSON.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <stdlib.h>  // mkdtemp

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace presend::feedback::test {

inline std::string read_file(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) ADD_FAILURE() << "cannot read " << path;
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A file under tests/feedback/.
inline std::string fixture(std::string_view relative) {
    return read_file(std::filesystem::path(PRESEND_FEEDBACK_FIXTURES) / relative);
}

inline std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
        s.replace(pos, from.size(), to);
    }
    return s;
}

inline std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(kHex[md[i] >> 4]);
        out.push_back(kHex[md[i] & 15]);
    }
    return out;
}

// The fingerprint as the headers define it, written out independently:
// netstrings of the fields, hashed with SHA-256.
inline std::string documented_fingerprint(std::initializer_list<std::string_view> fields) {
    std::string canonical;
    for (std::string_view f : fields) canonical += std::to_string(f.size()) + ":" + std::string(f) + ",";
    return sha256_hex(canonical);
}

// An SNS Notification envelope around `message` (unsigned unless the
// caller adds signature fields).
inline std::string sns_wrap(const std::string &message, const std::vector<std::pair<std::string, std::string>> &extra = {},
                            std::string message_id = "5f3c2a1b-0000-4000-8000-000000000001") {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "Type", "Notification");
    cJSON_AddStringToObject(o, "MessageId", message_id.c_str());
    cJSON_AddStringToObject(o, "TopicArn", "arn:aws:sns:us-east-1:210987654321:ses-feedback");
    cJSON_AddStringToObject(o, "Message", message.c_str());
    cJSON_AddStringToObject(o, "Timestamp", "2026-05-01T00:00:01.000Z");
    for (const auto &[k, v] : extra) cJSON_AddStringToObject(o, k.c_str(), v.c_str());
    char *text = cJSON_PrintUnformatted(o);
    std::string out(text);
    cJSON_free(text);
    cJSON_Delete(o);
    return out;
}

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "presend-feedback-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data()) == nullptr) std::abort();
        path_ = buf.data();
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    const std::string &path() const { return path_; }
    void write(const std::string &relative, const std::string &content) const {
        const auto p = std::filesystem::path(path_) / relative;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << content;
    }

private:
    std::string path_;
};

}  // namespace presend::feedback::test
