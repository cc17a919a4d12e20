#include "checkpointer.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>

namespace presend {

Checkpointer::~Checkpointer() {
    std::unique_lock lock(mu_);
    if (!started_ || owner_ != ::getpid()) return;  // no thread of ours to stop
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
    cv_.notify_one();
}

void *Checkpointer::thread_main(void *self) {
    static_cast<Checkpointer *>(self)->loop();
    return nullptr;
}

void Checkpointer::loop() {
    std::unique_ptr<Conn> conn;
    try {
        conn = std::make_unique<Conn>(options_);
    } catch (...) {
        return;  // the store cannot be opened now; commits checkpoint inline past kInlineFrames
    }
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait(lock, [this] { return pending_ || stop_; });
        if (stop_) break;
        pending_ = false;
        int mode = frames_ >= kRestartFrames ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
        lock.unlock();
        sqlite3_wal_checkpoint_v2(conn->db().handle(), nullptr, mode, nullptr, nullptr);
        lock.lock();
        ++runs_;
        // At most one checkpoint per interval, however often commits signal.
        cv_.wait_for(lock, std::chrono::milliseconds(kMinIntervalMs), [this] { return stop_; });
        if (stop_) break;
    }
}

void Checkpointer::before_fork() { mu_.lock(); }

void Checkpointer::after_fork_parent() { mu_.unlock(); }

void Checkpointer::after_fork_child() noexcept {
    // Nothing to do: the child never uses, stops or destroys this object.
}

int64_t Checkpointer::runs() const {
    std::lock_guard lock(mu_);
    return runs_;
}

}  // namespace presend
