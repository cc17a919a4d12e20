#include "fault_vfs.hpp"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace presend::test {

namespace {

// The state of the one counted thread. Only that thread reads or writes it
// (every other thread sees tracked == false), so it needs no lock.
struct Tracking {
    IoCounts counts{};
    IoOp op = IoOp::read;
    int64_t at = 0;
    bool lasting = false;
    bool fired = false;
};
Tracking g_tracking;
thread_local bool t_tracked = false;

sqlite3_vfs *g_real = nullptr;

// Counts one call of `op`; true when it must fail.
bool hit(IoOp op) {
    if (!t_tracked) return false;
    int64_t n = ++g_tracking.counts[static_cast<size_t>(op)];
    if (op == IoOp::write) ++g_tracking.counts[static_cast<size_t>(IoOp::full)];
    if (g_tracking.at <= 0) return false;
    bool fail = false;
    if (g_tracking.op == IoOp::full) fail = op == IoOp::write && n >= g_tracking.at;
    else fail = g_tracking.op == op && (g_tracking.lasting ? n >= g_tracking.at : n == g_tracking.at);
    if (fail) g_tracking.fired = true;
    return fail;
}

// A file of the shim: the wrapped VFS's file follows it in the same block.
struct ShimFile {
    sqlite3_file base;
    sqlite3_file *real;
};

sqlite3_file *real_of(sqlite3_file *f) { return reinterpret_cast<ShimFile *>(f)->real; }

int x_close(sqlite3_file *f) {
    sqlite3_file *r = real_of(f);
    int rc = r->pMethods->xClose(r);
    f->pMethods = nullptr;
    return rc;
}
int x_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off) {
    if (hit(IoOp::read)) return SQLITE_IOERR_READ;
    sqlite3_file *r = real_of(f);
    return r->pMethods->xRead(r, buf, amt, off);
}
int x_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off) {
    if (hit(IoOp::write)) return g_tracking.op == IoOp::full ? SQLITE_FULL : SQLITE_IOERR_WRITE;
    sqlite3_file *r = real_of(f);
    return r->pMethods->xWrite(r, buf, amt, off);
}
int x_truncate(sqlite3_file *f, sqlite3_int64 size) {
    if (hit(IoOp::truncate)) return SQLITE_IOERR_TRUNCATE;
    sqlite3_file *r = real_of(f);
    return r->pMethods->xTruncate(r, size);
}
int x_sync(sqlite3_file *f, int flags) {
    if (hit(IoOp::sync)) return SQLITE_IOERR_FSYNC;
    sqlite3_file *r = real_of(f);
    return r->pMethods->xSync(r, flags);
}
int x_file_size(sqlite3_file *f, sqlite3_int64 *size) {
    if (hit(IoOp::file_size)) return SQLITE_IOERR_FSTAT;
    sqlite3_file *r = real_of(f);
    return r->pMethods->xFileSize(r, size);
}
int x_lock(sqlite3_file *f, int level) {
    if (hit(IoOp::lock)) return SQLITE_IOERR_LOCK;
    sqlite3_file *r = real_of(f);
    return r->pMethods->xLock(r, level);
}
// Releasing a lock is never faulted: SQLite ignores the result of an
// unlock, so a skipped one would leave a lock no real system leaves.
int x_unlock(sqlite3_file *f, int level) {
    sqlite3_file *r = real_of(f);
    return r->pMethods->xUnlock(r, level);
}
int x_check_reserved_lock(sqlite3_file *f, int *out) {
    sqlite3_file *r = real_of(f);
    return r->pMethods->xCheckReservedLock(r, out);
}
int x_file_control(sqlite3_file *f, int op, void *arg) {
    sqlite3_file *r = real_of(f);
    return r->pMethods->xFileControl(r, op, arg);
}
int x_sector_size(sqlite3_file *f) {
    sqlite3_file *r = real_of(f);
    return r->pMethods->xSectorSize(r);
}
int x_device_characteristics(sqlite3_file *f) {
    sqlite3_file *r = real_of(f);
    return r->pMethods->xDeviceCharacteristics(r);
}
int x_shm_map(sqlite3_file *f, int page, int page_size, int extend, void volatile **out) {
    if (hit(IoOp::shm_map)) {
        *out = nullptr;
        return SQLITE_IOERR_SHMMAP;
    }
    sqlite3_file *r = real_of(f);
    return r->pMethods->xShmMap(r, page, page_size, extend, out);
}
int x_shm_lock(sqlite3_file *f, int offset, int n, int flags) {
    if ((flags & SQLITE_SHM_LOCK) != 0 && hit(IoOp::shm_lock)) return SQLITE_IOERR_SHMLOCK;
    sqlite3_file *r = real_of(f);
    return r->pMethods->xShmLock(r, offset, n, flags);
}
void x_shm_barrier(sqlite3_file *f) {
    sqlite3_file *r = real_of(f);
    r->pMethods->xShmBarrier(r);
}
int x_shm_unmap(sqlite3_file *f, int delete_flag) {
    sqlite3_file *r = real_of(f);
    return r->pMethods->xShmUnmap(r, delete_flag);
}
int x_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **out) {
    if (hit(IoOp::fetch)) {
        *out = nullptr;
        return SQLITE_IOERR_MMAP;
    }
    sqlite3_file *r = real_of(f);
    return r->pMethods->xFetch(r, off, amt, out);
}
int x_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p) {
    sqlite3_file *r = real_of(f);
    return r->pMethods->xUnfetch(r, off, p);
}

