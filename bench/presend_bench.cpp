// presend_bench: the benchmark of issue "Foundation".
//
// It uses presend only through the public C API, the way a host does, and
// measures, against a store of (by default) 1,000,000 consent records and
// 10,000 suppressions, with 5 recipients per message:
//   - messages/s and per-call latency of dry-run checks and of checks that
//     reserve quota, in one process;
//   - the same with N processes (default 4) sharing the store;
//   - the peak memory of every process, split into anonymous memory (the
//     heap, SQLite's page caches) and file-backed pages;
//   - with the library's own counting (presend_quota_status), that the quota
//     reserved equals the recipients the decisions allowed.
// See README.md for how to run it and how to read the figures.
//
// Process layout: the coordinator (main) never opens an engine before the
// workers exist. It builds or validates the store in a child process, forks
// every worker while its own heap is still small, and only then opens an
// engine of its own to read the quota counters. Each worker opens its own
// engine after the fork. Workers start each step together when the
// coordinator closes that step's "go" pipe, and report back through a "done"
// pipe; figures and latencies travel through a shared anonymous mapping,
// which a worker's RssShmem shows apart from its RssAnon.
#include <presend/presend.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "bench_data.hpp"

#ifndef PRESEND_BENCH_COMPILER
#define PRESEND_BENCH_COMPILER "unknown"
#endif
#ifndef PRESEND_BENCH_BUILD_TYPE
#define PRESEND_BENCH_BUILD_TYPE "unknown"
#endif
#ifndef PRESEND_BENCH_SQLITE_BUILD_VERSION
#define PRESEND_BENCH_SQLITE_BUILD_VERSION "unknown"
#endif

namespace {

using namespace presend_bench;

// --- targets of issue "Foundation" --------------------------------------------------

constexpr double kTargetDryRunPerSecond = 20000;
constexpr double kTargetReservePerSecond = 5000;
constexpr double kTargetP99Ms = 2.0;
constexpr double kTargetAnonMiB = 100;

// --- options ---------------------------------------------------------------------

struct Options {
    std::string dir = "bench-data";
    int64_t records = 1000000;
    int64_t suppressions = 10000;
    int64_t domains = 1000;
    int recipients = 5;
    int64_t messages = 0;  // per phase, all processes together; 0: run for `seconds`
    double seconds = 10;
    int64_t warmup = 2000;  // untimed dry-run checks per process before the first phase
    double rate = 0;        // messages/s of a group, paced (open loop); 0: as fast as possible
    int processes = 4;      // the multi-process group; 0: none
    bool single = true;     // the single-process group
    bool dry = true;
    bool reserve = true;
    double unknown_pct = 2.0;
    uint64_t seed = 1;
    bool frequency = false;  // off by default, as in the product
    bool decision_json = false;
    std::string plugins_dir;  // load both shipped plugins from here
    std::string redis_url;    // the quota ledger on Redis at this URL; empty: SQLite
    std::string redis_prefix;  // of the Redis ledger's keys: unique to the run
    bool separate_stores = false;  // every worker its own copy of the store, as hosts of a fleet
    bool quota_only = false;       // every check off but quota
    bool fresh = false;
    bool setup_only = false;
    bool quick = false;
    std::string json_path;
    std::string note;
};

constexpr const char *kUsage =
    "usage: presend_bench [options]\n"
    "\n"
    "Builds (or reuses) a store of consent records and suppressions, then measures\n"
    "dry-run checks and quota-reserving checks in one process and in several\n"
    "processes sharing the store. Prints a table; --json writes every figure.\n"
    "\n"
    "  --dir DIR            directory of the store (default: bench-data)\n"
    "  --records N          consent records (default: 1000000)\n"
    "  --suppressions N     suppressed addresses (default: 10000)\n"
    "  --domains N          recipient domains (default: 1000)\n"
    "  --recipients N       recipients per message (default: 5)\n"
    "  --messages N         messages per phase, all processes together (default: run for --seconds)\n"
    "  --seconds S          duration of each phase when --messages is not given (default: 10)\n"
    "  --warmup N           untimed dry-run checks per process before measuring (default: 2000)\n"
    "  --rate R             offer R messages/s per group, paced (default: as fast as possible)\n"
    "  --processes N        processes of the shared-store group; 0 skips it (default: 4)\n"
    "  --no-single          skip the single-process group\n"
    "  --phases LIST        dry,reserve or one of them (default: dry,reserve)\n"
    "  --unknown-pct P      percent of recipients without a consent record (default: 2)\n"
    "  --frequency          also enforce the frequency check (off by default, as in presend;\n"
    "                       the cap is never reached, so it only adds its reads and writes)\n"
    "  --plugins DIR        load both shipped plugins (region_policy, iam_least_privilege) from DIR\n"
    "                       and enforce them; compare with a run without to see their cost\n"
    "  --decision-json      also render each decision as JSON inside the timed call\n"
    "  --redis URL          keep the quota ledger on Redis (fleet mode), e.g. redis://127.0.0.1:6379/0,\n"
    "                       under a key prefix unique to the run\n"
    "  --separate-stores    give every worker process its own copy of the store, as the hosts of a\n"
    "                       fleet have (they share Redis, not a file); default: one shared store\n"
    "  --quota-only         enforce only the quota check (recipient, consent, suppression,\n"
    "                       unsubscribe and frequency off); with --recipients 1 --phases reserve,\n"
    "                       each check is one reservation plus what presend does around it\n"
    "  --seed N             seed of the recipient choice (default: 1)\n"
    "  --fresh              rebuild the store even if a matching one exists\n"
    "  --setup-only         build or check the store, then stop\n"
    "  --quick              a tiny run (10,000 records, 2,000 messages per phase, 2 processes)\n"
    "  --json FILE          write all figures, the parameters and the machine as JSON\n"
    "  --note TEXT          a free-form note stored in the JSON (e.g. the revision)\n"
    "  --help               this text\n";

[[noreturn]] __attribute__((format(printf, 1, 2))) void usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::fputs("presend_bench: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputs("\n(see presend_bench --help)\n", stderr);
    va_end(ap);
    std::exit(2);
}

int64_t parse_int(const std::string &name, const std::string &v, int64_t min, int64_t max) {
    char *end = nullptr;
    errno = 0;
    long long x = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0 || x < min || x > max) {
        usage_error("%s needs an integer in [%" PRId64 ", %" PRId64 "], not \"%s\"", name.c_str(), min, max, v.c_str());
    }
    return x;
}

double parse_double(const std::string &name, const std::string &v, double min, double max) {
    char *end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(x >= min && x <= max)) {
        usage_error("%s needs a number in [%g, %g], not \"%s\"", name.c_str(), min, max, v.c_str());
    }
    return x;
}

Options parse_options(int argc, char **argv) {
    Options o;
    // --quick first, so that explicit options given with it still win.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quick") == 0) {
            o.quick = true;
            o.records = 10000;
            o.suppressions = 100;
            o.domains = 100;
            o.messages = 2000;
            o.warmup = 200;
            o.processes = 2;
        }
    }
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string value;
        bool has_value = false;
        if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            has_value = true;
        }
        auto need = [&]() -> std::string {
            if (has_value) return value;
            if (i + 1 >= argc) usage_error("%s needs a value", arg.c_str());
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        } else if (arg == "--quick") {
        } else if (arg == "--dir") {
            o.dir = need();
        } else if (arg == "--records") {
            o.records = parse_int(arg, need(), 1, 100000000);
        } else if (arg == "--suppressions") {
            o.suppressions = parse_int(arg, need(), 0, 100000000);
        } else if (arg == "--domains") {
            o.domains = parse_int(arg, need(), 1, 10000000);
        } else if (arg == "--recipients") {
            o.recipients = static_cast<int>(parse_int(arg, need(), 1, 50));
        } else if (arg == "--messages") {
            o.messages = parse_int(arg, need(), 1, 1000000000);
        } else if (arg == "--seconds") {
            o.seconds = parse_double(arg, need(), 0.1, 3600);
            o.messages = 0;
        } else if (arg == "--warmup") {
            o.warmup = parse_int(arg, need(), 0, 100000000);
        } else if (arg == "--rate") {
            o.rate = parse_double(arg, need(), 0, 1e7);
        } else if (arg == "--processes") {
            o.processes = static_cast<int>(parse_int(arg, need(), 0, 64));
        } else if (arg == "--no-single") {
            o.single = false;
        } else if (arg == "--phases") {
            std::string v = need();
            o.dry = o.reserve = false;
            size_t pos = 0;
            while (pos <= v.size()) {
                size_t comma = v.find(',', pos);
                if (comma == std::string::npos) comma = v.size();
                std::string p = v.substr(pos, comma - pos);
                if (p == "dry") o.dry = true;
                else if (p == "reserve") o.reserve = true;
                else usage_error("--phases takes dry and/or reserve, not \"%s\"", p.c_str());
                pos = comma + 1;
            }
        } else if (arg == "--unknown-pct") {
            o.unknown_pct = parse_double(arg, need(), 0, 100);
        } else if (arg == "--frequency") {
            o.frequency = true;
        } else if (arg == "--plugins") {
            o.plugins_dir = need();
        } else if (arg == "--decision-json") {
            o.decision_json = true;
        } else if (arg == "--redis") {
            o.redis_url = need();
            if (o.redis_url.rfind("redis://", 0) != 0) {
                usage_error("--redis takes a redis:// URL, not \"%s\"", o.redis_url.c_str());
            }
        } else if (arg == "--separate-stores") {
            o.separate_stores = true;
        } else if (arg == "--quota-only") {
            o.quota_only = true;
        } else if (arg == "--seed") {
            o.seed = static_cast<uint64_t>(parse_int(arg, need(), 0, INT64_MAX));
        } else if (arg == "--fresh") {
            o.fresh = true;
        } else if (arg == "--setup-only") {
            o.setup_only = true;
        } else if (arg == "--json") {
            o.json_path = need();
        } else if (arg == "--note") {
            o.note = need();
        } else {
            usage_error("unknown option \"%s\"", arg.c_str());
        }
    }
    if (!o.single && o.processes == 0) usage_error("--no-single with --processes 0 leaves nothing to measure");
    if (!o.redis_url.empty()) {
        // The coordinator's pid and the time: no two runs count into the
        // same keys, so none sees another's reservations.
        o.redis_prefix = "presend-bench:" + std::to_string(::getpid()) + "." +
                         std::to_string(static_cast<long long>(::time(nullptr))) + ":";
    }
    if (!o.plugins_dir.empty()) {
        // Workers may chdir nowhere, but the JSON names the directory: make it absolute.
        char *real = ::realpath(o.plugins_dir.c_str(), nullptr);
        if (real == nullptr) usage_error("--plugins: cannot use \"%s\": %s", o.plugins_dir.c_str(), std::strerror(errno));
        o.plugins_dir = real;
        std::free(real);
    }
    return o;
}

