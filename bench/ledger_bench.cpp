// presend_ledger_bench: the Redis ledger alone, for the comparison with
// github.com/go-redis/redis_rate (bench/redis_rate), call for call.
//
// A reservation through the public C API is always part of a check (parsing
// the message, the checks, storing the decision in SQLite), so this program
// calls the ledger class itself, presend::RedisLedger, the way the engine
// does: one connection per process, one reservation of one recipient per
// call, the limits of presend_bench's configuration (2^40 a day, 1,000,000/s,
// burst 60,000,000), which the run never reaches. It is built only where the
// Redis ledger is (hiredis found) and links the internal ledger library, not
// libpresend: it measures the Lua script and its round trip, as
// bench/redis_rate measures redis_rate's, with the same process layout:
// N processes, each a closed loop, all on one shared key, for a fixed time.
// See README.md, section "Fleet mode".
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "redis_ledger.hpp"

namespace {

constexpr int kMaxProcesses = 64;
constexpr int64_t kMax24h = int64_t{1} << 40;
constexpr int64_t kMaxRate = 1000000;
constexpr int64_t kBurst = 60000000;
constexpr const char *kAccount = "prod";
constexpr const char *kRegion = "us-east-1";

struct Options {
    std::string url = "redis://127.0.0.1:6379/0";
    int processes = 1;
    double seconds = 5;
    int64_t wanted = 1;
    int64_t warmup = 200;
    std::string json_path;
};

// One worker's figures, in shared memory.
struct Slot {
    int64_t calls, granted, errors;
    int64_t start_ns, end_ns;  // CLOCK_MONOTONIC: one clock for every process
    double p50_ms, p99_ms;
    int32_t ready, failed;
    char error[200];
};

constexpr const char *kUsage =
    "usage: presend_ledger_bench [options]\n"
    "\n"
    "Reserves quota on presend's Redis ledger in a closed loop, from N processes on one\n"
    "shared account and region, and prints the reservations per second.\n"
    "\n"
    "  --redis URL       the Redis server (default: redis://127.0.0.1:6379/0)\n"
    "  --processes N     worker processes, one connection each (default: 1)\n"
    "  --seconds S       length of the measured phase (default: 5)\n"
    "  --wanted N        recipients per reservation (default: 1)\n"
    "  --warmup N        untimed reservations per process, on another account (default: 200)\n"
    "  --json FILE       also write the report to this file\n"
    "  --help            this text\n";

[[noreturn]] void usage_error(const std::string &why) {
    std::fprintf(stderr, "presend_ledger_bench: %s\n(see presend_ledger_bench --help)\n", why.c_str());
    std::exit(2);
}

Options parse_options(int argc, char **argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto need = [&]() -> std::string {
            if (i + 1 >= argc) usage_error(arg + " needs a value");
            return argv[++i];
        };
        auto number = [&](double min, double max) {
            std::string v = need();
            char *end = nullptr;
            double x = std::strtod(v.c_str(), &end);
            if (v.empty() || *end != '\0' || !(x >= min && x <= max)) usage_error(arg + ": \"" + v + "\" is out of range");
            return x;
        };
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        } else if (arg == "--redis") {
            o.url = need();
        } else if (arg == "--processes") {
            o.processes = static_cast<int>(number(1, kMaxProcesses));
        } else if (arg == "--seconds") {
            o.seconds = number(0.1, 3600);
        } else if (arg == "--wanted") {
            o.wanted = static_cast<int64_t>(number(1, 1000));
        } else if (arg == "--warmup") {
            o.warmup = static_cast<int64_t>(number(0, 1e7));
        } else if (arg == "--json") {
            o.json_path = need();
        } else {
            usage_error("unknown option \"" + arg + "\"");
        }
    }
    return o;
}

int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

double percentile_ms(std::vector<int64_t> &v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    rank = std::clamp<size_t>(rank, 1, v.size());
    return static_cast<double>(v[rank - 1]) / 1e6;
}

presend::RedisOptions ledger_options(const Options &o, const std::string &prefix) {
    auto url = presend::parse_redis_url(o.url);
    if (!url) usage_error(url.error().message);
    presend::RedisOptions ro;
    ro.url = *url;
    ro.prefix = prefix;
    return ro;
}

[[noreturn]] void worker(const Options &o, const std::string &prefix, Slot &s, int go_fd) {
    try {
        presend::RedisLedger ledger(ledger_options(o, prefix));
        for (int64_t i = 0; i < o.warmup; ++i) ledger.reserve("warmup", kRegion, {kMax24h, kMaxRate, kBurst}, o.wanted);
        s.ready = 1;
        char c;
        while (::read(go_fd, &c, 1) < 0 && errno == EINTR) {
        }
        std::vector<int64_t> lat;
        lat.reserve(1 << 20);
        int64_t start = now_ns();
        int64_t deadline = start + static_cast<int64_t>(o.seconds * 1e9);
        int64_t t = start;
        while (t < deadline) {
            try {
                s.granted += ledger.reserve(kAccount, kRegion, {kMax24h, kMaxRate, kBurst}, o.wanted).granted;
            } catch (const presend::Failure &f) {
                if (s.errors++ == 0) std::snprintf(s.error, sizeof s.error, "%s", f.error.message.c_str());
            }
            int64_t t1 = now_ns();
            lat.push_back(t1 - t);
            t = t1;
            ++s.calls;
        }
        s.start_ns = start;
        s.end_ns = t;
        s.p50_ms = percentile_ms(lat, 50);
        s.p99_ms = percentile_ms(lat, 99);
    } catch (const presend::Failure &f) {
        s.failed = 1;
        std::snprintf(s.error, sizeof s.error, "%s", f.error.message.c_str());
    }
    ::_exit(s.failed ? 1 : 0);
}

}  // namespace

