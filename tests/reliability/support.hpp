// Support for the reliability suite: parameters from the environment, a
// seeded generator, temporary directories, engines opened through the C API,
// child processes, and reading a store the way an operator would (sqlite3
// directly: PRAGMA integrity_check, the decision rows).
//
// The tests use presend only through presend.h, as a mailer does.
#pragma once

#include <presend/presend.h>

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace reliability {

// --- parameters -------------------------------------------------------------------
//
// The fast part runs with the defaults; scripts/reliability raises them.

inline long param(const char *name, long fallback) {
    const char *v = std::getenv(name);
    if (v == nullptr || *v == '\0') return fallback;
    char *end = nullptr;
    long n = std::strtol(v, &end, 10);
    return end != nullptr && *end == '\0' && n > 0 ? n : fallback;
}

inline uint64_t seed() { return static_cast<uint64_t>(param("PRESEND_RELIABILITY_SEED", 20261102)); }

// One line of the run's summary: printed, and appended to
// $PRESEND_RELIABILITY_SUMMARY when set (scripts/reliability collects them).
inline void summary(const std::string &line) {
    std::printf("[reliability] %s\n", line.c_str());
    std::fflush(stdout);
    if (const char *path = std::getenv("PRESEND_RELIABILITY_SUMMARY"); path != nullptr && *path != '\0') {
        std::ofstream(path, std::ios::app) << line << "\n";
    }
}

// --- a deterministic generator (splitmix64) -------------------------------------------

class Rng {
public:
    explicit Rng(uint64_t seed) : s_(seed) {}
    uint64_t next() {
        uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [lo, hi].
    int64_t range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1)); }
    bool chance(int percent) { return range(0, 99) < percent; }
    template <class T>
    const T &pick(const std::vector<T> &v) { return v[static_cast<size_t>(range(0, static_cast<int64_t>(v.size()) - 1))]; }

private:
    uint64_t s_;
};

// --- files ------------------------------------------------------------------------------

class TempDir {
public:
    TempDir() {
        const char *tmp = std::getenv("TMPDIR");
        std::string tmpl = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/presend-reliability-XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data()) == nullptr) std::abort();
        path_ = buf.data();
        owner_ = ::getpid();
    }
    ~TempDir() {
        if (::getpid() != owner_) return;  // a forked child leaves it to the test
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    const std::string &path() const { return path_; }
    std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
    std::string path_;
    pid_t owner_;
};

// Appends one line with a single write(2) on a descriptor opened with
// O_APPEND: a process killed at any moment leaves whole lines (or none).
inline bool append_line(int fd, const std::string &line) {
    std::string l = line + "\n";
    return ::write(fd, l.data(), l.size()) == static_cast<ssize_t>(l.size());
}

inline int open_append(const std::string &path) { return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600); }

// The complete lines of a file (a last line without its newline is dropped).
inline std::vector<std::string> read_lines(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t nl; (nl = all.find('\n', start)) != std::string::npos; start = nl + 1) out.push_back(all.substr(start, nl - start));
    return out;
}

inline std::vector<std::string> split(const std::string &s, char sep = ' ') {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string part; std::getline(in, part, sep);) out.push_back(part);
    return out;
}

// --- the C API -----------------------------------------------------------------------------

// Text presend returned as owned, copied and released.
inline std::string take(char *p) {
    std::string s = p != nullptr ? p : "";
    presend_free(p);
    return s;
}

struct EngineFree {
    void operator()(presend_engine *e) const { presend_engine_free(e); }
};
using Engine = std::unique_ptr<presend_engine, EngineFree>;

struct DecisionFree {
    void operator()(presend_decision *d) const { presend_decision_free(d); }
};
using Decision = std::unique_ptr<presend_decision, DecisionFree>;

struct BatchFree {
    void operator()(presend_batch *b) const { presend_batch_free(b); }
};
using Batch = std::unique_ptr<presend_batch, BatchFree>;

struct OpenOptions {
    std::string store;
    presend_clock_fn clock = nullptr;
    void *clock_user_data = nullptr;
};

// Opens an engine; on failure returns NULL and puts the reason in *why.
inline Engine open_engine(const std::string &config, const OpenOptions &o, std::string *why = nullptr) {
    presend_engine_options opts;
    presend_engine_options_init(&opts);
    opts.store_path = o.store.c_str();
    opts.clock = o.clock;
    opts.clock_user_data = o.clock_user_data;
    presend_engine *e = nullptr;
    char *err = nullptr;
    presend_status st = presend_engine_open_json(&e, config.data(), config.size(), &opts, &err);
    std::string text = take(err);
    if (st != PRESEND_OK && why != nullptr) *why = std::string(presend_status_str(st)) + ": " + text;
    return Engine(e);
}

// A transactional message to `to` (no consent or unsubscribe rules apply).
inline std::string txn_message(const std::vector<std::string> &to) {
    std::string m = R"({"from": "App <app@example.com>", "stream": "transactional", "to": [)";
    for (size_t i = 0; i < to.size(); ++i) m += (i ? ", \"" : "\"") + to[i] + "\"";
    return m + "]}";
}

// `n` distinct recipients named after `tag`.
inline std::vector<std::string> recipients(const std::string &tag, int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(tag + "-" + std::to_string(i) + "@example.org");
    return out;
}

// Recipients a decision allows (what the mailer sends to).
inline int allowed_recipients(const presend_decision *d) {
    int n = 0;
    for (size_t i = 0; i < presend_decision_recipient_count(d); ++i) n += presend_decision_recipient_verdict(d, i) == PRESEND_ALLOW;
    return n;
}