// --- small helpers ------------------------------------------------------------------

int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void copy_text(char *dst, size_t cap, const std::string &src) {
    size_t n = std::min(cap - 1, src.size());
    std::memcpy(dst, src.data(), n);
    dst[n] = '\0';
}

__attribute__((format(printf, 1, 2))) std::string fmt(const char *f, ...) {
    va_list ap, again;
    va_start(ap, f);
    va_copy(again, ap);
    int n = std::vsnprintf(nullptr, 0, f, ap);
    va_end(ap);
    std::string out(n > 0 ? static_cast<size_t>(n) : 0, '\0');
    if (n > 0) std::vsnprintf(out.data(), out.size() + 1, f, again);
    va_end(again);
    return out;
}

// 1234567 -> "1,234,567"
std::string grouped(double v) {
    auto n = static_cast<long long>(std::llround(v));
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return n < 0 ? "-" + out : out;
}

bool file_exists(const std::string &path) {
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0;
}

int64_t file_size(const std::string &path) {
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

void make_dirs(const std::string &dir) {
    std::string partial;
    size_t pos = 0;
    while (pos <= dir.size()) {
        size_t slash = dir.find('/', pos);
        if (slash == std::string::npos) slash = dir.size();
        partial = dir.substr(0, slash);
        if (!partial.empty() && ::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
            std::fprintf(stderr, "presend_bench: cannot create %s: %s\n", partial.c_str(), std::strerror(errno));
            std::exit(1);
        }
        pos = slash + 1;
    }
}

std::string read_small_file(const char *path) {
    std::string out;
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return out;
}

// Finds `"key":` in flat JSON and reads the integer after it.
bool json_int_field(const char *json, const char *key, int64_t &out) {
    if (json == nullptr) return false;
    std::string needle = std::string("\"") + key + "\":";
    const char *p = std::strstr(json, needle.c_str());
    if (p == nullptr) return false;
    out = std::strtoll(p + needle.size(), nullptr, 10);
    return true;
}

std::string json_escape(const std::string &s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) out += fmt("\\u%04x", c);
                else out.push_back(c);
        }
    }
    return out;
}

// redis://user:secret@host/0 -> redis://***@host/0: reports never show a password.
std::string redacted_url(const std::string &url) {
    size_t at = url.rfind('@');
    if (at == std::string::npos) return url;
    size_t scheme = url.find("://");
    size_t from = scheme == std::string::npos ? 0 : scheme + 3;
    return url.substr(0, from) + "***" + url.substr(at);
}

// --- memory -----------------------------------------------------------------------

// Figures of /proc/self/status, in KiB. RssAnon is the process's private
// memory (heap, stacks, SQLite's page cache); RssFile the pages of mapped
// files (the program, its libraries, SQLite's -shm index); RssShmem shared
// anonymous memory (here only the driver's result area).
struct Mem {
    int64_t rss_kb = 0, hwm_kb = 0, anon_kb = 0, file_kb = 0, shmem_kb = 0;
};

Mem read_mem() {
    // Read with a stack buffer and no allocation, so that measuring does not
    // move what is measured.
    Mem m;
    int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return m;
    char buf[8192];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return m;
    buf[n] = '\0';
    auto field = [&](const char *name) -> int64_t {
        const char *p = std::strstr(buf, name);
        return p != nullptr ? std::strtoll(p + std::strlen(name), nullptr, 10) : 0;
    };
    m.rss_kb = field("VmRSS:");
    m.hwm_kb = field("VmHWM:");
    m.anon_kb = field("RssAnon:");
    m.file_kb = field("RssFile:");
    m.shmem_kb = field("RssShmem:");
    return m;
}

// The machine's CPU time (all CPUs) from /proc/stat, in seconds: busy
// (user, nice, system, irq, softirq) and stolen by the hypervisor. The
// difference between the machine's busy time over a phase and the workers'
// own CPU time is what other processes used: the noise of the measurement.
struct MachineCpu {
    double busy = 0, steal = 0;
};

MachineCpu read_machine_cpu() {
    MachineCpu m;
    std::string stat = read_small_file("/proc/stat");
    unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (std::sscanf(stat.c_str(), "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system, &idle, &iowait,
                    &irq, &softirq, &steal) >= 4) {
        double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
        m.busy = static_cast<double>(user + nice + system + irq + softirq) / tick;
        m.steal = static_cast<double>(steal) / tick;
    }
    return m;
}

int64_t maxrss_kb() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

// --- shared result area ------------------------------------------------------------

constexpr int kMaxReasons = 40;
constexpr int kMaxWorkers = 65;

struct ReasonCount {
    char code[48];
    uint64_t count;
};

struct PhaseStats {
    uint64_t messages, recipients, allowed_recipients, errors;
    uint64_t verdicts[4];            // per message: allow, partial, block, defer
    uint64_t recipient_verdicts[4];  // per recipient
    int64_t start_ns, end_ns;
    uint64_t latencies;  // entries written to this phase's latency array
    int32_t truncated;   // the latency array was full
    int32_t first_error_status;
    char first_error[240];
    int64_t peak_anon_kb;  // sampled during the phase
    // getrusage deltas over the phase: CPU time does not depend on how busy
    // the machine is; voluntary switches count waits (locks, sleeps in
    // SQLite's busy handler, I/O), involuntary ones preemption by others.
    int64_t user_us, sys_us, voluntary_switches, involuntary_switches;
    ReasonCount recipient_reasons[kMaxReasons];
    ReasonCount message_reasons[kMaxReasons];
};

struct WorkerSlot {
    int32_t pid;
    int32_t failed;
    char error[256];
    Mem at_start;       // before the engine is opened
    Mem after_open;     // after opening the engine and the warm-up
    Mem at_end;         // after the last phase, engine still open
    int64_t maxrss_kb;  // getrusage ru_maxrss at the end
    int64_t peak_anon_kb;
    PhaseStats phase[2];  // 0: dry run, 1: reserving
};

struct SetupInfo {
    int32_t failed;
    int32_t reused;
    char error[256];
    double seconds, build_seconds, import_seconds, suppress_seconds, copy_seconds;
    int64_t imported, rejected, suppressions;
    Mem at_end;
    int64_t maxrss_kb;
};

struct Shared {
    SetupInfo setup;
    WorkerSlot workers[kMaxWorkers];
};

enum PhaseKind { kDry = 0, kReserve = 1 };
const char *phase_name(int k) { return k == kDry ? "dry run" : "reserve quota"; }
const char *phase_key(int k) { return k == kDry ? "dry_run" : "reserve"; }

void count_reason(ReasonCount *table, const char *code) {
    for (int i = 0; i < kMaxReasons; ++i) {
        if (table[i].code[0] == '\0') {
            copy_text(table[i].code, sizeof table[i].code, code);
            table[i].count = 1;
            return;
        }
        if (std::strcmp(table[i].code, code) == 0) {
            ++table[i].count;
            return;
        }
    }
}

// --- the store -----------------------------------------------------------------------

// The population (consent records and suppressions) is built once and kept;
// every run measures a fresh copy of it, so that runs start from the same
// state: no decisions, send log or quota counts left by an earlier run.
std::string store_path(const Options &o) { return o.dir + "/consent-" + std::to_string(o.records) + ".db"; }
std::string run_path(const Options &o) { return o.dir + "/run-" + std::to_string(o.records) + ".db"; }
std::string meta_path(const Options &o) { return store_path(o) + ".bench"; }

// Worker slots: the single-process group's, then the multi-process group's.
int slot_count(const Options &o) { return (o.single ? 1 : 0) + o.processes; }

// The store a worker opens: the run's copy, shared by all, or with
// --separate-stores a copy of its own, as every host of a fleet has its own.
std::string worker_store_path(const Options &o, int slot) {
    if (!o.separate_stores) return run_path(o);
    return o.dir + "/run-" + std::to_string(o.records) + "-p" + std::to_string(slot) + ".db";
}

// Every store the run measures on.
std::vector<std::string> run_stores(const Options &o) {
    if (!o.separate_stores) return {run_path(o)};
    std::vector<std::string> out;
    for (int slot = 0; slot < slot_count(o); ++slot) out.push_back(worker_store_path(o, slot));
    return out;
}

// The bytes of the run's stores and their WALs.
int64_t stores_bytes(const Options &o) {
    int64_t n = 0;
    for (const std::string &path : run_stores(o)) n += file_size(path) + file_size(path + "-wal");
    return n;
}

