"""Helpers for the tests of the `presend` command: a runner bound to a test's
own directory, configuration and store, and sample messages."""

import copy
import json
import os
import re
import subprocess
from pathlib import Path

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_BLOCK, EXIT_DEFER, EXIT_PARTIAL = 10, 11, 12

# A configuration with room to send in us-east-1, a region whose 24-hour
# maximum is one recipient (to reach defer), and a sandbox account.
CONFIG = {
    "store": "presend.db",
    "fail_open": False,
    "defaults": {"account": "prod", "region": "us-east-1"},
    "accounts": {
        "prod": {
            "tier": "production",
            "regions": {
                "us-east-1": {"max_24h": 1000, "max_rate": 100, "burst": 100},
                "eu-west-1": {"max_24h": 1, "max_rate": 10},
            },
        },
        "test": {"tier": "sandbox", "verified_recipients": ["qa@example.com"], "regions": {"us-east-1": {}}},
    },
    "checks": {
        "consent": {"mode": "enforce", "require_double_opt_in": False},
        "unsubscribe": {"mode": "enforce", "accept_mailto_only": False},
        "quota": {"mode": "enforce"},
    },
}

UNSUBSCRIBE_HEADERS = [
    ["List-Unsubscribe", "<https://example.com/u/Zq81kLm0pX>, <mailto:unsub+Zq81kLm0pX@example.com>"],
    ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"],
]


def transactional(*to, **fields):
    """A transactional message: needs no consent and no unsubscribe headers."""
    msg = {"from": "Shop <orders@example.com>", "to": list(to), "stream": "transactional"}
    msg.update(fields)
    return msg


def marketing(*to, **fields):
    """A marketing message to list "weekly" with valid unsubscribe headers."""
    msg = {
        "from": "News <news@example.com>",
        "mail_from": "bounce@mail.example.com",
        "to": list(to),
        "stream": "marketing",
        "list": "weekly",
        "headers": copy.deepcopy(UNSUBSCRIBE_HEADERS),
    }
    msg.update(fields)
    return msg


def header_constant(name):
    """The value of an integer #define of presend.h (its path comes from the
    PRESEND_HEADER environment variable), e.g. a documented limit."""
    header = Path(os.environ["PRESEND_HEADER"]).read_text()
    m = re.search(rf"^#define {name} (.+)$", header, re.M)
    assert m, f"{name} is not defined in presend.h"
    expr = re.sub(r"(\d+)[uU]?[lL]*", r"\1", m.group(1).split("/*")[0].strip())
    assert re.fullmatch(r"[\d\s()*+-]+", expr), f"{name}: cannot evaluate {expr!r}"
    return int(eval(expr))  # digits and arithmetic only, checked above


# What a sanitized build prints when it finds a bug; never acceptable.
SANITIZER_REPORT = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: \w+Sanitizer")


class Result:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out = proc.stdout.decode("utf-8", errors="replace")
        self.err = proc.stderr.decode("utf-8", errors="replace")
        self.raw_out = proc.stdout

    def json(self):
        """stdout parsed as JSON. JSON text must be UTF-8 (RFC 8259)."""
        try:
            return json.loads(self.raw_out.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise AssertionError(f"stdout of {self.args} is not JSON in UTF-8 ({e}):\n{self.raw_out!r}") from e

    def __repr__(self):
        return f"presend {' '.join(map(str, self.args))} -> exit {self.rc}\nstdout:\n{self.out}\nstderr:\n{self.err}"


class Presend:
    """Runs the presend binary in a test's own directory."""

    def __init__(self, binary, workdir: Path):
        self.binary = binary
        self.dir = workdir
        self.config = workdir / "presend.json"
        self.store = workdir / "presend.db"
        self.write_config(CONFIG)
        tmp = workdir / "tmp"
        tmp.mkdir()
        self.env = {k: v for k, v in os.environ.items() if k != "PRESEND_CONFIG"}
        self.env["TMPDIR"] = str(tmp)
        # Leaks are bugs too (a no-op for an uninstrumented build).
        asan = self.env.get("ASAN_OPTIONS", "")
        self.env["ASAN_OPTIONS"] = f"{asan}:detect_leaks=1" if asan else "detect_leaks=1"

    def write_config(self, config, path=None):
        path = Path(path) if path else self.config
        path.write_text(json.dumps(config, indent=2))
        return path

    def write(self, name, content):
        """Writes a file in the test's directory: str, bytes, or JSON for anything else."""
        path = self.dir / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content)
        else:
            path.write_text(json.dumps(content))
        return path

    def run(self, *args, input=None, config=True, expect=None, cwd=None, env=None, timeout=180):
        """Runs `presend [--config FILE] ARGS...`. `input` may be str, bytes or a
        JSON-able object. `expect` checks the exit code."""
        argv = [self.binary]
        if config is True:
            argv += ["--config", str(self.config)]
        elif config:
            argv += ["--config", str(config)]
        argv += [str(a) for a in args]
        if input is not None and not isinstance(input, (str, bytes)):
            input = json.dumps(input)
        if isinstance(input, str):
            input = input.encode()
        run_env = dict(self.env)
        if env:
            run_env.update(env)
        proc = subprocess.run(
            argv,
            input=input if input is not None else b"",
            capture_output=True,
            cwd=cwd or self.dir,
            env=run_env,
            timeout=timeout,
        )
        res = Result(argv[1:], proc)
        assert res.rc >= 0, f"presend was killed by signal {-res.rc}: {res!r}"
        assert not SANITIZER_REPORT.search(res.err), f"sanitizer report: {res!r}"
        if expect is not None:
            assert res.rc == expect, f"expected exit {expect}: {res!r}"
        return res

    def json(self, *args, expect=EXIT_OK, **kw):
        """Runs with --json and returns stdout parsed."""
        return self.run("--json", *args, expect=expect, **kw).json()

    # --- state a test checks before and after -------------------------------

    def check(self, message, *flags, expect=None):
        return self.run("check", "-", *flags, input=message, expect=expect)

    def check_json(self, message, *flags, expect=None):
        return self.run("--json", "check", "-", *flags, input=message, expect=expect).json()

    def sent_24h(self, region=None):
        args = ["quota", "status"] + (["--region", region] if region else [])
        return self.json(*args)["sent_24h"]

    def consent(self, address, list_=None):
        args = ["consent", "show", address] + (["--list", list_] if list_ else [])
        return self.json(*args)


# --- assertions shared by the tests of bad input ----------------------------------


def assert_store_intact(cli, **kw):
    (rec,) = cli.json("consent", "show", "kept@example.org", **kw)
    assert rec["status"] == "subscribed" and rec["list"] == "weekly"
    assert cli.json("quota", "status", **kw)["sent_24h"] == 1


def assert_error(res, *fragments):
    assert res.rc == EXIT_ERROR, res
    assert res.err.startswith("presend: "), res
    low = res.err.lower()
    assert any(f.lower() in low for f in fragments), f"stderr names none of {fragments}: {res!r}"
