// presend_compare_data: the data of the comparison with the alternatives
// (bench/compare/README.md), beside the presend store that
// `presend_bench --setup-only` builds from the same generator:
//
//   DIR/alt-<records>.db           the database the hand-written alternatives
//                                  query: the same subscribers and suppressions
//                                  in the tables a web application would have
//   DIR/messages-<records>.jsonl   the messages every contender checks, in
//                                  presend's message JSON, one per line
//
// Both are rebuilt only when their marker file (same name + ".bench") does
// not match the parameters. The alternatives' database is written with the
// system's SQLite, the one every contender uses.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../bench_data.hpp"

namespace {

using namespace presend_bench;

// Bump when the tables or the message file change.
constexpr int kFormatVersion = 1;

struct Options {
    std::string dir = "bench-data";
    int64_t records = 1000000;
    int64_t suppressions = -1;  // default: records / 100
    int64_t domains = 1000;
    int64_t messages = 50000;
    int recipients = 5;
    double unknown_pct = 2.0;
    uint64_t seed = 1;
    bool fresh = false;
};

constexpr const char *kUsage =
    "usage: presend_compare_data [options]\n"
    "\n"
    "Writes the alternatives' database (DIR/alt-N.db) and the messages every contender\n"
    "checks (DIR/messages-N.jsonl) for a population of N subscribers, from the generator\n"
    "of presend_bench (whose --setup-only builds presend's store of the same people).\n"
    "\n"
    "  --dir DIR            output directory (default: bench-data)\n"
    "  --records N          subscribers with a consent record (default: 1000000)\n"
    "  --suppressions N     suppressed subscribers (default: records / 100)\n"
    "  --domains N          recipient domains (default: 1000)\n"
    "  --messages N         distinct messages in the message file (default: 50000)\n"
    "  --recipients N       recipients per message (default: 5)\n"
    "  --unknown-pct P      percent of recipients without a consent record (default: 2)\n"
    "  --seed N             seed of the recipient choice (default: 1)\n"
    "  --fresh              rebuild even if the marker files match\n"
    "  --help               this text\n"
    "\n"
    "Prints the two paths, one per line.\n";

[[noreturn]] void die(const std::string &why) {
    std::fprintf(stderr, "presend_compare_data: %s\n", why.c_str());
    std::exit(1);
}

[[noreturn]] void usage_error(const std::string &why) {
    std::fprintf(stderr, "presend_compare_data: %s\n(see presend_compare_data --help)\n", why.c_str());
    std::exit(2);
}

int64_t parse_int(const std::string &name, const char *v, int64_t min, int64_t max) {
    char *end = nullptr;
    errno = 0;
    long long n = std::strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
        usage_error(name + " takes an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return n;
}

Options parse_options(int argc, char **argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc) usage_error(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        } else if (arg == "--dir") {
            o.dir = value();
        } else if (arg == "--records") {
            o.records = parse_int(arg, value(), 1, 1000000000);
        } else if (arg == "--suppressions") {
            o.suppressions = parse_int(arg, value(), 0, 1000000000);
        } else if (arg == "--domains") {
            o.domains = parse_int(arg, value(), 1, 1000000);
        } else if (arg == "--messages") {
            o.messages = parse_int(arg, value(), 1, 100000000);
        } else if (arg == "--recipients") {
            o.recipients = static_cast<int>(parse_int(arg, value(), 1, 50));
        } else if (arg == "--unknown-pct") {
            const char *v = value();
            char *end = nullptr;
            o.unknown_pct = std::strtod(v, &end);
            if (end == v || *end != '\0' || o.unknown_pct < 0 || o.unknown_pct > 100) {
                usage_error("--unknown-pct takes a percentage");
            }
        } else if (arg == "--seed") {
            o.seed = static_cast<uint64_t>(parse_int(arg, value(), 0, INT64_MAX));
        } else if (arg == "--fresh") {
            o.fresh = true;
        } else {
            usage_error("unknown option " + arg);
        }
    }
    if (o.suppressions < 0) o.suppressions = o.records / 100;
    if (o.suppressions > o.records) o.suppressions = o.records;
    return o;
}

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const std::string &path, const std::string &text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) die("cannot write " + path);
}