void remove_store(const std::string &path) {
    for (const char *suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((path + suffix).c_str());
}

presend_bench::ConfigChoice config_choice(const Options &o) {
    presend_bench::ConfigChoice c;
    c.frequency = o.frequency;
    c.plugins_dir = o.plugins_dir;
    c.redis_url = o.redis_url;
    c.redis_prefix = o.redis_prefix;
    c.quota_only = o.quota_only;
    return c;
}

std::string meta_text(const Options &o, const std::string &schema) {
    return fmt("presend-bench store: generator %d, records %" PRId64 ", suppressions %" PRId64 ", domains %" PRId64
               ", %s\n",
               kGeneratorVersion, o.records, o.suppressions, o.domains, schema.c_str());
}

presend_engine *open_engine(const Options &o, const std::string &path, std::string &error);

// The schema this build of presend creates, read from the header of a new,
// empty store (SQLite file format: the schema cookie at offset 40, which
// every schema change increments, and user_version at offset 60). A
// population made by a build with another schema is rebuilt, not reused.
std::string schema_signature(const Options &o, std::string &error) {
    std::string probe = o.dir + "/schema-probe.db";
    auto remove = [&] {
        for (const char *suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((probe + suffix).c_str());
    };
    remove();
    presend_engine *e = open_engine(o, probe, error);
    if (e == nullptr) return "";
    presend_engine_free(e);  // the last connection checkpoints the header into the file
    std::string header;
    int fd = ::open(probe.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[100];
        if (::read(fd, buf, sizeof buf) == static_cast<ssize_t>(sizeof buf)) header.assign(buf, sizeof buf);
        ::close(fd);
    }
    remove();
    if (header.size() != 100) {
        error = "cannot read the header of " + probe;
        return "";
    }
    auto be32 = [&](size_t at) {
        return (static_cast<uint32_t>(static_cast<unsigned char>(header[at])) << 24) |
               (static_cast<uint32_t>(static_cast<unsigned char>(header[at + 1])) << 16) |
               (static_cast<uint32_t>(static_cast<unsigned char>(header[at + 2])) << 8) |
               static_cast<uint32_t>(static_cast<unsigned char>(header[at + 3]));
    };
    return fmt("schema cookie %u, user_version %u", be32(40), be32(60));
}

presend_engine *open_engine(const Options &o, const std::string &path, std::string &error) {
    std::string config = config_json(config_choice(o));
    presend_engine_options eo;
    presend_engine_options_init(&eo);
    eo.store_path = path.c_str();
    presend_engine *e = nullptr;
    char *err = nullptr;
    presend_status st = presend_engine_open_json(&e, config.data(), config.size(), &eo, &err);
    if (st != PRESEND_OK) {
        error = fmt("presend_engine_open_json: %s (%s)", presend_status_str(st), err != nullptr ? err : "");
        presend_free(err);
        return nullptr;
    }
    return e;
}

bool has_consent(presend_engine *e, const std::string &address) {
    char *json = nullptr;
    if (presend_consent_get(e, address.c_str(), kList, &json) != PRESEND_OK) return false;
    bool found = json != nullptr && std::strcmp(json, "[]") != 0;
    presend_free(json);
    return found;
}

// Copies a file with copy_file_range, and makes the copy durable so that its
// write-back does not overlap the measurement.
bool copy_file(const std::string &from, const std::string &to, std::string &error) {
    int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        error = "cannot open " + from + ": " + std::strerror(errno);
        return false;
    }
    int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        error = "cannot create " + to + ": " + std::strerror(errno);
        ::close(in);
        return false;
    }
    bool ok = true;
    while (true) {
        ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
        if (n == 0) break;
        if (n > 0) continue;
        if (errno == EINTR) continue;
        // Not supported between these files: copy through a buffer.
        std::vector<char> buf(1 << 20);
        ssize_t r;
        while ((r = ::read(in, buf.data(), buf.size())) > 0) {
            if (::write(out, buf.data(), static_cast<size_t>(r)) != r) {
                ok = false;
                break;
            }
        }
        ok = ok && r == 0;
        break;
    }
    ok = ok && ::fdatasync(out) == 0;
    if (!ok) error = "cannot copy " + from + " to " + to + ": " + std::strerror(errno);
    ::close(in);
    if (::close(out) != 0) ok = false;
    return ok;
}

// A copy of the population for the run, with its WAL if one was left
// behind. No engine has the population open at this point (the setup closed
// its own, the workers are not started), so the file and its WAL are at rest;
// the -shm index is never copied: SQLite rebuilds it from the WAL.
bool make_run_copy(const Options &o, const std::string &to, std::string &error) {
    std::string from = store_path(o);
    remove_store(to);
    if (!copy_file(from, to, error)) return false;
    if (file_size(from + "-wal") > 0 && !copy_file(from + "-wal", to + "-wal", error)) return false;
    return true;
}

// With the Redis ledger, one dry-run check before any worker starts: a Redis
// that cannot be reached makes every check defer (engine.unavailable), which
// would measure nothing but the timeout.
bool probe_ledger(const Options &o, std::string &error) {
    presend_engine *e = open_engine(o, store_path(o), error);
    if (e == nullptr) return false;
    std::string msg;
    Rng rng(o.seed);
    build_message(msg, rng, 1, o.records, o.domains, 0, "probe", 0);
    presend_decision *d = nullptr;
    presend_status st = presend_engine_check(e, msg.data(), msg.size(), PRESEND_CHECK_DRY_RUN, &d);
    bool ok = st == PRESEND_OK;
    if (!ok) error = fmt("probe check: %s: %s", presend_status_str(st), presend_engine_errmsg(e));
    for (size_t j = 0; ok && j < presend_decision_reason_count(d, PRESEND_MESSAGE_LEVEL); ++j) {
        if (std::strcmp(presend_decision_reason_code(d, PRESEND_MESSAGE_LEVEL, j), "engine.unavailable") == 0) {
            ok = false;
            error = "the Redis ledger at " + o.redis_url + " is unavailable: " + presend_decision_json(d);
        }
    }
    presend_decision_free(d);
    presend_engine_free(e);
    return ok;
}

void build_population(const Options &o, SetupInfo &info);

// Runs in its own process: builds the population, or checks that the stored
// one matches, then copies it for the run; reports into `info`.
void setup_store(const Options &o, SetupInfo &info) {
    int64_t t0 = now_ns();
    build_population(o, info);
    if (info.failed) return;
    int64_t t_copy = now_ns();
    std::string error;
    auto fail = [&] {
        info.failed = 1;
        copy_text(info.error, sizeof info.error, error);
    };
    if (!o.redis_url.empty() && !probe_ledger(o, error)) return fail();
    if (!o.setup_only) {
        for (const std::string &path : run_stores(o)) {
            if (!make_run_copy(o, path, error)) return fail();
        }
    }
    info.copy_seconds = static_cast<double>(now_ns() - t_copy) / 1e9;
    info.seconds = static_cast<double>(now_ns() - t0) / 1e9;
}

