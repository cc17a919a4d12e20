// The shared test vectors (tests/vectors/*.json, format in its README), run
// through the public C API only: the same cases every binding runs, so that
// the languages cannot drift from the engine or from each other.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <cjson/cJSON.h>

#include <presend/presend.h>

namespace {

namespace fs = std::filesystem;

struct JsonDeleter {
    void operator()(cJSON *j) const { cJSON_Delete(j); }
};
using Json = std::unique_ptr<cJSON, JsonDeleter>;

struct OwnedText {
    char *p = nullptr;
    ~OwnedText() { presend_free(p); }
};

std::vector<std::string> vector_files() {
    std::vector<std::string> files;
    for (const auto &entry : fs::directory_iterator(PRESEND_VECTORS_DIR)) {
        if (entry.path().extension() == ".json") files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string print(const cJSON *j) {
    char *text = cJSON_PrintUnformatted(j);
    std::string out = text != nullptr ? text : "";
    cJSON_free(text);
    return out;
}

const char *string_or_null(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : nullptr;
}

std::vector<std::string> sorted_codes(const cJSON *array) {
    std::vector<std::string> out;
    const cJSON *item = nullptr;
    cJSON_ArrayForEach(item, array) {
        if (cJSON_IsString(item)) out.emplace_back(item->valuestring);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> decision_codes(const presend_decision *d, size_t i) {
    std::vector<std::string> out;
    for (size_t j = 0; j < presend_decision_reason_count(d, i); ++j) out.emplace_back(presend_decision_reason_code(d, i, j));
    std::sort(out.begin(), out.end());
    return out;
}

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "presend-vector-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const std::string &path() const { return path_; }

private:
    std::string path_;
};

class Vector : public ::testing::TestWithParam<std::string> {};

void run_setup(presend_engine *e, const cJSON *step) {
    const cJSON *action = step->child;
    ASSERT_NE(action, nullptr) << "empty setup step";
    std::string kind = action->string;
    presend_status st = PRESEND_OK;
    if (kind == "consent_put") {
        std::string record = print(action);
        st = presend_consent_put(e, record.data(), record.size());
    } else if (kind == "suppression_put") {
        std::string record = print(action);
        st = presend_suppression_put(e, record.data(), record.size());
    } else if (kind == "events_ingest") {
        ASSERT_TRUE(cJSON_IsString(action)) << "events_ingest takes text";
        std::string text = action->valuestring;
        OwnedText report;
        st = presend_events_ingest(e, text.data(), text.size(), nullptr, &report.p);
    } else if (kind == "pause") {
        st = presend_pause(e, string_or_null(action, "account"), string_or_null(action, "region"),
                           string_or_null(action, "reason"), nullptr);
    } else {
        FAIL() << "unknown setup step " << kind;
    }
    ASSERT_EQ(st, PRESEND_OK) << kind << ": " << presend_engine_errmsg(e);
}

TEST_P(Vector, Passes) {
    Json doc(cJSON_Parse(read_file(GetParam()).c_str()));
    ASSERT_NE(doc, nullptr) << "not JSON: " << GetParam();
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(doc.get(), "config");
    ASSERT_TRUE(cJSON_IsObject(config));
    ASSERT_EQ(cJSON_GetObjectItemCaseSensitive(config, "store"), nullptr) << "vectors name no store";

    TempDir dir;
    std::string store = dir.path() + "/vector.db";
    presend_engine_options options;
    presend_engine_options_init(&options);
    options.store_path = store.c_str();
    std::string config_text = print(config);
    presend_engine *raw = nullptr;
    OwnedText err;
    ASSERT_EQ(presend_engine_open_json(&raw, config_text.data(), config_text.size(), &options, &err.p), PRESEND_OK)
        << (err.p != nullptr ? err.p : "");
    std::unique_ptr<presend_engine, void (*)(presend_engine *)> engine(raw, presend_engine_free);

    const cJSON *step = nullptr;
    cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(doc.get(), "setup")) {
        run_setup(engine.get(), step);
        if (HasFatalFailure()) return;
    }

    int n = 0;
    const cJSON *check = nullptr;
    cJSON_ArrayForEach(check, cJSON_GetObjectItemCaseSensitive(doc.get(), "checks")) {
        SCOPED_TRACE("check " + std::to_string(n++));
        std::string message = print(cJSON_GetObjectItemCaseSensitive(check, "message"));
        uint32_t flags = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(check, "dry_run")) ? PRESEND_CHECK_DRY_RUN : 0u;
        presend_decision *rawd = nullptr;
        ASSERT_EQ(presend_engine_check(engine.get(), message.data(), message.size(), flags, &rawd), PRESEND_OK)
            << presend_engine_errmsg(engine.get());
        std::unique_ptr<presend_decision, void (*)(presend_decision *)> d(rawd, presend_decision_free);
        const cJSON *expect = cJSON_GetObjectItemCaseSensitive(check, "expect");
        SCOPED_TRACE(presend_decision_json(d.get()));

        EXPECT_STREQ(presend_verdict_str(presend_decision_verdict(d.get())), string_or_null(expect, "verdict"));
        EXPECT_EQ(decision_codes(d.get(), PRESEND_MESSAGE_LEVEL),
                  sorted_codes(cJSON_GetObjectItemCaseSensitive(expect, "reasons")));
        const cJSON *recipients = cJSON_GetObjectItemCaseSensitive(expect, "recipients");
        ASSERT_EQ(presend_decision_recipient_count(d.get()), static_cast<size_t>(cJSON_GetArraySize(recipients)));
        size_t i = 0;
        const cJSON *r = nullptr;
        cJSON_ArrayForEach(r, recipients) {
            EXPECT_STREQ(presend_decision_recipient_address(d.get(), i), string_or_null(r, "address"));
            EXPECT_STREQ(presend_verdict_str(presend_decision_recipient_verdict(d.get(), i)), string_or_null(r, "verdict"))
                << string_or_null(r, "address");
            EXPECT_EQ(decision_codes(d.get(), i), sorted_codes(cJSON_GetObjectItemCaseSensitive(r, "reasons")))
                << string_or_null(r, "address");
            ++i;
        }
    }
    EXPECT_GT(n, 0) << "a vector needs at least one check";
}

std::string test_name(const ::testing::TestParamInfo<std::string> &info) {
    std::string name = fs::path(info.param).stem().string();
    for (char &c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(Shared, Vector, ::testing::ValuesIn(vector_files()), test_name);

}  // namespace