void remove_db(const std::string &path) {
    for (const char *suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((path + suffix).c_str());
}

class Db {
public:
    explicit Db(const std::string &path) {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) die("cannot open " + path + ": " + sqlite3_errmsg(db_));
    }
    ~Db() { sqlite3_close(db_); }
    Db(const Db &) = delete;
    Db &operator=(const Db &) = delete;

    void exec(const char *sql) {
        char *err = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            std::string why = err != nullptr ? err : "?";
            sqlite3_free(err);
            die(std::string("SQL failed: ") + why + "\n" + sql);
        }
    }
    sqlite3_stmt *prepare(const char *sql) {
        sqlite3_stmt *st = nullptr;
        if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) die(std::string("prepare: ") + sqlite3_errmsg(db_));
        return st;
    }
    void step_done(sqlite3_stmt *st) {
        if (sqlite3_step(st) != SQLITE_DONE) die(std::string("insert: ") + sqlite3_errmsg(db_));
        sqlite3_reset(st);
    }

private:
    sqlite3 *db_ = nullptr;
};

// The schema a web application's migrations would make: an integer id per
// row, a unique index for the lookups, timestamps as text.
constexpr const char *kSchema = R"sql(
CREATE TABLE subscribers(
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  email        TEXT NOT NULL,
  list         TEXT NOT NULL,
  status       TEXT NOT NULL,          -- subscribed | unconfirmed | unsubscribed
  method       TEXT NOT NULL,          -- single | double
  consented_at TEXT NOT NULL,
  confirmed_at TEXT,
  withdrawn_at TEXT,
  source       TEXT,
  ip           TEXT,
  country      TEXT
);
CREATE UNIQUE INDEX subscribers_email_list_unique ON subscribers(email, list);

CREATE TABLE suppressions(
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  email      TEXT NOT NULL,
  list       TEXT,                     -- NULL: every list
  reason     TEXT NOT NULL,            -- bounce | complaint | manual | unsubscribe
  created_at TEXT NOT NULL
);
CREATE INDEX suppressions_email_index ON suppressions(email);

-- Recipients sent per second: the rolling 24 hours are the sum of the last
-- 86,400 rows, the current second's row is the per-second rate.
CREATE TABLE send_counters(
  second INTEGER PRIMARY KEY,
  sent   INTEGER NOT NULL
);

-- Every recipient's verdict, as the audit log of the application.
CREATE TABLE decisions(
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL,
  recipient  TEXT NOT NULL,
  verdict    TEXT NOT NULL,            -- allow | block | defer
  reason     TEXT,
  created_at INTEGER NOT NULL
);
)sql";