void build_population(const Options &o, SetupInfo &info) {
    int64_t t0 = now_ns();
    auto fail = [&](const std::string &why) {
        info.failed = 1;
        copy_text(info.error, sizeof info.error, why);
    };
    std::string path = store_path(o);
    std::string error;
    std::string schema = schema_signature(o, error);
    if (schema.empty()) return fail(error);
    bool reuse = !o.fresh && file_exists(path) && read_small_file(meta_path(o).c_str()) == meta_text(o, schema);
    if (reuse) {
        presend_engine *e = open_engine(o, path, error);
        if (e == nullptr) return fail(error);
        // The marker is written only after a complete build; check both ends
        // of the population anyway (a copied or truncated file).
        reuse = has_consent(e, subscriber_address(0, o.domains)) &&
                has_consent(e, subscriber_address(o.records - 1, o.domains)) &&
                !has_consent(e, subscriber_address(o.records, o.domains));
        presend_engine_free(e);
        if (reuse) {
            info.reused = 1;
            info.build_seconds = static_cast<double>(now_ns() - t0) / 1e9;
            info.at_end = read_mem();
            info.maxrss_kb = maxrss_kb();
            return;
        }
    }
    ::unlink(meta_path(o).c_str());
    for (const char *suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((path + suffix).c_str());

    presend_engine *e = open_engine(o, path, error);
    if (e == nullptr) return fail(error);
    // Import in chunks of 100,000 rows: each chunk is one transaction and
    // one buffer of about 10 MB.
    constexpr int64_t kChunk = 100000;
    std::string csv;
    int64_t t_import = now_ns();
    for (int64_t first = 0; first < o.records; first += kChunk) {
        int64_t last = std::min(o.records, first + kChunk);
        csv.assign(kCsvHeader);
        for (int64_t i = first; i < last; ++i) append_consent_csv(csv, i, o.domains);
        char *report = nullptr;
        presend_status st = presend_consent_import_data(e, csv.data(), csv.size(), PRESEND_IMPORT_CSV, &report);
        int64_t imported = 0, rejected = 0;
        bool ok = st == PRESEND_OK && json_int_field(report, "imported", imported) &&
                  json_int_field(report, "rejected", rejected);
        if (!ok || rejected != 0 || imported != last - first) {
            fail(fmt("consent import of rows %" PRId64 "..%" PRId64 ": %s %s %.120s", first, last - 1,
                     presend_status_str(st), presend_engine_errmsg(e), report != nullptr ? report : ""));
            presend_free(report);
            presend_engine_free(e);
            return;
        }
        presend_free(report);
        info.imported += imported;
    }
    info.import_seconds = static_cast<double>(now_ns() - t_import) / 1e9;
    csv.clear();
    csv.shrink_to_fit();

    int64_t t_supp = now_ns();
    int64_t n_supp = std::min(o.suppressions, o.records);
    for (int64_t k = 0; k < n_supp; ++k) {
        std::string j = suppression_json(k, o.records, o.domains);
        presend_status st = presend_suppression_put(e, j.data(), j.size());
        if (st != PRESEND_OK) {
            fail(fmt("presend_suppression_put: %s %s", presend_status_str(st), presend_engine_errmsg(e)));
            presend_engine_free(e);
            return;
        }
        ++info.suppressions;
    }
    info.suppress_seconds = static_cast<double>(now_ns() - t_supp) / 1e9;
    info.at_end = read_mem();
    info.maxrss_kb = maxrss_kb();
    presend_engine_free(e);  // the last connection to close checkpoints the WAL into the file

    std::string meta = meta_text(o, schema);
    FILE *f = std::fopen(meta_path(o).c_str(), "w");
    if (f == nullptr || std::fwrite(meta.data(), 1, meta.size(), f) != meta.size() || std::fclose(f) != 0) {
        return fail("cannot write " + meta_path(o));
    }
    info.build_seconds = static_cast<double>(now_ns() - t0) / 1e9;
}

// --- a worker -----------------------------------------------------------------------

struct Group {
    int first_slot = 0;  // index into Shared::workers
    int size = 0;
    int go[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};  // steps: 0 open + warm-up, 1 dry run, 2 reserve
    int done[2] = {-1, -1};
};

struct Layout {
    Shared *shared = nullptr;
    uint64_t *latencies = nullptr;  // [worker][phase][capacity]
    uint64_t capacity = 0;          // latencies per worker and phase
    uint64_t *lat(int worker, int phase) const {
        return latencies + (static_cast<uint64_t>(worker) * 2 + static_cast<uint64_t>(phase)) * capacity;
    }
};

void wait_go(int fd) {
    char c;
    while (true) {
        ssize_t n = ::read(fd, &c, 1);
        if (n == 0) return;  // closed by the coordinator: go
        if (n < 0 && errno != EINTR) return;
    }
}

void signal_done(int fd) {
    char c = 'd';
    while (::write(fd, &c, 1) < 0 && errno == EINTR) {
    }
}

// Runs one measured phase: messages are built between calls, outside the
// timed region; the timed region is what a host pays per message: the
// check, reading the verdicts (and the JSON with --decision-json), the free.
void run_phase(const Options &o, presend_engine *e, int kind, int64_t count, PhaseStats &st, uint64_t *lat,
               uint64_t capacity, Rng &rng, const std::string &id_prefix, int group_size) {
    const uint32_t flags = kind == kDry ? PRESEND_CHECK_DRY_RUN : 0u;
    const auto unknown_bp = static_cast<uint64_t>(std::llround(o.unknown_pct * 100));
    std::string msg;
    msg.reserve(2048);
    rusage ru0{};
    getrusage(RUSAGE_SELF, &ru0);
    int64_t start = now_ns();
    int64_t deadline = count > 0 ? INT64_MAX : start + static_cast<int64_t>(o.seconds * 1e9);
    int64_t t_end = start;
    // With --rate, each process offers its share on a fixed schedule of even
    // intervals (open loop): calls that fall behind after a stall go back to
    // back until the schedule is met again, as arrivals would.
    const int64_t interval = o.rate > 0 ? static_cast<int64_t>(1e9 * group_size / o.rate) : 0;
    int64_t next = start;
    st.start_ns = start;
    st.peak_anon_kb = read_mem().anon_kb;
    for (int64_t n = 0;; ++n) {
        if (count > 0 ? n >= count : t_end >= deadline) break;
        if (static_cast<uint64_t>(n) >= capacity) {
            st.truncated = 1;
            break;
        }
        build_message(msg, rng, o.recipients, o.records, o.domains, unknown_bp, id_prefix.c_str(),
                      static_cast<uint64_t>(n));
        if (interval > 0) {
            next += interval;
            timespec ts{static_cast<time_t>(next / 1000000000), static_cast<long>(next % 1000000000)};
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
            }
            if (count == 0 && now_ns() >= deadline) break;
        }
        presend_decision *d = nullptr;
        int64_t t0 = now_ns();
        presend_status rc = presend_engine_check(e, msg.data(), msg.size(), flags, &d);
        if (rc == PRESEND_OK && o.decision_json) (void)presend_decision_json(d);
        int64_t t1 = now_ns();
        if (rc != PRESEND_OK) {
            if (st.errors++ == 0) {
                st.first_error_status = rc;
                copy_text(st.first_error, sizeof st.first_error,
                          fmt("%s: %s", presend_status_str(rc), presend_engine_errmsg(e)));
            }
            lat[st.latencies++] = static_cast<uint64_t>(t1 - t0);
            ++st.messages;
            t_end = now_ns();
            continue;
        }
        presend_verdict v = presend_decision_verdict(d);
        size_t nr = presend_decision_recipient_count(d);
        if (v >= 0 && v < 4) ++st.verdicts[v];
        for (size_t i = 0; i < nr; ++i) {
            presend_verdict rv = presend_decision_recipient_verdict(d, i);
            if (rv >= 0 && rv < 4) ++st.recipient_verdicts[rv];
            if (rv == PRESEND_ALLOW) ++st.allowed_recipients;
            size_t nreasons = presend_decision_reason_count(d, i);
            for (size_t j = 0; j < nreasons; ++j) count_reason(st.recipient_reasons, presend_decision_reason_code(d, i, j));
        }
        size_t nm = presend_decision_reason_count(d, PRESEND_MESSAGE_LEVEL);
        for (size_t j = 0; j < nm; ++j) count_reason(st.message_reasons, presend_decision_reason_code(d, PRESEND_MESSAGE_LEVEL, j));
        st.recipients += nr;
        ++st.messages;
        int64_t t2 = now_ns();
        presend_decision_free(d);
        t_end = now_ns();
        lat[st.latencies++] = static_cast<uint64_t>((t1 - t0) + (t_end - t2));
        if ((n & 1023) == 1023) st.peak_anon_kb = std::max(st.peak_anon_kb, read_mem().anon_kb);
    }
    st.end_ns = now_ns();
    rusage ru1{};
    getrusage(RUSAGE_SELF, &ru1);
    auto us = [](const timeval &a, const timeval &b) {
        return (static_cast<int64_t>(b.tv_sec) - a.tv_sec) * 1000000 + (b.tv_usec - a.tv_usec);
    };
    st.user_us = us(ru0.ru_utime, ru1.ru_utime);
    st.sys_us = us(ru0.ru_stime, ru1.ru_stime);
    st.voluntary_switches = ru1.ru_nvcsw - ru0.ru_nvcsw;
    st.involuntary_switches = ru1.ru_nivcsw - ru0.ru_nivcsw;
    st.peak_anon_kb = std::max(st.peak_anon_kb, read_mem().anon_kb);
}

[[noreturn]] void worker_main(const Options &o, const Layout &lay, const Group &g, int slot, int index_in_group,
                              int64_t per_process_messages) {
    WorkerSlot &w = lay.shared->workers[slot];
    w.pid = static_cast<int32_t>(::getpid());
    w.at_start = read_mem();
    const int done_fd = g.done[1];

    wait_go(g.go[0][0]);
    std::string error;
    presend_engine *e = open_engine(o, worker_store_path(o, slot), error);
    if (e == nullptr) {
        w.failed = 1;
        copy_text(w.error, sizeof w.error, error);
        for (int s = 0; s < 3; ++s) signal_done(done_fd);
        ::_exit(1);
    }
    // Warm-up: dry runs, so that SQLite's cache and the allocator reach
    // their working state before anything is timed.
    Rng warm(o.seed * 7919 + static_cast<uint64_t>(slot) * 104729 + 1);
    std::string msg;
    const auto unknown_bp = static_cast<uint64_t>(std::llround(o.unknown_pct * 100));
    for (int64_t n = 0; n < o.warmup; ++n) {
        build_message(msg, warm, o.recipients, o.records, o.domains, unknown_bp, "warmup", static_cast<uint64_t>(n));
        presend_decision *d = nullptr;
        if (presend_engine_check(e, msg.data(), msg.size(), PRESEND_CHECK_DRY_RUN, &d) != PRESEND_OK) {
            w.failed = 1;
            copy_text(w.error, sizeof w.error, fmt("warm-up check failed: %s", presend_engine_errmsg(e)));
            presend_engine_free(e);
            for (int s = 0; s < 3; ++s) signal_done(done_fd);
            ::_exit(1);
        }
        presend_decision_free(d);
    }
    w.after_open = read_mem();
    w.peak_anon_kb = w.after_open.anon_kb;
    signal_done(done_fd);

    for (int kind = kDry; kind <= kReserve; ++kind) {
        wait_go(g.go[1 + kind][0]);
        bool enabled = kind == kDry ? o.dry : o.reserve;
        if (enabled) {
            Rng rng(o.seed * 1000003 + static_cast<uint64_t>(slot) * 7777 + static_cast<uint64_t>(kind) * 31 + 5);
            std::string prefix = fmt("bench.%d.%d.%d", static_cast<int>(::getpid()), index_in_group, kind);
            run_phase(o, e, kind, per_process_messages, w.phase[kind], lay.lat(slot, kind), lay.capacity, rng, prefix,
                      g.size);
            w.peak_anon_kb = std::max(w.peak_anon_kb, w.phase[kind].peak_anon_kb);
        }
        if (kind == kReserve) {
            w.at_end = read_mem();
            w.maxrss_kb = maxrss_kb();
        }
        signal_done(done_fd);
    }
    presend_engine_free(e);
    ::_exit(0);
}

// --- the coordinator -------------------------------------------------------------------

std::vector<pid_t> g_children;

void kill_children() {
    for (pid_t p : g_children) {
        if (p > 0) ::kill(p, SIGTERM);
    }
}

[[noreturn]] void die(const std::string &why) {
    std::fprintf(stderr, "presend_bench: %s\n", why.c_str());
    kill_children();
    std::exit(1);
}

// Waits until `n` workers of the group have reported the step done; fails
// if one of them exits or is killed on the way.
void wait_done(const Group &g, int n) {
    int got = 0;
    while (got < n) {
        pollfd p{g.done[0], POLLIN, 0};
        int r = ::poll(&p, 1, 500);
        if (r < 0 && errno != EINTR) die(fmt("poll: %s", std::strerror(errno)));
        if (r > 0) {
            char buf[64];
            ssize_t k = ::read(g.done[0], buf, std::min<size_t>(sizeof buf, static_cast<size_t>(n - got)));
            if (k > 0) got += static_cast<int>(k);
            continue;
        }
        for (pid_t &pid : g_children) {
            if (pid <= 0) continue;
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                pid_t gone = pid;
                pid = -1;
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                    die(fmt("worker %d ended unexpectedly (%s %d)", static_cast<int>(gone),
                            WIFSIGNALED(status) ? "signal" : "exit status",
                            WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status)));
                }
            }
        }
    }
}