// True when any recipient or the message carries `code`.
inline bool has_reason(const presend_decision *d, const char *code) {
    auto in = [&](size_t i) {
        for (size_t j = 0; j < presend_decision_reason_count(d, i); ++j) {
            if (std::strcmp(presend_decision_reason_code(d, i, j), code) == 0) return true;
        }
        return false;
    };
    for (size_t i = 0; i < presend_decision_recipient_count(d); ++i) {
        if (in(i)) return true;
    }
    return in(PRESEND_MESSAGE_LEVEL);
}

// --- JSON (cJSON) ---------------------------------------------------------------------------

struct JsonFree {
    void operator()(cJSON *j) const { cJSON_Delete(j); }
};
using Json = std::unique_ptr<cJSON, JsonFree>;

inline Json parse_json(const std::string &text) { return Json(cJSON_ParseWithLength(text.data(), text.size())); }

// A number field of a JSON object; `fallback` when absent.
inline int64_t json_int(const std::string &text, const char *field, int64_t fallback = -1) {
    Json j = parse_json(text);
    const cJSON *v = j ? cJSON_GetObjectItemCaseSensitive(j.get(), field) : nullptr;
    return cJSON_IsNumber(v) ? static_cast<int64_t>(v->valuedouble) : fallback;
}

inline bool json_true(const std::string &text, const char *field) {
    Json j = parse_json(text);
    return j && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j.get(), field));
}

// The ledger's own count: presend_quota_status's "sent_24h" (-1 on error).
inline int64_t sent_24h(presend_engine *e) {
    char *json = nullptr;
    if (presend_quota_status(e, nullptr, nullptr, &json) != PRESEND_OK) return -1;
    return json_int(take(json), "sent_24h");
}

// presend_audit_verify's answer ("" when the call failed).
inline std::string audit_verify(presend_engine *e) {
    char *json = nullptr;
    if (presend_audit_verify(e, &json) != PRESEND_OK) return "";
    return take(json);
}

// --- the store, read with sqlite3 directly ---------------------------------------------

class Sqlite {
public:
    explicit Sqlite(const std::string &path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db_);
        }
        sqlite3_busy_timeout(db_, 10000);
    }
    ~Sqlite() { sqlite3_close(db_); }
    Sqlite(const Sqlite &) = delete;
    Sqlite &operator=(const Sqlite &) = delete;

    // Every row of a query as text columns.
    std::vector<std::vector<std::string>> rows(const std::string &sql) {
        std::vector<std::vector<std::string>> out;
        sqlite3_stmt *s = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
            return out;
        }
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            std::vector<std::string> row;
            for (int i = 0; i < sqlite3_column_count(s); ++i) {
                const auto *t = reinterpret_cast<const char *>(sqlite3_column_text(s, i));
                row.emplace_back(t != nullptr ? t : "NULL");
            }
            out.push_back(std::move(row));
        }
        if (rc != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
        sqlite3_finalize(s);
        return out;
    }
    int64_t integer(const std::string &sql) {
        auto r = rows(sql);
        return r.empty() || r[0].empty() || r[0][0] == "NULL" ? 0 : std::stoll(r[0][0]);
    }
    // "ok", or what SQLite found.
    std::string integrity() {
        std::string out;
        for (auto &row : rows("PRAGMA integrity_check")) out += (out.empty() ? "" : "; ") + row[0];
        return out;
    }

private:
    sqlite3 *db_ = nullptr;
};

struct StoredDecision {
    int64_t reserved = 0;
    bool released = false;
    int64_t created_at = 0;
    std::string verdict;
};

inline std::map<std::string, StoredDecision> stored_decisions(const std::string &store) {
    std::map<std::string, StoredDecision> out;
    Sqlite db(store);
    for (auto &r : db.rows("SELECT id, reserved, released_at IS NOT NULL, created_at, verdict FROM decision")) {
        out[r[0]] = StoredDecision{std::stoll(r[1]), r[2] == "1", std::stoll(r[3]), r[4]};
    }
    return out;
}

// --- child processes -------------------------------------------------------------------------

// Forks a child that runs `body` and exits with its result (255 when it
// throws). The child never returns into the test.
template <class F>
pid_t spawn(F &&body) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        int code = 255;
        try {
            code = body();
        } catch (const std::exception &e) {
            std::fprintf(stderr, "child %d: %s\n", static_cast<int>(::getpid()), e.what());
        } catch (...) {
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    return pid;
}

// Waits for every child. A child still running after `limit` is taken to be
// hung (a deadlock, not slowness: the limit is minutes): it is killed and
// reported. Returns the wait statuses, in order.
inline std::vector<int> wait_all(const std::vector<pid_t> &pids, std::chrono::seconds limit, std::vector<pid_t> *hung = nullptr) {
    std::vector<int> status(pids.size(), -1);
    auto deadline = std::chrono::steady_clock::now() + limit;
    size_t left = pids.size();
    while (left > 0) {
        for (size_t i = 0; i < pids.size(); ++i) {
            if (status[i] != -1) continue;
            int st = 0;
            if (::waitpid(pids[i], &st, WNOHANG) == pids[i]) {
                status[i] = st;
                --left;
            }
        }
        if (left == 0) break;
        if (std::chrono::steady_clock::now() > deadline) {
            for (size_t i = 0; i < pids.size(); ++i) {
                if (status[i] != -1) continue;
                if (hung != nullptr) hung->push_back(pids[i]);
                ::kill(pids[i], SIGKILL);
                ::waitpid(pids[i], &status[i], 0);
                --left;
            }
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return status;
}

inline bool exited_ok(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

inline std::string describe(int status) {
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("signal ") + strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}

}  // namespace reliability