// Version 3, as the unix VFS's files (checked when a file opens).
const sqlite3_io_methods kMethods = {
    3,           x_close,        x_read,         x_write,      x_truncate,       x_sync,
    x_file_size, x_lock,         x_unlock,       x_check_reserved_lock,          x_file_control,
    x_sector_size, x_device_characteristics,     x_shm_map,    x_shm_lock,       x_shm_barrier,
    x_shm_unmap, x_fetch,        x_unfetch,
};

int v_open(sqlite3_vfs *, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags) {
    auto *f = reinterpret_cast<ShimFile *>(file);
    f->base.pMethods = nullptr;
    f->real = reinterpret_cast<sqlite3_file *>(f + 1);
    f->real->pMethods = nullptr;
    if (hit(IoOp::open)) return SQLITE_CANTOPEN;
    int rc = g_real->xOpen(g_real, name, f->real, flags, out_flags);
    // When the real open leaves methods behind (even failing), SQLite will
    // call xClose through ours.
    if (f->real->pMethods != nullptr) {
        if (f->real->pMethods->iVersion < 3) std::abort();  // the shim forwards version 3 methods
        f->base.pMethods = &kMethods;
    }
    return rc;
}
int v_delete(sqlite3_vfs *, const char *name, int sync_dir) { return g_real->xDelete(g_real, name, sync_dir); }
int v_access(sqlite3_vfs *, const char *name, int flags, int *out) {
    if (hit(IoOp::access)) return SQLITE_IOERR_ACCESS;
    return g_real->xAccess(g_real, name, flags, out);
}
int v_full_pathname(sqlite3_vfs *, const char *name, int n, char *out) {
    return g_real->xFullPathname(g_real, name, n, out);
}
void *v_dl_open(sqlite3_vfs *, const char *name) { return g_real->xDlOpen(g_real, name); }
void v_dl_error(sqlite3_vfs *, int n, char *out) { g_real->xDlError(g_real, n, out); }
void (*v_dl_sym(sqlite3_vfs *, void *h, const char *sym))(void) { return g_real->xDlSym(g_real, h, sym); }
void v_dl_close(sqlite3_vfs *, void *h) { g_real->xDlClose(g_real, h); }
int v_randomness(sqlite3_vfs *, int n, char *out) { return g_real->xRandomness(g_real, n, out); }
int v_sleep(sqlite3_vfs *, int us) { return g_real->xSleep(g_real, us); }
int v_current_time(sqlite3_vfs *, double *out) { return g_real->xCurrentTime(g_real, out); }
int v_get_last_error(sqlite3_vfs *, int n, char *out) { return g_real->xGetLastError(g_real, n, out); }
int v_current_time_int64(sqlite3_vfs *, sqlite3_int64 *out) { return g_real->xCurrentTimeInt64(g_real, out); }
int v_set_system_call(sqlite3_vfs *, const char *name, sqlite3_syscall_ptr p) {
    return g_real->xSetSystemCall(g_real, name, p);
}
sqlite3_syscall_ptr v_get_system_call(sqlite3_vfs *, const char *name) { return g_real->xGetSystemCall(g_real, name); }
const char *v_next_system_call(sqlite3_vfs *, const char *name) { return g_real->xNextSystemCall(g_real, name); }