struct PhaseResult {
    int kind = 0;
    int processes = 0;
    bool ran = false;
    uint64_t messages = 0, recipients = 0, allowed = 0, errors = 0;
    uint64_t verdicts[4] = {}, recipient_verdicts[4] = {};
    double seconds = 0, msgs_per_s = 0, rcpts_per_s = 0;
    double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;  // milliseconds
    bool truncated = false;
    double user_us = 0, sys_us = 0;  // CPU time of the workers, all together
    double machine_busy_s = 0, machine_steal_s = 0, wall_s = 0;  // the whole machine over the phase
    int64_t voluntary_switches = 0, involuntary_switches = 0;
    std::vector<std::pair<std::string, uint64_t>> recipient_reasons, message_reasons;
    std::string first_error;
    // Quota check (reserve phases): the library's count before and after.
    bool quota_read = false;
    int64_t sent_before = 0, sent_after = 0;
    struct PerProcess {
        int pid;
        uint64_t messages;
        double msgs_per_s, p50, p99, max;
    };
    std::vector<PerProcess> per_process;
};

double percentile(const std::vector<uint64_t> &sorted, double p) {
    if (sorted.empty()) return 0;
    // Nearest rank.
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    rank = std::clamp<size_t>(rank, 1, sorted.size());
    return static_cast<double>(sorted[rank - 1]) / 1e6;
}

void merge_reasons(std::vector<std::pair<std::string, uint64_t>> &into, const ReasonCount *table) {
    for (int i = 0; i < kMaxReasons && table[i].code[0] != '\0'; ++i) {
        auto it = std::find_if(into.begin(), into.end(), [&](const auto &p) { return p.first == table[i].code; });
        if (it == into.end()) into.emplace_back(table[i].code, table[i].count);
        else it->second += table[i].count;
    }
}

PhaseResult summarize(const Layout &lay, const Group &g, int kind) {
    PhaseResult r;
    r.kind = kind;
    r.processes = g.size;
    r.ran = true;
    std::vector<uint64_t> all;
    int64_t first_start = INT64_MAX, last_end = INT64_MIN;
    double sum = 0;
    for (int i = 0; i < g.size; ++i) {
        const WorkerSlot &w = lay.shared->workers[g.first_slot + i];
        const PhaseStats &s = w.phase[kind];
        r.messages += s.messages;
        r.recipients += s.recipients;
        r.allowed += s.allowed_recipients;
        r.errors += s.errors;
        for (int v = 0; v < 4; ++v) {
            r.verdicts[v] += s.verdicts[v];
            r.recipient_verdicts[v] += s.recipient_verdicts[v];
        }
        r.truncated = r.truncated || s.truncated != 0;
        r.user_us += static_cast<double>(s.user_us);
        r.sys_us += static_cast<double>(s.sys_us);
        r.voluntary_switches += s.voluntary_switches;
        r.involuntary_switches += s.involuntary_switches;
        if (r.first_error.empty() && s.first_error[0] != '\0') r.first_error = s.first_error;
        merge_reasons(r.recipient_reasons, s.recipient_reasons);
        merge_reasons(r.message_reasons, s.message_reasons);
        first_start = std::min(first_start, s.start_ns);
        last_end = std::max(last_end, s.end_ns);
        const uint64_t *lat = lay.lat(g.first_slot + i, kind);
        std::vector<uint64_t> mine(lat, lat + s.latencies);
        for (uint64_t x : mine) sum += static_cast<double>(x);
        std::sort(mine.begin(), mine.end());
        double secs = static_cast<double>(s.end_ns - s.start_ns) / 1e9;
        r.per_process.push_back({w.pid, s.messages, secs > 0 ? static_cast<double>(s.messages) / secs : 0,
                                 percentile(mine, 50), percentile(mine, 99), percentile(mine, 100)});
        all.insert(all.end(), mine.begin(), mine.end());
    }
    std::sort(all.begin(), all.end());
    r.seconds = last_end > first_start ? static_cast<double>(last_end - first_start) / 1e9 : 0;
    r.msgs_per_s = r.seconds > 0 ? static_cast<double>(r.messages) / r.seconds : 0;
    r.rcpts_per_s = r.seconds > 0 ? static_cast<double>(r.recipients) / r.seconds : 0;
    r.p50 = percentile(all, 50);
    r.p90 = percentile(all, 90);
    r.p99 = percentile(all, 99);
    r.p999 = percentile(all, 99.9);
    r.max = percentile(all, 100);
    r.mean = all.empty() ? 0 : sum / static_cast<double>(all.size()) / 1e6;
    auto by_count = [](const auto &a, const auto &b) { return a.second > b.second; };
    std::sort(r.recipient_reasons.begin(), r.recipient_reasons.end(), by_count);
    std::sort(r.message_reasons.begin(), r.message_reasons.end(), by_count);
    return r;
}

// The recipients the library has counted against the quota. The SQLite
// ledger's count is in presend_quota_status; that call reads the SQLite
// ledger even when the engine reserves on Redis, so the Redis ledger's count
// is read the way a check sees it: the quota snapshot of a dry-run decision,
// which reserves nothing but counts what it would have reserved (the
// recipients it allows), so those are taken off.
bool read_sent_24h(const Options &o, presend_engine *e, int64_t &out) {
    if (o.redis_url.empty()) {
        char *json = nullptr;
        presend_status st = presend_quota_status(e, kAccount, kRegion, &json);
        bool ok = st == PRESEND_OK && json_int_field(json, "sent_24h", out);
        presend_free(json);
        return ok;
    }
    std::string msg;
    Rng rng(o.seed);
    build_message(msg, rng, 1, o.records, o.domains, 0, "quota-probe", 0);
    presend_decision *d = nullptr;
    if (presend_engine_check(e, msg.data(), msg.size(), PRESEND_CHECK_DRY_RUN, &d) != PRESEND_OK) return false;
    const char *json = presend_decision_json(d);
    const char *quota = json != nullptr ? std::strstr(json, "\"quota\":{") : nullptr;
    bool ok = quota != nullptr && json_int_field(quota, "sent_24h", out);
    for (size_t i = 0; i < presend_decision_recipient_count(d); ++i) {
        if (presend_decision_recipient_verdict(d, i) == PRESEND_ALLOW) --out;
    }
    presend_decision_free(d);
    return ok;
}

// The engines the coordinator reads a group's quota count with: one, on the
// shared store or (Redis) on any store since the count is in Redis; with
// separate stores and the SQLite ledger, one per store, whose counts add up.
struct QuotaMonitor {
    std::vector<std::pair<std::string, presend_engine *>> engines;  // by store path

    ~QuotaMonitor() {
        for (auto &[path, e] : engines) presend_engine_free(e);
    }
    presend_engine *engine(const Options &o, const std::string &path, std::string &error) {
        for (auto &[p, e] : engines) {
            if (p == path) return e;
        }
        presend_engine *e = open_engine(o, path, error);
        if (e != nullptr) engines.emplace_back(path, e);
        return e;
    }
    std::vector<std::string> stores(const Options &o, int first_slot, int size) const {
        if (!o.separate_stores || !o.redis_url.empty()) return {worker_store_path(o, first_slot)};
        std::vector<std::string> out;
        for (int i = 0; i < size; ++i) out.push_back(worker_store_path(o, first_slot + i));
        return out;
    }
    bool read(const Options &o, int first_slot, int size, int64_t &out, std::string &error) {
        out = 0;
        for (const std::string &path : stores(o, first_slot, size)) {
            presend_engine *e = engine(o, path, error);
            int64_t n = 0;
            if (e == nullptr || !read_sent_24h(o, e, n)) return false;
            out += n;
        }
        return true;
    }
};

// --- the machine ------------------------------------------------------------------------

struct Machine {
    std::string cpu, kernel, os, compiler = PRESEND_BENCH_COMPILER, build_type = PRESEND_BENCH_BUILD_TYPE;
    std::string sqlite, presend;
    long cpus_online = 0;
    int cpus_allowed = 0;
    int64_t mem_total_kb = 0;
    double load1 = 0, load5 = 0;
};

std::string first_value(const std::string &text, const char *key) {
    size_t p = text.find(key);
    if (p == std::string::npos) return "";
    size_t colon = text.find(':', p);
    size_t nl = text.find('\n', p);
    if (colon == std::string::npos || colon > nl) return "";
    std::string v = text.substr(colon + 1, nl - colon - 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(v.begin());
    return v;
}

Machine describe_machine() {
    Machine m;
    std::string cpuinfo = read_small_file("/proc/cpuinfo");
    m.cpu = first_value(cpuinfo, "model name");
    if (m.cpu.empty()) m.cpu = "unknown";
    m.cpus_online = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) m.cpus_allowed = CPU_COUNT(&set);
    utsname u{};
    if (uname(&u) == 0) m.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
    std::string osr = read_small_file("/etc/os-release");
    size_t p = osr.find("PRETTY_NAME=");
    if (p != std::string::npos) {
        size_t nl = osr.find('\n', p);
        m.os = osr.substr(p + 12, nl - p - 12);
        m.os.erase(std::remove(m.os.begin(), m.os.end(), '"'), m.os.end());
    }
    m.mem_total_kb = std::strtoll(first_value(read_small_file("/proc/meminfo"), "MemTotal").c_str(), nullptr, 10);
    std::string load = read_small_file("/proc/loadavg");
    std::sscanf(load.c_str(), "%lf %lf", &m.load1, &m.load5);
    // The SQLite that is running: libpresend links it dynamically, so its
    // version function is in the process's global scope.
    using version_fn = const char *(*)();
    if (auto f = reinterpret_cast<version_fn>(dlsym(RTLD_DEFAULT, "sqlite3_libversion"))) m.sqlite = f();
    else m.sqlite = std::string(PRESEND_BENCH_SQLITE_BUILD_VERSION) + " (build time)";
    m.presend = presend_version();
    return m;
}

