#include "sqlite.hpp"

#include <sqlite3.h>

#include <limits>
#include <utility>

namespace presend {

Status status_from_sqlite(int rc) noexcept {
    switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE: return Status::ok;
        case SQLITE_NOMEM: return Status::no_memory;
        case SQLITE_READONLY: return Status::readonly;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return Status::corrupt;
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return Status::busy;
        case SQLITE_CANTOPEN:
        case SQLITE_IOERR:
        case SQLITE_FULL:
        default: return Status::store;
    }
}

Db::Db(const std::string &path, OpenMode mode) : path_(path) {
    // Each connection is used by one thread at a time (the engine's pool
    // hands it out), so SQLite's per-connection mutex is not needed.
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    flags |= mode == OpenMode::read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        Status s = status_from_sqlite(rc);
        if ((rc & 0xff) == SQLITE_CANTOPEN) s = Status::store;
        fail(s, "cannot open store \"" + path + "\": " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() {
    if (db_ == nullptr) return;
    for (sqlite3_stmt *s : control_) sqlite3_finalize(s);
    sqlite3_close_v2(db_);
}

void Db::control(Control which) {
    static constexpr const char *kSql[] = {"BEGIN DEFERRED", "BEGIN IMMEDIATE", "COMMIT"};
    auto i = static_cast<size_t>(which);
    if (control_[i] == nullptr) {
        int rc = sqlite3_prepare_v3(db_, kSql[i], -1, SQLITE_PREPARE_PERSISTENT, &control_[i], nullptr);
        if (rc != SQLITE_OK) raise(rc, std::string("preparing \"") + kSql[i] + "\"");
    }
    int rc = sqlite3_step(control_[i]);
    sqlite3_reset(control_[i]);
    if (rc != SQLITE_DONE) raise(rc, std::string("executing \"") + kSql[i] + "\"");
}

void Db::raise(int rc, std::string_view context) const {
    std::string msg(context);
    msg += ": ";
    msg += db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    Status s = status_from_sqlite(rc);
    if (s == Status::readonly) msg += " (the store file or its directory is read-only)";
    fail(s, "store \"" + path_ + "\": " + msg);
}

void Db::exec(std::string_view sql) {
    std::string copy(sql);
    char *err = nullptr;
    int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        sqlite3_free(err);
        raise(rc, "executing \"" + copy.substr(0, 60) + "\"");
    }
}

bool Db::end_open_transaction() noexcept {
    if (db_ == nullptr || sqlite3_get_autocommit(db_) != 0) return true;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return sqlite3_get_autocommit(db_) != 0;
}

bool Db::readonly() const noexcept { return sqlite3_db_readonly(db_, "main") == 1; }
int64_t Db::changes() const noexcept { return sqlite3_changes64(db_); }

Stmt::Stmt(Db &db, std::string_view sql) : db_(&db) {
    int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                &stmt_, nullptr);
    if (rc != SQLITE_OK) db.raise(rc, "preparing \"" + std::string(sql.substr(0, 60)) + "\"");
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt::Stmt(Stmt &&other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Stmt &Stmt::operator=(Stmt &&other) noexcept {
    if (this != &other) {
        sqlite3_finalize(stmt_);
        db_ = other.db_;
        stmt_ = std::exchange(other.stmt_, nullptr);
    }
    return *this;
}

Stmt &Stmt::bind(int i, std::string_view v) {
    int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) db_->raise(rc, "binding a parameter");
    return *this;
}
Stmt &Stmt::bind_blob(int i, std::string_view bytes) {
    int rc = sqlite3_bind_blob64(stmt_, i, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_->raise(rc, "binding a parameter");
    return *this;
}
Stmt &Stmt::bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
}
Stmt &Stmt::bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
}
Stmt &Stmt::bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
}
Stmt &Stmt::bind(int i, const std::optional<int64_t> &v) { return v ? bind(i, *v) : bind_null(i); }
Stmt &Stmt::bind_text_or_null(int i, std::string_view v) { return v.empty() ? bind_null(i) : bind(i, v); }

bool Stmt::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // Keep the statement reusable, then report.
    sqlite3_reset(stmt_);
    db_->raise(rc, "running a statement");
}

void Stmt::run() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
}

void Stmt::reset() noexcept {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Stmt::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
double Stmt::real(int col) const { return sqlite3_column_double(stmt_, col); }
std::string_view Stmt::text(int col) const {
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(stmt_, col));
    if (p == nullptr) return {};
    return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}
std::string_view Stmt::blob(int col) const {
    const auto *p = static_cast<const char *>(sqlite3_column_blob(stmt_, col));
    if (p == nullptr) return {};
    return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}
std::optional<int64_t> Stmt::opt_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
}

Transaction::Transaction(Db &db, Kind kind) : db_(db) {
    db_.control(kind == Kind::immediate ? Db::Control::begin_immediate : Db::Control::begin_deferred);
    open_ = true;
}

Transaction::~Transaction() {
    if (open_ && db_.handle() != nullptr) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.control(Db::Control::commit);
    open_ = false;
}

}  // namespace presend
