// Allocation failures on demand, for the out-of-memory tests:
//  - SQLite's allocations, through a wrapper of its allocator installed with
//    sqlite3_config(SQLITE_CONFIG_MALLOC) before SQLite initializes (so the
//    test binary has its own main);
//  - C++ allocations, through a replacement of the global operator new (and
//    delete) in the test binary, which libpresend's calls resolve to; a
//    failure throws std::bad_alloc (nothrow forms return NULL);
//  - cJSON's allocations (presend parses JSON with cJSON), through
//    cJSON_InitHooks, also before anything allocates with cJSON.
// Only the allocations of the thread that called AllocFaults::begin() are
// counted and failed.
#pragma once

#include <cstdint>

namespace presend::test {

enum class AllocSource { sqlite, cxx, cjson };

struct AllocCounts {
    int64_t sqlite = 0;  // xMalloc and xRealloc calls
    int64_t cxx = 0;     // operator new calls
    int64_t cjson = 0;   // cJSON's malloc calls
    int64_t of(AllocSource s) const { return s == AllocSource::sqlite ? sqlite : s == AllocSource::cxx ? cxx : cjson; }
};

class AllocFaults {
public:
    // Wraps SQLite's and cJSON's allocators. Call first thing in main,
    // before any SQLite or cJSON call; aborts if SQLite is already
    // initialized.
    static void install();

    // Starts counting the calling thread's allocations from zero. With
    // at > 0, the at-th allocation from `source` fails; with `persistent`,
    // so does every later one from that source (memory stays short).
    static void begin(AllocSource source = AllocSource::sqlite, int64_t at = 0, bool persistent = false);
    // Stops counting and failing; returns the counts since begin().
    static AllocCounts end();
    // Whether an allocation was failed since begin().
    static bool fired();
};

}  // namespace presend::test
