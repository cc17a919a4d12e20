"""A store that is damaged, not presend's, or read-only: exit 1 with a clear
message on stderr, never a crash, and nothing written where it must not be."""

import hashlib
import os
import shutil
import sqlite3
import subprocess

import pytest

from presend_cli import EXIT_ERROR, EXIT_OK, assert_error, assert_store_intact, marketing, transactional


# --- corrupt stores ---------------------------------------------------------------

# Commands that open the store, reading or writing.
STORE_COMMANDS = [
    ["quota", "status"],
    ["consent", "show", "a@example.org"],
    ["consent", "grant", "a@example.org", "--list", "weekly"],
    ["suppress", "list"],
    ["suppress", "add", "a@example.org"],
    ["check", "-"],
    ["check", "-", "--dry-run"],
    ["init"],
]


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def foreign_sqlite(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    db.execute("INSERT INTO notes (text) VALUES ('keep me')")
    db.commit()
    db.close()


@pytest.mark.parametrize("args", STORE_COMMANDS, ids=[" ".join(a) for a in STORE_COMMANDS])
def test_store_of_random_bytes(cli, args):
    store = cli.dir / "random.db"
    store.write_bytes(os.urandom(64 * 1024))
    digest = sha256(store)
    res = cli.run("--db", store, *args, input=transactional("a@example.org"))
    assert_error(res, "corrupt", "not a presend store", "not a database")
    assert sha256(store) == digest, "presend changed a file that is not its store"


@pytest.mark.parametrize("args", STORE_COMMANDS, ids=[" ".join(a) for a in STORE_COMMANDS])
def test_store_that_is_another_sqlite_database(cli, args):
    store = cli.dir / "notes.db"
    foreign_sqlite(store)
    res = cli.run("--db", store, *args, input=transactional("a@example.org"))
    assert_error(res, "not a presend store")
    db = sqlite3.connect(store)
    assert db.execute("SELECT text FROM notes").fetchall() == [("keep me",)]
    assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["notes"]
    db.close()


def test_another_sqlite_database_is_not_modified(cli):
    store = cli.dir / "notes.db"
    foreign_sqlite(store)
    digest = sha256(store)
    assert_error(cli.run("--db", store, "quota", "status"), "not a presend store")
    assert sha256(store) == digest, "presend changed a SQLite file that is not its store (e.g. its journal mode)"


def test_truncated_store(seeded):
    """A presend store cut short (a failing disk, not presend)."""
    damaged = seeded.dir / "damaged.db"
    shutil.copy(seeded.store, damaged)
    for suffix in ("-wal", "-shm"):
        side = seeded.dir / f"presend.db{suffix}"
        if side.exists():
            shutil.copy(side, seeded.dir / f"damaged.db{suffix}")
    # Cut the pages in use in half: the file itself may be longer, since
    # presend grows it in large chunks.
    with open(damaged, "r+b") as f:
        header = f.read(100)
        page_size = int.from_bytes(header[16:18], "big") or 65536
        pages = int.from_bytes(header[28:32], "big")
        f.truncate(page_size * pages // 2)
    for args in STORE_COMMANDS:
        res = seeded.run("--db", damaged, *args, input=transactional("a@example.org"))
        assert_error(res, "corrupt", "malformed", "damaged")
    assert_store_intact(seeded)


def test_store_written_by_a_newer_presend(seeded):
    newer = seeded.dir / "newer.db"
    db = sqlite3.connect(seeded.store)
    db.execute("VACUUM INTO ?", (str(newer),))
    db.close()
    db = sqlite3.connect(newer)
    (version,) = db.execute("PRAGMA user_version").fetchone()
    db.execute(f"PRAGMA user_version = {version + 1}")
    db.commit()
    db.close()
    for args in STORE_COMMANDS:
        res = seeded.run("--db", newer, *args, input=transactional("a@example.org"))
        assert_error(res, "newer")
    db = sqlite3.connect(newer)
    assert db.execute("PRAGMA user_version").fetchone() == (version + 1,)
    db.close()
    assert_store_intact(seeded)


# --- a read-only store ----------------------------------------------------------


def make_read_only(path):
    """Makes the store file unwritable for this process, or skips the test. Root
    ignores file modes, so as root the file is made immutable instead."""
    if os.geteuid() == 0:
        if not shutil.which("chattr"):
            pytest.skip("running as root without chattr: cannot make the store read-only")
        res = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if res.returncode != 0:
            pytest.skip(f"running as root and chattr +i does not work here: {res.stderr.strip()}")
        return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)
    os.chmod(path, 0o444)
    return lambda: os.chmod(path, 0o644)


@pytest.fixture
def read_only(seeded):
    undo = make_read_only(seeded.store)
    try:
        yield seeded
    finally:
        undo()


WRITING_COMMANDS = {
    "check": ["check", "-"],
    "consent grant": ["consent", "grant", "new@example.org", "--list", "weekly"],
    "consent withdraw": ["consent", "withdraw", "kept@example.org", "--list", "weekly"],
    "consent import": ["consent", "import", "IMPORT"],
    "suppress add": ["suppress", "add", "new@example.org"],
    "suppress remove": ["suppress", "remove", "new@example.org"],
    "quota sync": ["quota", "sync", "--max-24h", "10", "--max-rate", "1", "--sent-last-24h", "5"],
    "release": ["release", "01a2120e-0000-7000-8000-000000000000"],
}


@pytest.mark.parametrize("args", WRITING_COMMANDS.values(), ids=WRITING_COMMANDS.keys())
def test_read_only_store_refuses_writes(read_only, args):
    cli = read_only
    csv = cli.write("import.csv", "address,list\nnew@example.org,weekly\n")
    args = [str(csv) if a == "IMPORT" else a for a in args]
    res = cli.run(*args, input=transactional("a@example.org"))
    assert_error(res, "read-only", "read only", "readonly")
    assert_store_intact(cli)
    assert cli.consent("new@example.org") == []


def test_read_only_store_still_answers_dry_runs_and_reads(read_only):
    cli = read_only
    d = cli.check_json(transactional("a@example.org"), "--dry-run", expect=EXIT_OK)
    assert d["verdict"] == "allow" and d["dry_run"] is True
    cli.check(marketing("kept@example.org"), "--dry-run", expect=EXIT_OK)
    cli.run("check", "--batch", "--dry-run", "-", input=[transactional("a@example.org")], expect=EXIT_OK)
    assert cli.json("suppress", "list") == []
    assert_store_intact(cli)
