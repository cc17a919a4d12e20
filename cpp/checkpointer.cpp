#include "checkpointer.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>

namespace presend {

Checkpointer::~Checkpointer() {
    std::unique_lock lock(mu_);
    if (!started_ || owner_ != ::getpid()) {
        // No thread of ours to stop. A connection another process's thread
        // opened (a fork that bypassed the atfork handlers) is not ours to close.
        if (conn_) conn_->abandon();
        return;
    }
    stop_ = true;
    cv_.notify_one();
    lock.unlock();
    pthread_join(thread_, nullptr);
}

void Checkpointer::attach(Conn &conn, std::unique_ptr<Checkpointer> *self) {
    sqlite3_wal_hook(conn.db().handle(), &Checkpointer::on_commit, self);
}

int Checkpointer::on_commit(void *self, sqlite3 *db, const char *name, int frames) {
    auto *holder = static_cast<std::unique_ptr<Checkpointer> *>(self);
    if (frames >= kInlineFrames) {
        // The thread is not keeping up (or could not start): bound the WAL here.
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (frames >= kSignalFrames && *holder) {
        (*holder)->signal(frames);
    }
    return SQLITE_OK;
}

void Checkpointer::signal(int frames) {
    std::lock_guard lock(mu_);
    if (stop_) return;
    if (!started_ || owner_ != ::getpid()) {
        // Signals are cheap and frequent; the thread starts once per process.
        owner_ = ::getpid();
        if (pthread_create(&thread_, nullptr, &Checkpointer::thread_main, this) != 0) {
            started_ = false;  // inline checkpoints at kInlineFrames still bound the WAL
            return;
        }
        started_ = true;
    }
    pending_ = true;
    frames_ = frames;
    // Past kSignalFrames every commit signals until a checkpoint shrinks the
    // WAL; waking the thread while it sits out its interval would cost each
    // of those commits a futex wake and a context switch for nothing. It
    // sees pending_ when the interval ends.
    if (idle_) cv_.notify_one();
}

void *Checkpointer::thread_main(void *self) {
    // Named, so that top, perf and gdb tell it from the host's threads.
    pthread_setname_np(pthread_self(), "presend-ckpt");
    static_cast<Checkpointer *>(self)->loop();
    return nullptr;
}

void Checkpointer::loop() {
    std::unique_lock lock(mu_);
    for (;;) {
        idle_ = true;
        cv_.wait(lock, [this] { return pending_ || stop_; });
        idle_ = false;
        if (stop_) break;
        pending_ = false;
        int mode = frames_ >= kRestartFrames ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
        lock.unlock();
        {
            std::lock_guard running(running_);
            checkpoint(mode);
        }
        lock.lock();
        ++runs_;
        // At most one checkpoint per interval, however often commits signal.
        cv_.wait_for(lock, std::chrono::milliseconds(kMinIntervalMs), [this] { return stop_; });
        if (stop_) break;
    }
    lock.unlock();
    std::lock_guard running(running_);
    conn_.reset();
}

void Checkpointer::checkpoint(int mode) {
    if (!conn_) {
        try {
            conn_ = std::make_unique<Conn>(options_);
        } catch (...) {
            return;  // the store cannot be opened now; commits checkpoint inline past kInlineFrames
        }
    }
    sqlite3_wal_checkpoint_v2(conn_->db().handle(), nullptr, mode, nullptr, nullptr);
}

void Checkpointer::before_fork() {
    mu_.lock();
    running_.lock();  // no checkpoint is running: the connection holds no lock
    conn_.reset();    // and the child inherits no SQLite state of it
}

void Checkpointer::after_fork_parent() {
    running_.unlock();
    mu_.unlock();
}

void Checkpointer::after_fork_child() noexcept {
    // The child never uses, stops or destroys this object, but the forking
    // thread (the child's only one) took these locks in before_fork: release
    // them rather than leave them held for the life of the child.
    running_.unlock();
    mu_.unlock();
}

int64_t Checkpointer::runs() const {
    std::lock_guard lock(mu_);
    return runs_;
}

}  // namespace presend
