#include "oom_alloc.hpp"

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include <cstdlib>
#include <new>

namespace presend::test {

namespace {

// The counted thread's state: only that thread touches it (every other
// thread sees t_tracked == false), so it needs no lock. Plain data, so that
// operator new may read it before main and on any thread.
struct Tracking {
    AllocCounts counts;
    AllocSource source = AllocSource::sqlite;
    int64_t at = 0;
    bool persistent = false;
    bool fired = false;
};
Tracking g_tracking;
thread_local bool t_tracked = false;

// Counts one allocation from `source`; true when it must fail.
bool hit(AllocSource source) {
    if (!t_tracked) return false;
    int64_t n = source == AllocSource::sqlite ? ++g_tracking.counts.sqlite
                : source == AllocSource::cxx  ? ++g_tracking.counts.cxx
                                              : ++g_tracking.counts.cjson;
    if (g_tracking.at <= 0 || source != g_tracking.source) return false;
    bool fail = g_tracking.persistent ? n >= g_tracking.at : n == g_tracking.at;
    if (fail) g_tracking.fired = true;
    return fail;
}

sqlite3_mem_methods g_sqlite_real{};

void *m_malloc(int n) {
    if (hit(AllocSource::sqlite)) return nullptr;
    return g_sqlite_real.xMalloc(n);
}
void m_free(void *p) { g_sqlite_real.xFree(p); }
void *m_realloc(void *p, int n) {
    if (hit(AllocSource::sqlite)) return nullptr;
    return g_sqlite_real.xRealloc(p, n);
}
int m_size(void *p) { return g_sqlite_real.xSize(p); }
int m_roundup(int n) { return g_sqlite_real.xRoundup(n); }
int m_init(void *app) { return g_sqlite_real.xInit(app); }
void m_shutdown(void *app) { g_sqlite_real.xShutdown(app); }

void *cjson_malloc(std::size_t n) {
    if (hit(AllocSource::cjson)) return nullptr;
    return std::malloc(n);
}
void cjson_free(void *p) { std::free(p); }

void *cxx_alloc(std::size_t n) {
    if (hit(AllocSource::cxx)) return nullptr;
    return std::malloc(n == 0 ? 1 : n);
}
void *cxx_alloc_aligned(std::size_t n, std::align_val_t al) {
    if (hit(AllocSource::cxx)) return nullptr;
    auto a = static_cast<std::size_t>(al);
    std::size_t size = (n + a - 1) / a * a;
    return std::aligned_alloc(a, size == 0 ? a : size);
}

}  // namespace

void AllocFaults::install() {
    cJSON_Hooks hooks{cjson_malloc, cjson_free};
    cJSON_InitHooks(&hooks);
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &g_sqlite_real) != SQLITE_OK) std::abort();
    sqlite3_mem_methods m = g_sqlite_real;
    m.xMalloc = m_malloc;
    m.xFree = m_free;
    m.xRealloc = m_realloc;
    m.xSize = m_size;
    m.xRoundup = m_roundup;
    m.xInit = m_init;
    m.xShutdown = m_shutdown;
    m.pAppData = g_sqlite_real.pAppData;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK) std::abort();
}

void AllocFaults::begin(AllocSource source, int64_t at, bool persistent) {
    g_tracking = Tracking{};
    g_tracking.source = source;
    g_tracking.at = at;
    g_tracking.persistent = persistent;
    t_tracked = true;
}

AllocCounts AllocFaults::end() {
    t_tracked = false;
    g_tracking.at = 0;
    return g_tracking.counts;
}

bool AllocFaults::fired() { return g_tracking.fired; }

}  // namespace presend::test

// The replaceable global allocation functions ([new.delete]). Every form
// goes through malloc/free, so each new has its matching delete here.
void *operator new(std::size_t n) {
    void *p = presend::test::cxx_alloc(n);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}
void *operator new[](std::size_t n) { return operator new(n); }
void *operator new(std::size_t n, const std::nothrow_t &) noexcept { return presend::test::cxx_alloc(n); }
void *operator new[](std::size_t n, const std::nothrow_t &) noexcept { return presend::test::cxx_alloc(n); }
void *operator new(std::size_t n, std::align_val_t al) {
    void *p = presend::test::cxx_alloc_aligned(n, al);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}
void *operator new[](std::size_t n, std::align_val_t al) { return operator new(n, al); }
void *operator new(std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept {
    return presend::test::cxx_alloc_aligned(n, al);
}
void *operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept {
    return presend::test::cxx_alloc_aligned(n, al);
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }
void operator delete(void *p, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete(void *p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void *p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void *p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void *p, std::align_val_t, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete[](void *p, std::align_val_t, const std::nothrow_t &) noexcept { std::free(p); }