std::vector<std::string> split_csv_row(const std::string &row) {
    // The generator's fields never contain commas or quotes.
    std::vector<std::string> out;
    size_t start = 0;
    while (true) {
        size_t comma = row.find(',', start);
        out.push_back(row.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

void bind_text_or_null(sqlite3_stmt *st, int i, const std::string &v) {
    if (v.empty()) {
        sqlite3_bind_null(st, i);
    } else {
        sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    }
}

void build_alt_db(const Options &o, const std::string &path) {
    remove_db(path);
    std::string tmp = path + ".building";
    remove_db(tmp);
    {
        Db db(tmp);
        db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;");
        db.exec(kSchema);
        db.exec("BEGIN");
        sqlite3_stmt *ins = db.prepare(
            "INSERT INTO subscribers(email, list, status, method, consented_at, confirmed_at, withdrawn_at, source, ip, "
            "country) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        std::string row;
        for (int64_t i = 0; i < o.records; ++i) {
            row.clear();
            append_consent_csv(row, i, o.domains);
            row.pop_back();  // the newline
            std::vector<std::string> f = split_csv_row(row);
            if (f.size() != 10) die("unexpected consent row: " + row);
            for (int c = 0; c < 10; ++c) bind_text_or_null(ins, c + 1, f[static_cast<size_t>(c)]);
            db.step_done(ins);
        }
        sqlite3_finalize(ins);
        sqlite3_stmt *sup =
            db.prepare("INSERT INTO suppressions(email, list, reason, created_at) VALUES(?1, ?2, ?3, '2026-01-01T00:00:00Z')");
        for (int64_t k = 0; k < o.suppressions; ++k) {
            SuppressionRow s = suppression_row(k, o.records, o.domains);
            sqlite3_bind_text(sup, 1, s.address.data(), static_cast<int>(s.address.size()), SQLITE_TRANSIENT);
            if (s.list_scoped) {
                sqlite3_bind_text(sup, 2, kList, -1, SQLITE_STATIC);
            } else {
                sqlite3_bind_null(sup, 2);
            }
            sqlite3_bind_text(sup, 3, s.reason, -1, SQLITE_STATIC);
            db.step_done(sup);
        }
        sqlite3_finalize(sup);
        db.exec("COMMIT");
        db.exec("ANALYZE; PRAGMA journal_mode=WAL;");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) die("cannot rename " + tmp + ": " + std::strerror(errno));
    remove_db(tmp);
}

void build_messages(const Options &o, const std::string &path) {
    std::string tmp = path + ".building";
    FILE *f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr) die("cannot create " + tmp + ": " + std::strerror(errno));
    Rng rng(o.seed);
    auto unknown_bp = static_cast<uint64_t>(o.unknown_pct * 100.0 + 0.5);
    std::string msg;
    for (int64_t i = 0; i < o.messages; ++i) {
        build_message(msg, rng, o.recipients, o.records, o.domains, unknown_bp, "cmp", static_cast<uint64_t>(i));
        msg += '\n';
        if (std::fwrite(msg.data(), 1, msg.size(), f) != msg.size()) die("cannot write " + tmp);
    }
    if (std::fclose(f) != 0) die("cannot write " + tmp);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) die("cannot rename " + tmp + ": " + std::strerror(errno));
}

}  // namespace

int main(int argc, char **argv) {
    Options o = parse_options(argc, argv);
    if (::mkdir(o.dir.c_str(), 0755) != 0 && errno != EEXIST) die("cannot create " + o.dir + ": " + std::strerror(errno));

    std::string n = std::to_string(o.records);
    std::string alt = o.dir + "/alt-" + n + ".db";
    char alt_meta[256];
    std::snprintf(alt_meta, sizeof alt_meta,
                  "format %d, generator %d, records %" PRId64 ", suppressions %" PRId64 ", domains %" PRId64 "\n",
                  kFormatVersion, kGeneratorVersion, o.records, o.suppressions, o.domains);
    if (o.fresh || read_file(alt + ".bench") != alt_meta || ::access(alt.c_str(), R_OK) != 0) {
        ::unlink((alt + ".bench").c_str());
        build_alt_db(o, alt);
        write_file(alt + ".bench", alt_meta);
    }

    std::string msgs = o.dir + "/messages-" + n + ".jsonl";
    char msg_meta[256];
    std::snprintf(msg_meta, sizeof msg_meta,
                  "format %d, generator %d, records %" PRId64 ", domains %" PRId64 ", messages %" PRId64
                  ", recipients %d, unknown %.4f, seed %" PRIu64 "\n",
                  kFormatVersion, kGeneratorVersion, o.records, o.domains, o.messages, o.recipients, o.unknown_pct,
                  o.seed);
    if (o.fresh || read_file(msgs + ".bench") != msg_meta || ::access(msgs.c_str(), R_OK) != 0) {
        ::unlink((msgs + ".bench").c_str());
        build_messages(o, msgs);
        write_file(msgs + ".bench", msg_meta);
    }
    std::printf("%s\n%s\n", alt.c_str(), msgs.c_str());
    return 0;
}
