// A SQLite VFS for fault injection: it wraps the default VFS (unix) and is
// registered as the new default, so an engine opened afterwards uses it with
// no change to presend. It counts the calls of each kind made by one thread
// and can fail exactly the k-th of one kind, or every call of that kind from
// the k-th on (a fault that lasts: for a full disk, always).
//
// Only the thread that called FaultVfs::begin() is counted and faulted: the
// engine's checkpoint thread (and anything else) runs undisturbed, so the
// numbering of the calls belongs to the operation under test.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace presend::test {

enum class IoOp {
    open,       // xOpen (a connection's WAL file, a new connection): SQLITE_CANTOPEN
    access,     // xAccess: SQLITE_IOERR_ACCESS
    read,       // xRead: SQLITE_IOERR_READ
    fetch,      // xFetch (reads through the memory map): SQLITE_IOERR_MMAP
    write,      // xWrite: SQLITE_IOERR_WRITE
    full,       // xWrite, the disk is full from the k-th write on: SQLITE_FULL
    sync,       // xSync: SQLITE_IOERR_FSYNC
    truncate,   // xTruncate: SQLITE_IOERR_TRUNCATE
    file_size,  // xFileSize: SQLITE_IOERR_FSTAT
    lock,       // xLock (taking a file lock): SQLITE_IOERR_LOCK
    shm_map,    // xShmMap (the WAL index): SQLITE_IOERR_SHMMAP
    shm_lock,   // xShmLock taking a WAL-index lock (never a release): SQLITE_IOERR_SHMLOCK
};
inline constexpr size_t kIoOps = 12;
inline constexpr std::array<IoOp, kIoOps> kAllIoOps = {
    IoOp::open,     IoOp::access,    IoOp::read, IoOp::fetch,   IoOp::write,   IoOp::full,
    IoOp::sync,     IoOp::truncate,  IoOp::file_size, IoOp::lock, IoOp::shm_map, IoOp::shm_lock};

const char *io_op_name(IoOp op) noexcept;
// The result code an injected fault of this kind returns.
int io_op_error(IoOp op) noexcept;

// Calls of each kind (IoOp::full counts writes, as IoOp::write does).
using IoCounts = std::array<int64_t, kIoOps>;

class FaultVfs {
public:
    // Wraps the current default VFS and registers the wrapper as the default.
    // Idempotent. Call before the engine opens its store.
    static void install();
    // The name of the wrapped (real) VFS, for opening a store past the shim.
    static const char *real_name();

    // Starts counting the calling thread's calls, from zero; with at > 0,
    // the at-th call of kind `op` fails, and with `lasting` every later one
    // too (IoOp::full always lasts).
    static void begin(IoOp op = IoOp::read, int64_t at = 0, bool lasting = false);
    // Stops counting and faulting; returns the counts since begin().
    static IoCounts end();
    // Whether the armed fault was injected since begin().
    static bool fired();
};

}  // namespace presend::test
