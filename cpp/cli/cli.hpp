// The presend command. It uses only the public C API (presend.h), like any
// other host, plus cJSON to print decisions readably.
#pragma once

#include <presend/presend.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace presend::cli {

// Exit codes (README, "Command line").
enum Exit : int {
    kExitOk = 0,
    kExitError = 1,
    kExitUsage = 2,
    kExitBlock = 10,
    kExitDefer = 11,
    kExitPartial = 12,
};

struct Args {
    std::vector<std::string> positional;               // after the command words
    std::map<std::string, std::vector<std::string>> options;  // --name value (repeatable)
    std::vector<std::string> flags;                    // --name without value
    std::optional<std::string> config, db;
    bool json = false;

    bool flag(const std::string &name) const;
    std::optional<std::string> opt(const std::string &name) const;   // at most once
    std::vector<std::string> all(const std::string &name) const;     // repeatable
};

// Thrown for usage errors (exit 2) and operational errors (exit 1).
struct UsageError {
    std::string message;
};
struct CliError {
    std::string message;
    int exit = kExitError;
};

// An open engine, freed on scope exit.
class EngineHandle {
public:
    EngineHandle(const Args &args, bool read_only = false);
    ~EngineHandle() { presend_engine_free(e_); }
    EngineHandle(const EngineHandle &) = delete;
    EngineHandle &operator=(const EngineHandle &) = delete;
    presend_engine *get() const noexcept { return e_; }
    // Throws CliError with the engine's message when st is an error.
    void ok(presend_status st, const std::string &what) const;

private:
    presend_engine *e_ = nullptr;
};

// An owned string from the C API.
struct Owned {
    char *p = nullptr;
    ~Owned() { presend_free(p); }
    std::string str() const { return p != nullptr ? std::string(p) : std::string(); }
};

int exit_for_verdict(presend_verdict v);
std::string read_input(const std::string &path);  // "-" is standard input
void print_decision(const presend_decision *d, bool json);

// A JSON string literal (invalid UTF-8 replaced by U+FFFD).
std::string json_string(std::string_view s);
void print_json_or(const Args &a, const std::string &json, const std::string &text);
std::string pretty(const std::string &json);
void allow_only(const Args &a, std::initializer_list<const char *> names);
// Throws UsageError("usage: presend " + usage) unless min <= positional <= max.
void need_positional(const Args &a, size_t min, size_t max, const char *usage);

int cmd_demo(const Args &args);
int cmd_auth(const Args &args);
int cmd_iam(const Args &args);  // iam.cpp
// feedback.cpp
int cmd_events(const Args &args);
int cmd_pause(const Args &args);
int cmd_resume(const Args &args);
int cmd_reputation(const Args &args);
int cmd_audit(const Args &args);
int cmd_report(const Args &args);

}  // namespace presend::cli