int main(int argc, char **argv) {
    Options o = parse_options(argc, argv);
    // Unique to the run: no two runs count into the same keys.
    std::string prefix = "presend-ledger-bench:" + std::to_string(::getpid()) + "." +
                         std::to_string(static_cast<long long>(::time(nullptr))) + ":";
    auto *slots = static_cast<Slot *>(mmap(nullptr, sizeof(Slot) * kMaxProcesses, PROT_READ | PROT_WRITE,
                                           MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    if (slots == MAP_FAILED) {
        std::perror("presend_ledger_bench: mmap");
        return 1;
    }
    int go[2];
    if (::pipe(go) != 0) {
        std::perror("presend_ledger_bench: pipe");
        return 1;
    }
    std::vector<pid_t> pids;
    for (int i = 0; i < o.processes; ++i) {
        std::fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("presend_ledger_bench: fork");
            return 1;
        }
        if (pid == 0) {
            ::close(go[1]);
            worker(o, prefix, slots[i], go[0]);
        }
        pids.push_back(pid);
    }
    ::close(go[0]);
    // Every worker connected and warmed up (or failed), then all start at once.
    auto gone = [&](int i) {
        int status = 0;
        return ::waitpid(pids[static_cast<size_t>(i)], &status, WNOHANG) == pids[static_cast<size_t>(i)];
    };
    for (int i = 0; i < o.processes; ++i) {
        while (!slots[i].ready) {
            if (slots[i].failed || gone(i)) {
                std::fprintf(stderr, "presend_ledger_bench: worker %d: %s\n", i + 1,
                             slots[i].error[0] != '\0' ? slots[i].error : "ended before it was ready");
                for (pid_t p : pids) ::kill(p, SIGTERM);
                return 1;
            }
            ::usleep(1000);
        }
    }
    ::close(go[1]);
    bool failed = false;
    for (pid_t p : pids) {
        int status = 0;
        if (::waitpid(p, &status, 0) != p || !WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = true;
    }

    int64_t calls = 0, granted = 0, errors = 0, first = INT64_MAX, last = 0;
    std::string first_error;
    for (int i = 0; i < o.processes; ++i) {
        const Slot &s = slots[i];
        calls += s.calls;
        granted += s.granted;
        errors += s.errors;
        first = std::min(first, s.start_ns);
        last = std::max(last, s.end_ns);
        if (first_error.empty() && s.error[0] != '\0') first_error = s.error;
    }
    double secs = last > first ? static_cast<double>(last - first) / 1e9 : 0;
    double per_s = secs > 0 ? static_cast<double>(calls) / secs : 0;
    // The ledger's own count must equal what the workers were granted.
    int64_t counted = -1;
    try {
        presend::RedisLedger check(ledger_options(o, prefix));
        counted = check.sent_24h(kAccount, kRegion);
    } catch (const presend::Failure &f) {
        first_error = f.error.message;
    }
    bool equal = counted == granted;

    std::printf("presend Redis ledger: %d process(es), %.2f s: %" PRId64 " reservations of %" PRId64
                ", %.0f reservations/s; %" PRId64 " recipients granted, ledger count %" PRId64 " (%s); %" PRId64 " errors\n",
                o.processes, secs, calls, o.wanted, per_s, granted, counted, equal ? "equal" : "MISMATCH", errors);
    std::string per;
    for (int i = 0; i < o.processes; ++i) {
        const Slot &s = slots[i];
        std::printf("  process %d: %" PRId64 " reservations, p50 %.3f ms, p99 %.3f ms\n", i + 1, s.calls, s.p50_ms, s.p99_ms);
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s{\"calls\": %" PRId64 ", \"p50_ms\": %.4f, \"p99_ms\": %.4f}", i ? ", " : "",
                      s.calls, s.p50_ms, s.p99_ms);
        per += buf;
    }
    char line[640];
    std::snprintf(line, sizeof line,
                  "{\"benchmark\": \"presend_redis_ledger\", \"processes\": %d, \"seconds\": %.4f, \"calls\": %" PRId64
                  ", \"wanted_per_call\": %" PRId64 ", \"calls_per_s\": %.1f, \"granted\": %" PRId64
                  ", \"ledger_count\": %" PRId64 ", \"equal\": %s, \"errors\": %" PRId64
                  ", \"max_24h\": %" PRId64 ", \"max_rate\": %" PRId64 ", \"burst\": %" PRId64 ", \"prefix\": \"%s\", ",
                  o.processes, secs, calls, o.wanted, per_s, granted, counted, equal ? "true" : "false", errors, kMax24h,
                  kMaxRate, kBurst, prefix.c_str());
    std::string json = std::string(line) + "\"per_process\": [" + per + "]}";
    std::printf("%s\n", json.c_str());
    if (!o.json_path.empty()) {
        FILE *f = std::fopen(o.json_path.c_str(), "w");
        if (f == nullptr || std::fprintf(f, "%s\n", json.c_str()) < 0 || std::fclose(f) != 0) {
            std::fprintf(stderr, "presend_ledger_bench: cannot write %s\n", o.json_path.c_str());
            return 1;
        }
    }
    if (failed || errors > 0 || !equal) {
        std::fprintf(stderr, "presend_ledger_bench: %s\n",
                     !first_error.empty() ? first_error.c_str() : failed ? "a worker failed" : "the ledger count differs");
        return 1;
    }
    return 0;
}