sqlite3_vfs g_shim{};

}  // namespace

const char *io_op_name(IoOp op) noexcept {
    switch (op) {
        case IoOp::open: return "open";
        case IoOp::access: return "access";
        case IoOp::read: return "read";
        case IoOp::fetch: return "fetch";
        case IoOp::write: return "write";
        case IoOp::full: return "full";
        case IoOp::sync: return "sync";
        case IoOp::truncate: return "truncate";
        case IoOp::file_size: return "file_size";
        case IoOp::lock: return "lock";
        case IoOp::shm_map: return "shm_map";
        case IoOp::shm_lock: return "shm_lock";
    }
    return "?";
}

int io_op_error(IoOp op) noexcept {
    switch (op) {
        case IoOp::open: return SQLITE_CANTOPEN;
        case IoOp::access: return SQLITE_IOERR_ACCESS;
        case IoOp::read: return SQLITE_IOERR_READ;
        case IoOp::fetch: return SQLITE_IOERR_MMAP;
        case IoOp::write: return SQLITE_IOERR_WRITE;
        case IoOp::full: return SQLITE_FULL;
        case IoOp::sync: return SQLITE_IOERR_FSYNC;
        case IoOp::truncate: return SQLITE_IOERR_TRUNCATE;
        case IoOp::file_size: return SQLITE_IOERR_FSTAT;
        case IoOp::lock: return SQLITE_IOERR_LOCK;
        case IoOp::shm_map: return SQLITE_IOERR_SHMMAP;
        case IoOp::shm_lock: return SQLITE_IOERR_SHMLOCK;
    }
    return SQLITE_IOERR;
}

void FaultVfs::install() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sqlite3_initialize() != SQLITE_OK) std::abort();
        g_real = sqlite3_vfs_find(nullptr);
        if (g_real == nullptr || g_real->iVersion < 3) std::abort();
        g_shim.iVersion = 3;
        g_shim.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
        g_shim.mxPathname = g_real->mxPathname;
        g_shim.zName = "presend-fault";
        g_shim.xOpen = v_open;
        g_shim.xDelete = v_delete;
        g_shim.xAccess = v_access;
        g_shim.xFullPathname = v_full_pathname;
        g_shim.xDlOpen = v_dl_open;
        g_shim.xDlError = v_dl_error;
        g_shim.xDlSym = v_dl_sym;
        g_shim.xDlClose = v_dl_close;
        g_shim.xRandomness = v_randomness;
        g_shim.xSleep = v_sleep;
        g_shim.xCurrentTime = v_current_time;
        g_shim.xGetLastError = v_get_last_error;
        g_shim.xCurrentTimeInt64 = v_current_time_int64;
        g_shim.xSetSystemCall = v_set_system_call;
        g_shim.xGetSystemCall = v_get_system_call;
        g_shim.xNextSystemCall = v_next_system_call;
        if (sqlite3_vfs_register(&g_shim, 1) != SQLITE_OK) std::abort();
    });
}

const char *FaultVfs::real_name() { return g_real != nullptr ? g_real->zName : nullptr; }

void FaultVfs::begin(IoOp op, int64_t at, bool lasting) {
    g_tracking = Tracking{};
    g_tracking.op = op;
    g_tracking.at = at;
    g_tracking.lasting = lasting;
    t_tracked = true;
}

IoCounts FaultVfs::end() {
    t_tracked = false;
    g_tracking.at = 0;
    return g_tracking.counts;
}

bool FaultVfs::fired() { return g_tracking.fired; }

}  // namespace presend::test
