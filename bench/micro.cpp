// Micro-benchmarks of single presend calls through the public C API, on a
// temporary store of 100,000 consent records (the population of the driver,
// smaller). For quick before/after comparisons of one hot piece; the figures
// of issue "Foundation" come from presend_bench.
//
//   presend_microbench [--benchmark_filter=Check] [--records=N]
#include <presend/presend.h>

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_data.hpp"

namespace {

using namespace presend_bench;

int64_t g_records = 100000;
constexpr int64_t kDomains = 1000;
presend_engine *g_engine = nullptr;

[[noreturn]] void die(const std::string &what) {
    std::fprintf(stderr, "presend_microbench: %s: %s\n", what.c_str(),
                 g_engine != nullptr ? presend_engine_errmsg(g_engine) : "");
    std::exit(1);
}

void build_store(const std::string &path) {
    std::string config = config_json(true);
    presend_engine_options eo;
    presend_engine_options_init(&eo);
    eo.store_path = path.c_str();
    char *err = nullptr;
    if (presend_engine_open_json(&g_engine, config.data(), config.size(), &eo, &err) != PRESEND_OK) {
        die(std::string("open: ") + (err != nullptr ? err : ""));
    }
    std::string csv = kCsvHeader;
    for (int64_t i = 0; i < g_records; ++i) append_consent_csv(csv, i, kDomains);
    if (presend_consent_import_data(g_engine, csv.data(), csv.size(), PRESEND_IMPORT_CSV, nullptr) != PRESEND_OK) {
        die("import");
    }
    for (int64_t k = 0; k < g_records / 100; ++k) {
        std::string j = suppression_json(k, g_records, kDomains);
        if (presend_suppression_put(g_engine, j.data(), j.size()) != PRESEND_OK) die("suppression");
    }
}

std::vector<std::string> messages(size_t n, uint64_t seed) {
    Rng rng(seed);
    std::vector<std::string> out(n);
    for (size_t i = 0; i < n; ++i) build_message(out[i], rng, 5, g_records, kDomains, 200, "micro", i);
    return out;
}

void check_loop(benchmark::State &state, uint32_t flags, bool render_json) {
    auto msgs = messages(4096, 42 + flags);
    size_t i = 0;
    for (auto _ : state) {
        const std::string &m = msgs[i++ & 4095];
        presend_decision *d = nullptr;
        if (presend_engine_check(g_engine, m.data(), m.size(), flags, &d) != PRESEND_OK) die("check");
        if (render_json) benchmark::DoNotOptimize(presend_decision_json(d));
        benchmark::DoNotOptimize(presend_decision_verdict(d));
        presend_decision_free(d);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_CheckDryRun(benchmark::State &state) { check_loop(state, PRESEND_CHECK_DRY_RUN, false); }
void BM_CheckDryRunWithJson(benchmark::State &state) { check_loop(state, PRESEND_CHECK_DRY_RUN, true); }
void BM_CheckReserve(benchmark::State &state) { check_loop(state, 0, false); }

void BM_ConsentGet(benchmark::State &state) {
    Rng rng(7);
    for (auto _ : state) {
        std::string a = subscriber_address(static_cast<int64_t>(rng.below(static_cast<uint64_t>(g_records))), kDomains);
        char *json = nullptr;
        if (presend_consent_get(g_engine, a.c_str(), kList, &json) != PRESEND_OK) die("consent_get");
        presend_free(json);
    }
}

void BM_QuotaStatus(benchmark::State &state) {
    for (auto _ : state) {
        char *json = nullptr;
        if (presend_quota_status(g_engine, kAccount, kRegion, &json) != PRESEND_OK) die("quota_status");
        presend_free(json);
    }
}

void BM_AddressNormalize(benchmark::State &state) {
    std::string a = "News Desk <User000123@Example-417.COM>";
    for (auto _ : state) {
        char *out = nullptr;
        if (presend_address_normalize(a.data(), a.size(), 0, &out, nullptr) != PRESEND_OK) die("normalize");
        presend_free(out);
    }
}

BENCHMARK(BM_CheckDryRun);
BENCHMARK(BM_CheckDryRunWithJson);
BENCHMARK(BM_CheckReserve);
BENCHMARK(BM_ConsentGet);
BENCHMARK(BM_QuotaStatus);
BENCHMARK(BM_AddressNormalize);

}  // namespace

int main(int argc, char **argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--records=", 10) == 0) {
            g_records = std::max<int64_t>(100, std::strtoll(argv[i] + 10, nullptr, 10));
            for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
            --argc;
            --i;
        }
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    const char *tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/presend-microbench-XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) die("mkdtemp");
    std::string path = dir + "/store.db";
    build_store(path);
    benchmark::AddCustomContext("records", std::to_string(g_records));
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    presend_engine_free(g_engine);
    for (const char *suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
    ::rmdir(dir.c_str());
    return 0;
}
