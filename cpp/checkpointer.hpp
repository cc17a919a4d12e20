// Moves WAL checkpoints off the checking path.
//
// SQLite's automatic checkpoint runs inside the commit that pushes the WAL
// over its threshold, with two fdatasyncs. Worse, while other processes keep
// reading, a checkpoint rarely lets the WAL restart, so the WAL stays over
// the threshold and every later commit attempts a checkpoint again (measured:
// one checkpoint per ~9 reserving checks with 4 processes). Here, commits
// only signal; a thread of this process, with its own connection, runs the
// checkpoints, at most one per interval. Most are PASSIVE (they never block
// a writer). But a PASSIVE checkpoint beside a steady writer never catches
// up with the last frame, and only a fully copied log can restart from its
// beginning, so past kRestartFrames the thread runs a RESTART checkpoint,
// which holds writers back for its duration (about a millisecond) so that
// the log restarts and the file stops growing. A commit checkpoints inline
// only if the WAL outgrows a hard limit because the thread cannot keep up.
//
// The thread starts on the first signal, not when the engine opens: a
// process that only forks workers (PHP-FPM's master) never gets one. After
// fork() the child forgets the parent's checkpointer (the thread does not
// exist there) and starts its own when needed.
//
// The thread's connection is closed before every fork (and opened again for
// the next checkpoint): a connection open at fork() leaves, in the child,
// SQLite's per-process record that the file is locked, and the child's own
// connections then take no real locks (SQLite counts them against the
// inherited one). Another process closing the store would then take the
// child for gone, checkpoint and delete the WAL under it, and the child's
// later commits would be lost or corrupt the file.
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "store.hpp"

struct sqlite3;

namespace presend {

class Checkpointer {
public:
    static constexpr int kSignalFrames = 1000;    // as SQLite's default autocheckpoint
    static constexpr int kRestartFrames = 4000;   // about 16 MB of WAL
    static constexpr int kInlineFrames = 50000;   // about 200 MB of WAL
    static constexpr int64_t kMinIntervalMs = 20;

    explicit Checkpointer(StoreOptions options) : options_(std::move(options)) {}
    ~Checkpointer();
    Checkpointer(const Checkpointer &) = delete;
    Checkpointer &operator=(const Checkpointer &) = delete;

    // Installs the commit hook on a write connection. `self` must outlive it.
    static void attach(Conn &conn, std::unique_ptr<Checkpointer> *self);

    // fork() support (called with the engine registry locked).
    void before_fork();
    void after_fork_parent();
    // Forgets this object in the child: its thread does not exist there and
    // its connection must not be touched. The caller leaks it and makes a new one.
    void after_fork_child() noexcept;

    // Number of checkpoints the thread ran (for tests).
    int64_t runs() const;

private:
    static int on_commit(void *self, sqlite3 *db, const char *name, int frames);
    static void *thread_main(void *self);
    void signal(int frames);
    void loop();
    void checkpoint(int mode);  // with running_ held

    StoreOptions options_;
    mutable std::mutex mu_;
    // Held while a checkpoint runs (without mu_, so that commits signalling
    // the thread never wait for a checkpoint). fork() takes it too: a child
    // must not inherit SQLite's record of locks a checkpoint in another
    // thread held at that instant, which no one in the child would release.
    std::mutex running_;
    std::unique_ptr<Conn> conn_;  // the thread's connection, under running_; closed before fork
    std::condition_variable cv_;
    bool pending_ = false;
    bool idle_ = false;  // the thread waits for a signal (not for its interval to pass)
    int frames_ = 0;  // WAL size at the last signal
    bool stop_ = false;
    bool started_ = false;
    pid_t owner_ = 0;
    pthread_t thread_{};
    int64_t runs_ = 0;
};

}  // namespace presend
