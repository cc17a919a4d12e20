// Thin RAII over the SQLite C API: a connection, prepared statements with
// typed binds and columns, and transactions. Errors throw Failure with the
// presend status that fits the SQLite code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace presend {

// Maps a SQLite result code (primary or extended) to a presend status.
Status status_from_sqlite(int rc) noexcept;

class Db;

class Stmt {
public:
    Stmt() = default;
    Stmt(Db &db, std::string_view sql);
    ~Stmt();
    Stmt(Stmt &&other) noexcept;
    Stmt &operator=(Stmt &&other) noexcept;
    Stmt(const Stmt &) = delete;
    Stmt &operator=(const Stmt &) = delete;

    // Binds are 1-based, as in SQLite.
    Stmt &bind(int i, std::string_view v);
    Stmt &bind(int i, int64_t v);
    Stmt &bind(int i, double v);
    Stmt &bind_null(int i);
    Stmt &bind(int i, const std::optional<int64_t> &v);
    Stmt &bind_text_or_null(int i, std::string_view v);  // "" binds NULL
    Stmt &bind_blob(int i, std::string_view bytes);

    // Runs one step: true when a row is available.
    bool step();
    // Runs to completion (for statements that return no rows).
    void run();
    void reset() noexcept;  // resets and clears bindings
    // Forgets the statement without finalizing it (see Db::abandon).
    void leak() noexcept { stmt_ = nullptr; }

    bool is_null(int col) const;
    int64_t int64(int col) const;
    double real(int col) const;
    std::string_view text(int col) const;  // valid until the next step/reset
    std::string_view blob(int col) const;  // valid until the next step/reset
    std::optional<int64_t> opt_int64(int col) const;

    explicit operator bool() const noexcept { return stmt_ != nullptr; }

private:
    Db *db_ = nullptr;
    sqlite3_stmt *stmt_ = nullptr;
};

class Db {
public:
    enum class OpenMode { read_write_create, read_only };
    Db(const std::string &path, OpenMode mode);
    ~Db();
    Db(const Db &) = delete;
    Db &operator=(const Db &) = delete;

    // Runs one or more statements without results (schema, pragmas).
    void exec(std::string_view sql);
    // Throws Failure for rc with the connection's error text.
    [[noreturn]] void raise(int rc, std::string_view context) const;

    // BEGIN DEFERRED, BEGIN IMMEDIATE and COMMIT, prepared once per
    // connection: every check runs them, and sqlite3_exec would parse them
    // each time.
    enum class Control { begin_deferred, begin_immediate, commit };
    void control(Control which);

    // Leaves the connection open without using it again: for connections
    // inherited through fork(), which the child must neither use nor close
    // (closing could checkpoint and delete the parent's WAL file).
    void abandon() noexcept {
        db_ = nullptr;
        for (auto &s : control_) s = nullptr;  // they belong to the abandoned connection
    }

    // Rolls back a transaction still open -- one whose ROLLBACK failed
    // because SQLite was out of memory -- and says whether none is left.
    bool end_open_transaction() noexcept;

    bool readonly() const noexcept;
    int64_t changes() const noexcept;
    sqlite3 *handle() const noexcept { return db_; }
    const std::string &path() const noexcept { return path_; }

private:
    sqlite3 *db_ = nullptr;
    std::string path_;
    sqlite3_stmt *control_[3] = {nullptr, nullptr, nullptr};
};

// BEGIN (IMMEDIATE or DEFERRED) ... COMMIT, rolled back on scope exit
// unless committed.
class Transaction {
public:
    enum class Kind { deferred, immediate };
    Transaction(Db &db, Kind kind);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    void commit();

private:
    Db &db_;
    bool open_ = false;
};

}  // namespace presend