// --- output -------------------------------------------------------------------------------

std::string pct(uint64_t part, uint64_t whole) {
    return whole == 0 ? "0%" : fmt("%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string mib(int64_t kb) { return fmt("%.1f", static_cast<double>(kb) / 1024.0); }

struct Target {
    std::string what;
    double value, limit;
    bool at_least;  // value >= limit, else value < limit
    int decimals;   // how to print value and limit; 0: grouped thousands
    bool met() const { return at_least ? value >= limit : value < limit; }
    std::string show(double v) const { return decimals == 0 ? grouped(v) : fmt("%.*f", decimals, v); }
};

}  // namespace

int main(int argc, char **argv) {
    Options o = parse_options(argc, argv);
    make_dirs(o.dir);
    ::signal(SIGPIPE, SIG_IGN);
    Machine machine = describe_machine();

    // The shared result area and the latency arrays: shared anonymous
    // memory, reserved but not committed until written.
    std::vector<Group> groups;
    int slots = 0;
    if (o.single) groups.push_back(Group{slots, 1, {}, {}}), slots += 1;
    if (o.processes > 0) groups.push_back(Group{slots, o.processes, {}, {}}), slots += o.processes;
    if (slots > kMaxWorkers) usage_error("too many processes");

    Layout lay;
    lay.shared = static_cast<Shared *>(
        mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    if (lay.shared == MAP_FAILED) die("mmap failed");
    // Capacity per worker and phase: the message count, or an upper bound
    // of 250,000 checks per second for timed phases.
    lay.capacity = o.messages > 0 ? static_cast<uint64_t>(o.messages)
                                  : static_cast<uint64_t>(std::ceil(o.seconds * 250000.0)) + 1;
    size_t lat_bytes = static_cast<size_t>(slots) * 2 * lay.capacity * sizeof(uint64_t);
    void *lat = mmap(nullptr, lat_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (lat == MAP_FAILED) die("mmap of the latency arrays failed");
    lay.latencies = static_cast<uint64_t *>(lat);

    // 1. The store, built or checked in its own process.
    std::printf("presend benchmark: %s consent records, %s suppressions, %d recipients per message\n",
                grouped(static_cast<double>(o.records)).c_str(), grouped(static_cast<double>(o.suppressions)).c_str(),
                o.recipients);
    if (o.separate_stores) {
        std::printf("population: %s; measured on a fresh copy per worker process, %s/run-%" PRId64 "-p<slot>.db\n",
                    store_path(o).c_str(), o.dir.c_str(), o.records);
    } else {
        std::printf("population: %s; measured on a fresh copy, %s\n", store_path(o).c_str(), run_path(o).c_str());
    }
    if (!o.redis_url.empty()) {
        std::printf("ledger: Redis at %s, keys under \"%s\"\n", redacted_url(o.redis_url).c_str(),
                    o.redis_prefix.c_str());
    }
    std::fflush(stdout);
    pid_t setup_pid = fork();
    if (setup_pid < 0) die("fork failed");
    if (setup_pid == 0) {
        setup_store(o, lay.shared->setup);
        ::_exit(lay.shared->setup.failed ? 1 : 0);
    }
    int status = 0;
    ::waitpid(setup_pid, &status, 0);
    const SetupInfo &setup = lay.shared->setup;
    if (setup.failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        die(std::string("setup failed: ") + (setup.error[0] != '\0' ? setup.error : "the setup process crashed"));
    }
    int64_t population_bytes = file_size(store_path(o));
    int64_t store_bytes_before = stores_bytes(o);
    std::string copied;
    if (o.separate_stores) copied = fmt("; %d copies for the run in %.2f s", slot_count(o), setup.copy_seconds);
    else copied = fmt("; copied for the run in %.2f s", setup.copy_seconds);
    if (o.setup_only) copied.clear();
    if (setup.reused) {
        std::printf("setup: %.2f s: reused the population (%.1f MB, checked in %.2f s)%s\n", setup.seconds,
                    static_cast<double>(population_bytes) / 1e6, setup.build_seconds, copied.c_str());
    } else {
        std::printf("setup: %.1f s: built the population in %.1f s (import of %s records %.1f s = %s records/s, "
                    "%s suppressions %.1f s), %.1f MB%s\n",
                    setup.seconds, setup.build_seconds, grouped(static_cast<double>(setup.imported)).c_str(), setup.import_seconds,
                    grouped(static_cast<double>(setup.imported) / std::max(setup.import_seconds, 1e-9)).c_str(),
                    grouped(static_cast<double>(setup.suppressions)).c_str(), setup.suppress_seconds,
                    static_cast<double>(population_bytes) / 1e6, copied.c_str());
    }
    std::fflush(stdout);
    if (o.setup_only) return 0;

    // 2. The workers, forked while this process still holds no engine.
    for (Group &g : groups) {
        for (auto &p : g.go) {
            if (::pipe2(p, O_CLOEXEC) != 0) die("pipe failed");
        }
        if (::pipe2(g.done, O_CLOEXEC) != 0) die("pipe failed");
    }
    for (size_t gi = 0; gi < groups.size(); ++gi) {
        Group &g = groups[gi];
        int64_t total = o.messages;
        for (int i = 0; i < g.size; ++i) {
            int64_t mine = total > 0 ? total / g.size + (i < total % g.size ? 1 : 0) : 0;
            if (total > 0 && mine == 0) mine = 1;
            std::fflush(stdout);
            pid_t pid = fork();
            if (pid < 0) die("fork failed");
            if (pid == 0) {
                for (const Group &other : groups) {
                    for (const auto &p : other.go) ::close(p[1]);
                    ::close(other.done[0]);
                }
                worker_main(o, lay, g, g.first_slot + i, i, mine);
            }
            g_children.push_back(pid);
        }
    }
    for (Group &g : groups) ::close(g.done[1]);

    // 3. The coordinator's own engines, for the library's quota counters.
    std::string error;
    auto monitor = std::make_unique<QuotaMonitor>();

    std::vector<PhaseResult> results;
    for (Group &g : groups) {
        ::close(g.go[0][1]);  // open the engines and warm up
        wait_done(g, g.size);
        for (int i = 0; i < g.size; ++i) {
            const WorkerSlot &w = lay.shared->workers[g.first_slot + i];
            if (w.failed) die(fmt("worker %d: %s", w.pid, w.error));
        }
        for (int kind = kDry; kind <= kReserve; ++kind) {
            bool enabled = kind == kDry ? o.dry : o.reserve;
            int64_t before = 0, after = 0;
            bool quota_ok = enabled && kind == kReserve && monitor->read(o, g.first_slot, g.size, before, error);
            if (enabled) {
                std::printf("running: %s, %d process%s, %s ...\n", phase_name(kind), g.size, g.size == 1 ? "" : "es",
                            o.messages > 0 ? (grouped(static_cast<double>(o.messages)) + " messages").c_str()
                                           : fmt("%.0f s", o.seconds).c_str());
                std::fflush(stdout);
            }
            MachineCpu cpu0 = read_machine_cpu();
            int64_t wall0 = now_ns();
            ::close(g.go[1 + kind][1]);
            wait_done(g, g.size);
            MachineCpu cpu1 = read_machine_cpu();
            int64_t wall1 = now_ns();
            if (!enabled) continue;
            PhaseResult r = summarize(lay, g, kind);
            r.machine_busy_s = cpu1.busy - cpu0.busy;
            r.machine_steal_s = cpu1.steal - cpu0.steal;
            r.wall_s = static_cast<double>(wall1 - wall0) / 1e9;
            if (quota_ok && monitor->read(o, g.first_slot, g.size, after, error)) {
                r.quota_read = true;
                r.sent_before = before;
                r.sent_after = after;
            }
            results.push_back(std::move(r));
        }
        for (int i = 0; i < g.size; ++i) {
            pid_t &pid = g_children[static_cast<size_t>(g.first_slot + i)];
            if (pid > 0 && ::waitpid(pid, &status, 0) == pid) pid = -1;
        }
    }
    monitor.reset();
    int64_t store_bytes_after = stores_bytes(o);
    // A copy per worker adds up (the population times the processes):
    // unlike the shared run copy, they are not kept for inspection.
    if (o.separate_stores) {
        for (const std::string &path : run_stores(o)) remove_store(path);
    }

    // 4. The report.
    std::printf("\nmachine: %s, %ld CPUs online (%d usable), %.1f GiB RAM, %s, %s\n", machine.cpu.c_str(),
                machine.cpus_online, machine.cpus_allowed, static_cast<double>(machine.mem_total_kb) / 1048576.0,
                machine.kernel.c_str(), machine.os.c_str());
    std::printf("build: presend %s, %s, %s, SQLite %s; load average at start %.2f %.2f\n", machine.presend.c_str(),
                machine.compiler.c_str(), machine.build_type.c_str(), machine.sqlite.c_str(), machine.load1,
                machine.load5);
    std::printf("ledger: %s; %s\n",
                o.redis_url.empty() ? "SQLite, in the store" : ("Redis at " + redacted_url(o.redis_url)).c_str(),
                o.separate_stores ? "every worker process on its own copy of the store"
                                  : "the processes of a group share one store");
    std::string plugins = o.plugins_dir.empty() ? "" : ", plugins region_policy and iam_least_privilege";
    std::string checks = o.quota_only
                             ? "quota" + plugins + " only (recipient, suppression, consent, unsubscribe, frequency off)"
                             : fmt("recipient, suppression, consent, unsubscribe, %squota%s, all enforced",
                                   o.frequency ? "frequency, " : "", plugins.c_str());
    std::printf("checks: %s; %s%s\n", checks.c_str(),
                o.messages > 0 ? (grouped(static_cast<double>(o.messages)) + " messages per phase").c_str()
                               : fmt("%.0f s per phase", o.seconds).c_str(),
                o.decision_json ? "; decision JSON rendered in the timed call" : "");
    std::printf("latency: one call as a host sees it (check, read verdicts and reasons, free), monotonic clock\n");
    if (o.rate > 0) std::printf("load: paced at %s messages/s per group (open loop)\n", grouped(o.rate).c_str());
    else std::printf("load: closed loop, every process checks as fast as it can\n");
    std::printf("\n");
    std::printf("%-14s %5s %10s %9s %10s %8s %8s %8s %8s %8s\n", "phase", "procs", "messages", "msg/s", "rcpt/s",
                "p50 ms", "p90 ms", "p99 ms", "p99.9", "max ms");
    for (const auto &r : results) {
        std::printf("%-14s %5d %10s %9s %10s %8.3f %8.3f %8.3f %8.3f %8.2f\n", phase_name(r.kind), r.processes,
                    grouped(static_cast<double>(r.messages)).c_str(), grouped(r.msgs_per_s).c_str(),
                    grouped(r.rcpts_per_s).c_str(), r.p50, r.p90, r.p99, r.p999, r.max);
    }
    for (const auto &r : results) {
        if (r.processes < 2) continue;
        std::printf("  %s, per process:", phase_name(r.kind));
        for (const auto &pp : r.per_process) {
            std::printf("  [%s msg/s p50 %.3f p99 %.3f]", grouped(pp.msgs_per_s).c_str(), pp.p50, pp.p99);
        }
        std::printf("\n");
    }
    std::printf("\nCPU time per message (getrusage of the workers; it does not depend on how busy the machine is),\n"
                "and the CPUs busy during the phase: the workers, other processes (noise), stolen by the hypervisor:\n");
    std::printf("%-14s %5s %10s %7s %7s %13s %9s %9s %8s %7s %7s\n", "phase", "procs", "CPU us/msg", "user", "sys",
                "msg/s per CPU", "waits/msg", "preempt/m", "CPUs us", "others", "steal");
    for (const auto &r : results) {
        auto per_msg = [&](double x) { return r.messages > 0 ? x / static_cast<double>(r.messages) : 0.0; };
        double cpu = per_msg(r.user_us + r.sys_us);
        double ours = (r.user_us + r.sys_us) / 1e6;
        double wall = std::max(r.wall_s, 1e-9);
        std::printf("%-14s %5d %10.1f %7.1f %7.1f %13s %9.2f %9.2f %8.2f %7.2f %7.2f\n", phase_name(r.kind), r.processes,
                    cpu, per_msg(r.user_us), per_msg(r.sys_us), grouped(cpu > 0 ? 1e6 / cpu : 0).c_str(),
                    per_msg(static_cast<double>(r.voluntary_switches)), per_msg(static_cast<double>(r.involuntary_switches)),
                    ours / wall, std::max(0.0, r.machine_busy_s - ours) / wall, r.machine_steal_s / wall);
    }

    std::printf("\nverdict mix (messages: allow / partial / block / defer; recipients allowed):\n");
    for (const auto &r : results) {
        std::printf("  %-13s %d proc  %s / %s / %s / %s; %s of %s recipients allowed\n", phase_name(r.kind),
                    r.processes, pct(r.verdicts[0], r.messages).c_str(), pct(r.verdicts[1], r.messages).c_str(),
                    pct(r.verdicts[2], r.messages).c_str(), pct(r.verdicts[3], r.messages).c_str(),
                    pct(r.allowed, r.recipients).c_str(), grouped(static_cast<double>(r.recipients)).c_str());
    }
    if (!results.empty()) {
        const PhaseResult &r = results.front();
        std::printf("  recipient reasons (%s, %d proc, share of recipients):", phase_name(r.kind), r.processes);
        for (const auto &[code, n] : r.recipient_reasons) std::printf(" %s %s", code.c_str(), pct(n, r.recipients).c_str());
        std::printf("\n  message reasons:");
        if (r.message_reasons.empty()) std::printf(" none");
        for (const auto &[code, n] : r.message_reasons) std::printf(" %s %s", code.c_str(), pct(n, r.messages).c_str());
        std::printf("\n");
    }

    bool quota_mismatch = false;
    bool errors = false;
    std::printf("\nquota accounting (%s sent_24h after - before vs recipients allowed):\n",
                o.redis_url.empty() ? "presend_quota_status" : "the Redis ledger's, from a dry-run decision,");
    for (const auto &r : results) {
        if (r.errors > 0) {
            errors = true;
            std::printf("  %s, %d proc: %s failed calls, first: %s\n", phase_name(r.kind), r.processes,
                        grouped(static_cast<double>(r.errors)).c_str(), r.first_error.c_str());
        }
        // Both would measure something else than checks: deferrals that
        // never reach the ledger, or the limits being reached.
        for (const auto &[code, n] : r.message_reasons) {
            if (code == "engine.unavailable") {
                errors = true;
                std::printf("  %s, %d proc: %s messages deferred with engine.unavailable (the ledger failed)\n",
                            phase_name(r.kind), r.processes, grouped(static_cast<double>(n)).c_str());
            }
        }
        for (const auto &[code, n] : r.recipient_reasons) {
            if (code.rfind("quota.", 0) == 0 && code != "quota.approaching") {
                errors = true;
                std::printf("  %s, %d proc: %s recipients refused with %s: the limits were reached\n", phase_name(r.kind),
                            r.processes, grouped(static_cast<double>(n)).c_str(), code.c_str());
            }
        }
        if (r.kind != kReserve) continue;
        if (!r.quota_read) {
            std::printf("  %d proc: could not read the quota count: %s\n", r.processes,
                        error.empty() ? "presend_quota_status failed" : error.c_str());
            quota_mismatch = true;
            continue;
        }
        int64_t reserved = r.sent_after - r.sent_before;
        bool same = reserved == static_cast<int64_t>(r.allowed);
        quota_mismatch = quota_mismatch || !same;
        std::printf("  %d proc: reserved %s, allowed %s: %s\n", r.processes, grouped(static_cast<double>(reserved)).c_str(),
                    grouped(static_cast<double>(r.allowed)).c_str(), same ? "equal" : "MISMATCH");
    }
    if (std::none_of(results.begin(), results.end(), [](const auto &r) { return r.kind == kReserve; })) {
        std::printf("  (no reserving phase ran)\n");
    }

    std::printf("\nmemory per process (MiB): RssAnon is private memory (heap, SQLite page cache); RssFile is\n"
                "mapped files (program, libraries, SQLite's -shm); RssShmem is the driver's result area\n");
    std::printf("  %-22s %9s %11s %11s %9s %9s %9s\n", "process", "VmHWM", "anon start", "anon ready", "anon peak",
                "file end", "shm end");
    std::printf("  %-22s %9s %11s %11s %9s %9s %9s\n", setup.reused ? "setup (check only)" : "setup (build)",
                mib(setup.maxrss_kb).c_str(), "-", "-", mib(setup.at_end.anon_kb).c_str(), mib(setup.at_end.file_kb).c_str(),
                mib(setup.at_end.shmem_kb).c_str());
    std::vector<Target> targets, memory_targets;
    for (const Group &g : groups) {
        for (int i = 0; i < g.size; ++i) {
            const WorkerSlot &w = lay.shared->workers[g.first_slot + i];
            std::string name = fmt("%d-proc worker %d", g.size, i + 1);
            std::printf("  %-22s %9s %11s %11s %9s %9s %9s\n", name.c_str(), mib(w.at_end.hwm_kb).c_str(),
                        mib(w.at_start.anon_kb).c_str(), mib(w.after_open.anon_kb).c_str(), mib(w.peak_anon_kb).c_str(),
                        mib(w.at_end.file_kb).c_str(), mib(w.at_end.shmem_kb).c_str());
            memory_targets.push_back({fmt("peak RssAnon, %s (MiB)", name.c_str()),
                                      static_cast<double>(w.peak_anon_kb) / 1024.0, kTargetAnonMiB, false, 1});
        }
    }
    std::printf("  run store: %.1f MB before the phases, %.1f MB after (reserving checks store their decisions)\n",
                static_cast<double>(store_bytes_before) / 1e6, static_cast<double>(store_bytes_after) / 1e6);

    for (const auto &r : results) {
        double limit = r.kind == kDry ? kTargetDryRunPerSecond : kTargetReservePerSecond;
        targets.push_back({fmt("%s, %d proc (msg/s)", phase_name(r.kind), r.processes), r.msgs_per_s, limit, true, 0});
        targets.push_back({fmt("%s, %d proc, p99 (ms)", phase_name(r.kind), r.processes), r.p99, kTargetP99Ms, false, 3});
    }
    targets.insert(targets.end(), memory_targets.begin(), memory_targets.end());
    std::printf("\ntargets (issue \"Foundation\"):\n");
    int missed = 0;
    for (const auto &t : targets) {
        if (!t.met()) ++missed;
        std::printf("  %-40s %10s %s %-8s %s\n", t.what.c_str(), t.show(t.value).c_str(), t.at_least ? ">=" : "< ",
                    t.show(t.limit).c_str(), t.met() ? "met" : "MISSED");
    }
    std::printf("  %d of %zu targets met\n", static_cast<int>(targets.size()) - missed, targets.size());
    if (std::any_of(results.begin(), results.end(), [](const auto &r) { return r.truncated; })) {
        std::printf("note: a latency array filled up; that phase stopped early\n");
    }

    // 5. JSON.
    if (!o.json_path.empty()) {
        std::string j = "{\n";
        auto kv = [&](const char *k, const std::string &v, bool last = false) {
            j += fmt("  \"%s\": %s%s\n", k, v.c_str(), last ? "" : ",");
        };
        auto str = [](const std::string &s) { return "\"" + json_escape(s) + "\""; };
        time_t now = time(nullptr);
        char when[32];
        std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        kv("benchmark", str("presend Foundation"));
        kv("time", str(when));
        kv("note", str(o.note));
        kv("machine", "{\"cpu\": " + str(machine.cpu) + ", \"cpus_online\": " + std::to_string(machine.cpus_online) +
                          ", \"cpus_usable\": " + std::to_string(machine.cpus_allowed) +
                          ", \"mem_total_kib\": " + std::to_string(machine.mem_total_kb) + ", \"kernel\": " +
                          str(machine.kernel) + ", \"os\": " + str(machine.os) + ", \"compiler\": " + str(machine.compiler) +
                          ", \"build_type\": " + str(machine.build_type) + ", \"sqlite\": " + str(machine.sqlite) +
                          ", \"presend\": " + str(machine.presend) + fmt(", \"load_average\": [%.2f, %.2f]}", machine.load1, machine.load5));
        kv("parameters",
           fmt("{\"records\": %" PRId64 ", \"suppressions\": %" PRId64 ", \"domains\": %" PRId64
               ", \"recipients_per_message\": %d, \"messages_per_phase\": %" PRId64 ", \"seconds_per_phase\": %g, "
               "\"warmup_per_process\": %" PRId64 ", \"rate\": %g, \"processes\": %d, \"single\": %s, \"unknown_pct\": %g, \"seed\": %" PRIu64
               ", \"frequency_check\": %s, \"plugins\": %s, \"decision_json\": %s, \"quick\": %s"
               ", \"ledger\": \"%s\", \"separate_stores\": %s, \"quota_only\": %s}",
               o.records, o.suppressions, o.domains, o.recipients, o.messages, o.messages > 0 ? 0.0 : o.seconds, o.warmup,
               o.rate, o.processes, o.single ? "true" : "false", o.unknown_pct, o.seed, o.frequency ? "true" : "false",
               o.plugins_dir.empty() ? "false" : "true", o.decision_json ? "true" : "false", o.quick ? "true" : "false",
               o.redis_url.empty() ? "sqlite" : "redis", o.separate_stores ? "true" : "false",
               o.quota_only ? "true" : "false"));
        ConfigChoice shown = config_choice(o);
        shown.redis_url = redacted_url(shown.redis_url);
        kv("config", config_json(shown));
        kv("ledger", o.redis_url.empty()
                         ? std::string("{\"backend\": \"sqlite\"}")
                         : "{\"backend\": \"redis\", \"url\": " + str(redacted_url(o.redis_url)) +
                               ", \"prefix\": " + str(o.redis_prefix) + "}");
        std::string copies = "[";
        for (const std::string &path : run_stores(o)) copies += (copies.size() > 1 ? ", " : "") + str(path);
        copies += "]";
        kv("store", fmt("{\"population\": %s, \"run_copy\": %s, \"run_copies\": %s, \"separate_stores\": %s, \"reused\": %s, \"setup_seconds\": %.3f, "
                        "\"build_or_check_seconds\": %.3f, \"import_seconds\": %.3f, \"imported\": %" PRId64
                        ", \"suppress_seconds\": %.3f, \"suppressions\": %" PRId64 ", \"copy_seconds\": %.3f"
                        ", \"population_bytes\": %" PRId64 ", \"run_bytes_before\": %" PRId64 ", \"run_bytes_after\": %" PRId64
                        ", \"setup_peak_rss_kib\": %" PRId64 "}",
                        str(store_path(o)).c_str(), str(run_stores(o).front()).c_str(), copies.c_str(),
                        o.separate_stores ? "true" : "false", setup.reused ? "true" : "false", setup.seconds,
                        setup.build_seconds, setup.import_seconds, setup.imported, setup.suppress_seconds, setup.suppressions,
                        setup.copy_seconds, population_bytes, store_bytes_before, store_bytes_after, setup.maxrss_kb));
        std::string phases = "[";
        for (size_t i = 0; i < results.size(); ++i) {
            const auto &r = results[i];
            std::string reasons = "{";
            for (size_t k = 0; k < r.recipient_reasons.size(); ++k) {
                reasons += (k ? ", " : "") + str(r.recipient_reasons[k].first) + ": " + std::to_string(r.recipient_reasons[k].second);
            }
            reasons += "}";
            std::string mreasons = "{";
            for (size_t k = 0; k < r.message_reasons.size(); ++k) {
                mreasons += (k ? ", " : "") + str(r.message_reasons[k].first) + ": " + std::to_string(r.message_reasons[k].second);
            }
            mreasons += "}";
            std::string per = "[";
            for (size_t k = 0; k < r.per_process.size(); ++k) {
                const auto &pp = r.per_process[k];
                per += fmt("%s{\"messages\": %" PRIu64 ", \"messages_per_s\": %.1f, \"p50_ms\": %.4f, \"p99_ms\": %.4f, \"max_ms\": %.4f}",
                           k ? ", " : "", pp.messages, pp.msgs_per_s, pp.p50, pp.p99, pp.max);
            }
            per += "]";
            phases += fmt("%s\n    {\"phase\": \"%s\", \"processes\": %d, \"messages\": %" PRIu64 ", \"recipients\": %" PRIu64
                          ", \"seconds\": %.4f, \"messages_per_s\": %.1f, \"recipients_per_s\": %.1f, "
                          "\"latency_ms\": {\"mean\": %.4f, \"p50\": %.4f, \"p90\": %.4f, \"p99\": %.4f, \"p99_9\": %.4f, \"max\": %.4f}, "
                          "\"errors\": %" PRIu64 ", ",
                          i ? "," : "", phase_key(r.kind), r.processes, r.messages, r.recipients, r.seconds, r.msgs_per_s,
                          r.rcpts_per_s, r.mean, r.p50, r.p90, r.p99, r.p999, r.max, r.errors);
            phases += fmt("\"cpu\": {\"user_us\": %.0f, \"sys_us\": %.0f, \"us_per_message\": %.2f, "
                          "\"voluntary_switches\": %" PRId64 ", \"involuntary_switches\": %" PRId64
                          ", \"machine_busy_s\": %.3f, \"machine_steal_s\": %.3f, \"phase_wall_s\": %.3f, "
                          "\"other_processes_cpus\": %.3f}, ",
                          r.user_us, r.sys_us,
                          r.messages > 0 ? (r.user_us + r.sys_us) / static_cast<double>(r.messages) : 0.0,
                          r.voluntary_switches, r.involuntary_switches, r.machine_busy_s, r.machine_steal_s, r.wall_s,
                          r.wall_s > 0 ? std::max(0.0, r.machine_busy_s - (r.user_us + r.sys_us) / 1e6) / r.wall_s : 0.0);
            phases += fmt("\"verdicts\": {\"allow\": %" PRIu64 ", \"partial\": %" PRIu64 ", \"block\": %" PRIu64 ", \"defer\": %" PRIu64 "}, "
                          "\"recipient_verdicts\": {\"allow\": %" PRIu64 ", \"block\": %" PRIu64 ", \"defer\": %" PRIu64 "}, ",
                          r.verdicts[0], r.verdicts[1], r.verdicts[2], r.verdicts[3], r.recipient_verdicts[0],
                          r.recipient_verdicts[2], r.recipient_verdicts[3]);
            phases += "\"recipient_reasons\": " + reasons + ", \"message_reasons\": " + mreasons + ", ";
            if (r.kind == kReserve && r.quota_read) {
                phases += fmt("\"quota\": {\"sent_24h_before\": %" PRId64 ", \"sent_24h_after\": %" PRId64 ", \"reserved\": %" PRId64
                              ", \"allowed_recipients\": %" PRIu64 ", \"equal\": %s}, ",
                              r.sent_before, r.sent_after, r.sent_after - r.sent_before, r.allowed,
                              r.sent_after - r.sent_before == static_cast<int64_t>(r.allowed) ? "true" : "false");
            }
            phases += "\"per_process\": " + per + "}";
        }
        phases += "\n  ]";
        kv("phases", phases);
        std::string mem = "[";
        bool first = true;
        for (const Group &g : groups) {
            for (int i = 0; i < g.size; ++i) {
                const WorkerSlot &w = lay.shared->workers[g.first_slot + i];
                mem += fmt("%s\n    {\"group_processes\": %d, \"worker\": %d, \"vm_hwm_kib\": %" PRId64 ", \"ru_maxrss_kib\": %" PRId64
                           ", \"rss_anon_start_kib\": %" PRId64 ", \"rss_anon_after_open_kib\": %" PRId64
                           ", \"rss_anon_peak_kib\": %" PRId64 ", \"rss_anon_end_kib\": %" PRId64 ", \"rss_file_end_kib\": %" PRId64
                           ", \"rss_shmem_end_kib\": %" PRId64 "}",
                           first ? "" : ",", g.size, i + 1, w.at_end.hwm_kb, w.maxrss_kb, w.at_start.anon_kb,
                           w.after_open.anon_kb, w.peak_anon_kb, w.at_end.anon_kb, w.at_end.file_kb, w.at_end.shmem_kb);
                first = false;
            }
        }
        mem += "\n  ]";
        kv("memory", mem);
        std::string tj = "[";
        for (size_t i = 0; i < targets.size(); ++i) {
            tj += fmt("%s\n    {\"what\": %s, \"value\": %.4f, \"limit\": %g, \"at_least\": %s, \"met\": %s}", i ? "," : "",
                      str(targets[i].what).c_str(), targets[i].value, targets[i].limit, targets[i].at_least ? "true" : "false",
                      targets[i].met() ? "true" : "false");
        }
        tj += "\n  ]";
        kv("targets", tj);
        bool all_equal = !quota_mismatch;
        kv("quota_accounting_equal", all_equal ? "true" : "false", true);
        j += "}\n";
        FILE *f = std::fopen(o.json_path.c_str(), "w");
        if (f == nullptr || std::fwrite(j.data(), 1, j.size(), f) != j.size() || std::fclose(f) != 0) {
            std::fprintf(stderr, "presend_bench: cannot write %s\n", o.json_path.c_str());
            return 1;
        }
        std::printf("\nfigures written to %s\n", o.json_path.c_str());
    }
    if (quota_mismatch) {
        std::fprintf(stderr, "presend_bench: the quota reserved differs from the recipients allowed\n");
        return 3;
    }
    if (errors) {
        std::fprintf(stderr, "presend_bench: some checks failed\n");
        return 1;
    }
    return 0;
}
