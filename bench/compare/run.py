#!/usr/bin/env python3
"""The comparison with the alternatives (bench/compare/README.md).

Runs every contender on the same data and messages, and writes the tables
(Markdown), the charts (SVG) and every figure (JSON) to the output directory.
scripts/bench-compare builds what it needs and calls this; run it directly
only on a build that has presend_compare_data, presend_compare_c and the Go
programs.

Phases:
  agreement   every contender checks the same messages once: they must reach
              the same verdicts (else the comparison would not be like for like)
  throughput  1 process, then --processes sharing one store, each for --seconds
  exactness   --processes race for a 24-hour maximum, then for a rate: is the
              allowed total within the limit?
  growth      1 process at each population size of --growth
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# Limits the throughput runs never reach, as in presend_bench: every check
# does the whole accounting, and nothing is deferred.
HIGH_24H = 1 << 40
HIGH_RATE = 1_000_000
HIGH_BURST = 60_000_000


@dataclass
class Contender:
    name: str       # presend-c, alt-php, ...
    language: str   # C, PHP, Python, Go
    presend: bool   # presend through a binding, or the hand-written alternative
    what: str       # one line for the tables

    def argv(self, bindir: Path) -> list[str]:
        return {
            "presend-c": [str(bindir / "presend_compare_c")],
            "presend-python": [sys.executable, str(HERE / "python" / "presend_check.py")],
            "presend-go": [str(bindir / "compare-go" / "presend-check")],
            "presend-php": ["php", "-d", "ffi.enable=true", str(HERE / "php" / "presend_check.php")],
            "alt-php": ["php", str(HERE / "php" / "alt_check.php")],
            "alt-python": [sys.executable, str(HERE / "python" / "alt_check.py")],
            "alt-go": [str(bindir / "compare-go" / "alt-check")],
        }[self.name]


CONTENDERS = [
    Contender("presend-c", "C", True, "presend, C API"),
    Contender("presend-php", "PHP", True, "presend, PHP binding (FFI)"),
    Contender("presend-python", "Python", True, "presend, Python binding (ctypes)"),
    Contender("presend-go", "Go", True, "presend, Go binding (cgo)"),
    Contender("alt-php", "PHP", False, "PHP: PDO/SQLite, counter table"),
    Contender("alt-python", "Python", False, "Python: sqlite3, limits moving window"),
    Contender("alt-go", "Go", False, "Go: database/sql, x/time/rate, counter table"),
]
BY_NAME = {c.name: c for c in CONTENDERS}


@dataclass
class Data:
    records: int
    presend_store: Path
    alt_db: Path
    messages: Path
    setup_seconds: float = 0.0


@dataclass
class RunResult:
    contender: str
    processes: int
    procs: list[dict[str, Any]] = field(default_factory=list)
    lat_ns: list[int] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)  # messages/s of each repeat, when merged

    def total(self, key: str) -> int:
        return sum(int(p[key]) for p in self.procs)

    @property
    def checks(self) -> int:
        return self.total("checks")

    @property
    def elapsed_s(self) -> float:
        first = min(p["first_ns"] for p in self.procs)
        last = max(p["last_ns"] for p in self.procs)
        return max(last - first, 1) / 1e9

    @property
    def rate(self) -> float:
        """Messages/s: the median over the repeats, or of this one run."""
        return statistics.median(self.rates) if self.rates else self.checks / self.elapsed_s

    def pct_ms(self, p: float) -> float:
        if not self.lat_ns:
            return float("nan")
        k = max(0, min(len(self.lat_ns) - 1, math.ceil(p / 100.0 * len(self.lat_ns)) - 1))
        return self.lat_ns[k] / 1e6

    @property
    def hwm_mib(self) -> float:
        return max(p["vm_hwm_kb"] for p in self.procs) / 1024.0

    @property
    def added_mib(self) -> float:
        """Private memory the checking added to a process (peak RssAnon minus RssAnon
        once the messages were loaded, before the gate was opened); the largest of the processes."""
        return max(p["rss_anon_peak_kb"] - p["rss_anon_base_kb"] for p in self.procs) / 1024.0

    def summary(self) -> dict[str, Any]:
        return {"contender": self.contender, "processes": self.processes, "checks": self.checks,
                "messages_per_s": round(self.rate, 1),
                "messages_per_s_runs": [round(r, 1) for r in self.rates] or [round(self.rate, 1)],
                "p50_ms": round(self.pct_ms(50), 4), "p99_ms": round(self.pct_ms(99), 4),
                "p999_ms": round(self.pct_ms(99.9), 4),
                "allowed": self.total("allowed"), "blocked": self.total("blocked"),
                "deferred": self.total("deferred"), "peak_rss_mib": round(self.hwm_mib, 1),
                "added_private_mib": round(self.added_mib, 1),
                "runtime": self.procs[0].get("runtime", "") if self.procs else "", "per_process": self.procs}


class Failure(Exception):
    pass


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def sh(argv: list[str], **kw: Any) -> str:
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise Failure(f"{' '.join(argv)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def copy_db(src: Path, dst: Path) -> None:
    remove_db(dst)
    shutil.copyfile(src, dst)
    wal = Path(str(src) + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        shutil.copyfile(wal, str(dst) + "-wal")


def prepare_data(a: argparse.Namespace, records: int) -> Data:
    t0 = time.monotonic()
    d = Path(a.dir)
    d.mkdir(parents=True, exist_ok=True)
    supp = str(max(records // 100, 1))
    log(f"data: {records:,} subscribers (built once, then reused) ...")
    sh([str(a.bindir / "presend_bench"), "--setup-only", "--records", str(records), "--suppressions", supp,
        "--dir", str(d), "--json", str(d / f"setup-{records}.json")])
    out = sh([str(a.bindir / "presend_compare_data"), "--records", str(records), "--suppressions", supp,
              "--messages", str(a.messages), "--dir", str(d)]).split()
    return Data(records, d / f"consent-{records}.db", Path(out[0]), Path(out[1]), time.monotonic() - t0)


def presend_config(path: Path, max_24h: int, max_rate: int, burst: int) -> Path:
    """Every check enforced but frequency (off by default in presend, and no
    alternative has it), the limits of the run, the SQLite ledger."""
    config = {
        "fail_open": False,
        "defaults": {"account": "prod", "region": "us-east-1", "stream": "marketing"},
        "accounts": {"prod": {"tier": "production", "regions": {
            "us-east-1": {"max_24h": max_24h, "max_rate": max_rate, "burst": burst}}}},
        "checks": {"recipient": {"mode": "enforce"},
                   "consent": {"mode": "enforce", "require_double_opt_in": False},
                   "suppression": {"mode": "enforce"},
                   "unsubscribe": {"mode": "enforce", "accept_mailto_only": False},
                   "quota": {"mode": "enforce"}, "frequency": {"mode": "off"}},
        "ledger": {"backend": "sqlite"},
        "plugins": [],
    }
    path.write_text(json.dumps(config))
    return path


def run_group(a: argparse.Namespace, c: Contender, data: Data, processes: int, workdir: Path, *,
              seconds: float = 0.0, count: int = 0, max_24h: int = HIGH_24H, max_rate: int = HIGH_RATE,
              burst: int = HIGH_BURST, warmup: int | None = None) -> RunResult:
    """Runs `processes` processes of one contender on a fresh copy of its store,
    started together; returns their merged results."""
    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / "store.db"
    copy_db(data.presend_store if c.presend else data.alt_db, store)
    config = presend_config(workdir / "presend.json", max_24h, max_rate, burst)
    env = dict(os.environ, PRESEND_LIBRARY=str(a.libdir / "libpresend.so.1"),
               LD_LIBRARY_PATH=str(a.libdir) + (":" + os.environ["LD_LIBRARY_PATH"]
                                                if os.environ.get("LD_LIBRARY_PATH") else ""))
    n_messages = sum(1 for _ in open(data.messages, "rb"))
    procs = []
    for i in range(processes):
        argv = c.argv(a.bindir) + [
            "--store", str(store), "--messages", str(data.messages), "--out", str(workdir / f"p{i}"),
            "--first", str(i * n_messages // processes), "--warmup", str(a.warmup if warmup is None else warmup),
            "--max-24h", str(max_24h), "--max-rate", str(max_rate), "--burst", str(burst), "--sync"]
        argv += ["--count", str(count)] if count else ["--seconds", str(seconds)]
        if c.presend:
            argv += ["--config", str(config)]
        err = open(workdir / f"p{i}.stderr", "w")
        procs.append((subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                       text=True, env=env, cwd=ROOT), err))
    try:
        for p, _ in procs:
            line = p.stdout.readline() if p.stdout else ""
            if line.strip() != "ready":
                raise Failure(f"{c.name}: a process ended before it was ready")
        for p, _ in procs:  # all warmed up: go
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        for p, err in procs:
            p.wait()
            err.close()
    finally:
        for p, _ in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    failed = [i for i, (p, _) in enumerate(procs) if p.returncode != 0]
    if failed:
        text = (workdir / f"p{failed[0]}.stderr").read_text()[-2000:]
        raise Failure(f"{c.name}: process {failed[0]} exited with {procs[failed[0]][0].returncode}:\n{text}")
    res = RunResult(c.name, processes)
    for i in range(processes):
        res.procs.append(json.loads((workdir / f"p{i}.json").read_text()))
        res.lat_ns.extend(int(x) for x in (workdir / f"p{i}.lat").read_text().split())
    res.lat_ns.sort()
    if not a.keep:
        remove_db(store)
    return res


def merge(runs: list[RunResult]) -> RunResult:
    """Repeats of one configuration: the median rate, every call's latency, every process."""
    m = RunResult(runs[0].contender, runs[0].processes)
    for r in runs:
        m.procs.extend(r.procs)
        m.lat_ns.extend(r.lat_ns)
        m.rates.append(r.checks / r.elapsed_s)
    m.lat_ns.sort()
    return m


def repeated(a: argparse.Namespace, data: Data, contenders: list[Contender], processes: int, out: Path,
             seconds: float) -> dict[str, RunResult]:
    """--repeat rounds of every contender in turn (so that a noisy minute hits all of them), merged."""
    runs: dict[str, list[RunResult]] = {c.name: [] for c in contenders}
    for rep in range(a.repeat):
        for c in contenders:
            r = run_group(a, c, data, processes, out / f"{c.name}-{processes}" / f"run{rep + 1}", seconds=seconds)
            if r.total("deferred"):
                raise Failure(f"{c.name}: {r.total('deferred')} recipients deferred where no limit is reached")
            runs[c.name].append(r)
    return {name: merge(rs) for name, rs in runs.items()}


def agreement(a: argparse.Namespace, data: Data, contenders: list[Contender], out: Path) -> dict[str, Any]:
    """Every contender checks the same messages once; their verdicts must agree."""
    count = a.agreement
    rows = {}
    for c in contenders:
        r = run_group(a, c, data, 1, out / "agreement" / c.name, count=count, warmup=0)
        rows[c.name] = (r.total("allowed"), r.total("blocked"), r.total("deferred"))
        log(f"agreement: {c.name}: {rows[c.name][0]} allowed, {rows[c.name][1]} blocked, "
            f"{rows[c.name][2]} deferred of {count} messages")
    distinct = set(rows.values())
    if len(distinct) != 1:
        raise Failure("the contenders disagree on the same messages (allowed, blocked, deferred): "
                      + json.dumps(rows))
    allowed, blocked, deferred = distinct.pop()
    return {"messages": count, "allowed": allowed, "blocked": blocked, "deferred": deferred,
            "contenders": sorted(rows)}


def throughput(a: argparse.Namespace, data: Data, contenders: list[Contender], out: Path) -> list[RunResult]:
    results = []
    groups = [1] + ([a.processes] if a.processes > 1 else [])
    for n in groups:
        merged = repeated(a, data, contenders, n, out / "throughput", a.seconds)
        for c in contenders:
            r = merged[c.name]
            log(f"throughput: {c.name} x{n}: {r.rate:,.0f} messages/s (runs: "
                f"{', '.join(f'{x:,.0f}' for x in r.rates)}), p50 {r.pct_ms(50):.3f} ms, p99 {r.pct_ms(99):.3f} ms")
            results.append(r)
    return results


def exactness(a: argparse.Namespace, data: Data, contenders: list[Contender], out: Path) -> list[dict[str, Any]]:
    rows = []
    n = max(a.processes, 2)
    for c in contenders:
        q = run_group(a, c, data, n, out / "exact-24h" / c.name, count=a.exact_messages, max_24h=a.exact_quota,
                      warmup=0)
        allowed_q = q.total("allowed")
        # Counted per recipient (presend) or per message, all or none (the
        # alternatives): the last messages may leave up to recipients-1 unused.
        exact_q = a.exact_quota - (a.recipients - 1) <= allowed_q <= a.exact_quota
        r = run_group(a, c, data, n, out / "exact-rate" / c.name, seconds=a.exact_seconds, max_rate=a.exact_rate,
                      burst=a.exact_rate, warmup=0)
        allowed_r = r.total("allowed")
        bound = a.exact_rate + a.exact_rate * r.elapsed_s  # a burst of one second's worth, then the rate
        row = {"contender": c.name, "processes": n, "quota": a.exact_quota,
               "demanded_messages": n * a.exact_messages, "allowed_24h": allowed_q, "exact_24h": exact_q,
               "rate": a.exact_rate, "rate_seconds": round(r.elapsed_s, 3), "allowed_rate": allowed_r,
               "rate_bound": math.floor(bound), "exact_rate": allowed_r <= bound}
        log(f"exactness: {c.name}: 24 h {allowed_q} of {a.exact_quota} ({'exact' if exact_q else 'NOT exact'}); "
            f"rate {allowed_r} in {r.elapsed_s:.2f} s, bound {bound:.0f} ({'held' if row['exact_rate'] else 'exceeded'})")
        rows.append(row)
    return rows


def growth(a: argparse.Namespace, contenders: list[Contender], out: Path) -> list[dict[str, Any]]:
    rows = []
    for records in a.growth:
        data = prepare_data(a, records)
        merged = repeated(a, data, contenders, 1, out / "growth" / str(records), a.growth_seconds)
        for c in contenders:
            r = merged[c.name]
            size = (data.presend_store if c.presend else data.alt_db).stat().st_size
            rows.append({"records": records, "contender": c.name, "messages_per_s": round(r.rate, 1),
                         "messages_per_s_runs": [round(x, 1) for x in r.rates],
                         "p50_ms": round(r.pct_ms(50), 4), "p99_ms": round(r.pct_ms(99), 4),
                         "peak_rss_mib": round(r.hwm_mib, 1), "added_private_mib": round(r.added_mib, 1),
                         "store_mib": round(size / 2**20, 1)})
            log(f"growth: {c.name} at {records:,}: {r.rate:,.0f} messages/s, peak RSS {r.hwm_mib:.1f} MiB, "
                f"added {r.added_mib:.1f} MiB")
    return rows


# --- reporting ------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"kernel": platform.release(), "cpus": os.cpu_count()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
        info["load_average"] = open("/proc/loadavg").read().split()[:3]
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                info["os"] = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return info


def fmt_int(v: float) -> str:
    return f"{v:,.0f}"


def ratio(a_: float, b_: float) -> str:
    return f"{a_ / b_:.2f}" if b_ else "-"


def tables(report: dict[str, Any]) -> str:
    lines = []
    m = report["machine"]
    p = report["parameters"]
    lines.append(f"Machine: {m.get('cpu', '?')}, {m.get('cpus')} CPUs, {m.get('memory_gib')} GiB, "
                 f"{m.get('os', '?')}, Linux {m.get('kernel')}; load average at the start "
                 f"{' '.join(m.get('load_average', []))}.")
    lines.append(f"Workload: {p['records']:,} subscribers, {p['recipients']} recipients per message, "
                 f"{p['seconds']:g} s per run, closed loop; messages/s is the median of {p['repeat']} runs "
                 "made in turns, latencies are over all their calls.")
    lines.append("")
    thr = report.get("throughput", [])
    if thr:
        by = {(r["contender"], r["processes"]): r for r in thr}
        groups = sorted({r["processes"] for r in thr})
        for n in groups:
            lines.append(f"**{n} process{'es' if n > 1 else ''}**" + (" sharing one store" if n > 1 else ""))
            lines.append("")
            lines.append("| language | contender | messages/s | p50 ms | p99 ms | peak RSS MiB | added MiB | presend / alternative |")
            lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
            for c in CONTENDERS:
                r = by.get((c.name, n))
                if r is None:
                    continue
                rel = ""
                if c.presend:
                    alt = next((by.get((x.name, n)) for x in CONTENDERS
                                if not x.presend and x.language == c.language), None)
                    rel = ratio(r["messages_per_s"], alt["messages_per_s"]) if alt else ""
                lines.append(f"| {c.language} | {c.what} | {fmt_int(r['messages_per_s'])} | {r['p50_ms']:.3f} | "
                             f"{r['p99_ms']:.3f} | {r['peak_rss_mib']:.1f} | {r['added_private_mib']:.1f} | {rel} |")
            lines.append("")
    ex = report.get("exactness", [])
    if ex:
        lines.append(f"**Exact across {ex[0]['processes']} processes?** 24-hour maximum {ex[0]['quota']:,} "
                     f"({ex[0]['demanded_messages']:,} messages offered); rate {ex[0]['rate']}/s "
                     f"for about {p['exact_seconds']:g} s (bound: one second's burst plus the rate times the time)")
        lines.append("")
        lines.append("| contender | allowed in 24 h | 24-hour maximum held | allowed at the rate | bound | rate held |")
        lines.append("|---|---:|---|---:|---:|---|")
        for r in ex:
            lines.append(f"| {BY_NAME[r['contender']].what} | {r['allowed_24h']:,} | "
                         f"{'yes' if r['exact_24h'] else 'no'} | {r['allowed_rate']:,} | {r['rate_bound']:,} | "
                         f"{'yes' if r['exact_rate'] else 'no'} |")
        lines.append("")
    gr = report.get("growth", [])
    if gr:
        sizes = sorted({r["records"] for r in gr})
        by = {(r["contender"], r["records"]): r for r in gr}
        lines.append(f"**Cost growth** (1 process, {p['growth_seconds']:g} s per run): messages/s, and the private "
                     "memory the checking added (MiB)")
        lines.append("")
        lines.append("| contender | " + " | ".join(f"{s:,}" for s in sizes) + " |")
        lines.append("|---|" + "---:|" * len(sizes))
        for c in CONTENDERS:
            cells = []
            for s in sizes:
                r = by.get((c.name, s))
                cells.append(f"{fmt_int(r['messages_per_s'])} ({r['added_private_mib']:.0f})" if r else "")
            if any(cells):
                lines.append(f"| {c.what} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def nice_max(v: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 and 10 times a power of ten that is at least v."""
    scale = 10 ** math.floor(math.log10(v))
    return next(m * scale for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * scale >= v)


def svg_head(w: int, h: int, title: str, subtitle: str, left: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            'font-family="DejaVu Sans, sans-serif" font-size="12">',
            f'<rect width="{w}" height="{h}" fill="white"/>',
            f'<text x="{left}" y="20" font-size="14" font-weight="bold">{title}</text>',
            f'<text x="{left}" y="38" font-size="11">{subtitle}</text>']


def svg_grid(out: list[str], ymax: float, left: int, right_x: float, base_y: float, plot_h: float) -> None:
    for i in range(6):
        v = ymax * i / 5
        y = base_y - plot_h * i / 5
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right_x:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v:,.0f}</text>')


def svg_bars(report: dict[str, Any]) -> str:
    """Messages/s per language: presend beside the alternative, in each group of processes."""
    thr = report.get("throughput", [])
    by = {(r["contender"], r["processes"]): r["messages_per_s"] for r in thr}
    groups = sorted({r["processes"] for r in thr})
    langs = ["C", "PHP", "Python", "Go"]
    # (group, language) -> [(value, presend?)], presend first
    cells = {(n, lang): [(by[(c.name, n)], c.presend) for c in sorted(CONTENDERS, key=lambda c: not c.presend)
                         if c.language == lang and (c.name, n) in by]
             for n in groups for lang in langs}
    cells = {k: v for k, v in cells.items() if v}
    if not cells:
        return ""
    ymax = nice_max(max(v for vs in cells.values() for v, _ in vs))
    bw, gap, group_gap, left, bottom, topm, h = 24, 18, 36, 70, 64, 56, 380
    width = sum(len(vs) * bw + gap for vs in cells.values()) + group_gap * (len(groups) - 1)
    w = max(600, left + 20 + width + 20)
    p = report["parameters"]
    out = svg_head(w, h, "Messages checked per second",
                   f"{p['records']:,} subscribers, {p['recipients']} recipients per message, quota reserved and "
                   "every verdict recorded", left)
    plot_h, base = h - bottom - topm, h - bottom
    svg_grid(out, ymax, left, w - 10, base, plot_h)
    x = left + 20
    for gi, n in enumerate(groups):
        gx = x
        for lang in langs:
            vs = cells.get((n, lang))
            if not vs:
                continue
            cx = x
            for v, is_presend in vs:
                bh = plot_h * v / ymax
                color = "#2b6cb0" if is_presend else "#c05621"
                who = "presend" if is_presend else "alternative"
                out.append(f'<rect x="{x}" y="{base - bh:.1f}" width="{bw}" height="{bh:.1f}" fill="{color}">'
                           f'<title>{who}, {lang}, {n} process(es): {v:,.0f}/s</title></rect>')
                out.append(f'<text x="{x + bw / 2}" y="{base - bh - 4:.1f}" text-anchor="middle" font-size="9">'
                           f'{v / 1000:.1f}k</text>')
                x += bw
            out.append(f'<text x="{(cx + x) / 2}" y="{base + 16}" text-anchor="middle">{lang}</text>')
            x += gap
        label = f"{n} process" + ("es" if n > 1 else "")
        out.append(f'<text x="{(gx + x - gap) / 2}" y="{base + 34}" text-anchor="middle" font-weight="bold">'
                   f'{label}</text>')
        if gi < len(groups) - 1:
            x += group_gap
    out.append(f'<rect x="{left}" y="{h - 18}" width="12" height="12" fill="#2b6cb0"/>'
               f'<text x="{left + 16}" y="{h - 8}">presend</text>'
               f'<rect x="{left + 90}" y="{h - 18}" width="12" height="12" fill="#c05621"/>'
               f'<text x="{left + 106}" y="{h - 8}">hand-written alternative, same language</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def svg_growth(report: dict[str, Any]) -> str:
    """Messages/s against the number of subscribers (log scale), one line per contender."""
    gr = report.get("growth", [])
    sizes = sorted({r["records"] for r in gr})
    if len(sizes) < 2:
        return ""
    by = {(r["contender"], r["records"]): r["messages_per_s"] for r in gr}
    ymax = nice_max(max(r["messages_per_s"] for r in gr))
    w, h, left, legend, bottom, topm = 920, 380, 70, 360, 50, 56
    plot_w, plot_h, base = w - left - legend - 20, h - bottom - topm, h - bottom
    lx0, lx1 = math.log10(sizes[0]), math.log10(sizes[-1])

    def px(n: int) -> float:
        return left + 20 + (plot_w - 40) * (math.log10(n) - lx0) / (lx1 - lx0)

    def py(v: float) -> float:
        return base - plot_h * v / ymax

    p = report["parameters"]
    out = svg_head(w, h, "Messages checked per second against the number of subscribers",
                   f"one process, {p['growth_seconds']:g} s per point, {p['recipients']} recipients per message, "
                   "quota reserved and every verdict recorded", left)
    svg_grid(out, ymax, left, left + plot_w, base, plot_h)
    for n in sizes:
        out.append(f'<text x="{px(n):.1f}" y="{base + 18}" text-anchor="middle">{n:,}</text>')
    colors = {"presend-c": "#1a365d", "presend-php": "#2b6cb0", "presend-python": "#4299e1", "presend-go": "#90cdf4",
              "alt-php": "#c05621", "alt-python": "#dd6b20", "alt-go": "#f6ad55"}
    ly = topm + 10
    lx = left + plot_w + 20
    for c in CONTENDERS:
        pts = [(px(n), py(by[(c.name, n)])) for n in sizes if (c.name, n) in by]
        if not pts:
            continue
        dash = "" if c.presend else ' stroke-dasharray="6 3"'
        out.append(f'<polyline fill="none" stroke="{colors[c.name]}" stroke-width="2"{dash} points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
        for x, y in pts:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colors[c.name]}"/>')
        out.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 25}" y2="{ly}" stroke="{colors[c.name]}" '
                   f'stroke-width="2"{dash}/><text x="{lx + 31}" y="{ly + 4}">{c.what}</text>')
        ly += 20
    out.append("</svg>")
    return "\n".join(out) + "\n"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=str(ROOT / "build" / "release"), help="the build tree (default: build/release)")
    p.add_argument("--dir", default=os.environ.get("PRESEND_BENCH_DIR", str(ROOT / "build" / "bench-data")),
                   help="data directory (default: build/bench-data)")
    p.add_argument("--out", help="results directory (default: build/bench-results/compare-<UTC time>)")
    p.add_argument("--records", type=int, default=1_000_000, help="subscribers (default: 1,000,000)")
    p.add_argument("--messages", type=int, default=50_000, help="distinct messages, cycled (default: 50,000)")
    p.add_argument("--seconds", type=float, default=10.0, help="length of a throughput run (default: 10)")
    p.add_argument("--processes", type=int, default=4, help="the multi-process group (default: 4; 1 skips it)")
    p.add_argument("--warmup", type=int, default=2000, help="untimed checks per process first (default: 2,000)")
    p.add_argument("--repeat", type=int, default=3,
                   help="runs of each throughput and growth configuration, in turns; the median counts (default: 3)")
    p.add_argument("--contenders", default=",".join(c.name for c in CONTENDERS),
                   help="comma-separated (default: all): " + ", ".join(c.name for c in CONTENDERS))
    p.add_argument("--phases", default="agreement,throughput,exactness,growth",
                   help="comma-separated (default: agreement,throughput,exactness,growth)")
    p.add_argument("--agreement", type=int, default=2000, help="messages of the agreement phase (default: 2,000)")
    p.add_argument("--exact-quota", type=int, default=10_000, help="24-hour maximum of the exactness run")
    p.add_argument("--exact-messages", type=int, default=1500, help="messages per process in it (default: 1,500)")
    p.add_argument("--exact-rate", type=int, default=200, help="per-second rate of the rate run (default: 200)")
    p.add_argument("--exact-seconds", type=float, default=3.0, help="length of the rate run (default: 3)")
    p.add_argument("--growth", default="10000,100000,1000000,10000000",
                   help="populations of the growth phase (default: 10000,100000,1000000,10000000)")
    p.add_argument("--growth-seconds", type=float, default=5.0, help="length of a growth run (default: 5)")
    p.add_argument("--quick", action="store_true",
                   help="a small run that checks everything works: 10,000 subscribers, 1 s runs, 2 processes")
    p.add_argument("--keep", action="store_true", help="keep the stores the runs wrote")
    a = p.parse_args()
    if a.quick:
        a.records, a.messages, a.seconds, a.processes, a.warmup, a.repeat = 10_000, 2_000, 1.0, 2, 100, 1
        a.agreement, a.exact_quota, a.exact_messages, a.exact_rate, a.exact_seconds = 300, 500, 150, 50, 1.0
        a.growth, a.growth_seconds = "2000,10000", 0.5
    if a.repeat < 1 or a.seconds <= 0 or a.processes < 1:
        p.error("--repeat and --processes take 1 or more, --seconds a positive time")
    a.recipients = 5
    a.bindir = Path(a.build) / "bench"
    a.libdir = Path(a.build) / "c_api"
    names = [n for n in a.contenders.split(",") if n]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown or not names:
        p.error(f"--contenders: unknown {', '.join(unknown) or '(none given)'}")
    a.contenders = [BY_NAME[n] for n in names]
    a.phases = [x for x in a.phases.split(",") if x]
    for ph in a.phases:
        if ph not in ("agreement", "throughput", "exactness", "growth"):
            p.error(f"unknown phase {ph}")
    a.growth = [int(x) for x in a.growth.split(",") if x] if a.growth not in ("", "none") else []
    a.out = Path(a.out or ROOT / "build" / "bench-results" /
                 f"compare-{dt.datetime.now(dt.timezone.utc).strftime('%Y%m%dT%H%M%SZ')}")
    return a


def main() -> int:
    a = parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "machine": machine(),
        "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(a).items()
                       if k not in ("contenders", "bindir", "libdir", "out")},
        "contenders": [c.name for c in a.contenders],
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    try:
        data = prepare_data(a, a.records)
        report["setup_seconds"] = round(data.setup_seconds, 1)
        if "agreement" in a.phases:
            report["agreement"] = agreement(a, data, a.contenders, a.out)
        if "throughput" in a.phases:
            report["throughput"] = [r.summary() for r in throughput(a, data, a.contenders, a.out)]
        if "exactness" in a.phases:
            report["exactness"] = exactness(a, data, a.contenders, a.out)
        if "growth" in a.phases and a.growth:
            report["growth"] = growth(a, a.contenders, a.out)
    except Failure as e:
        log(f"bench-compare: {e}")
        (a.out / "report.json").write_text(json.dumps(report, indent=1))
        return 1
    report["finished"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    (a.out / "report.json").write_text(json.dumps(report, indent=1))
    md = tables(report)
    (a.out / "tables.md").write_text(md + "\n")
    for name, svg in (("throughput.svg", svg_bars(report)), ("growth.svg", svg_growth(report))):
        if svg:
            (a.out / name).write_text(svg)
    print(md)
    log(f"results: {a.out}/ (report.json, tables.md, throughput.svg, growth.svg)")
    # presend must be exact; the alternatives' results are findings, not failures.
    bad = [r["contender"] for r in report.get("exactness", [])
           if BY_NAME[r["contender"]].presend and not (r["allowed_24h"] == a.exact_quota and r["exact_rate"])]
    if bad:
        log(f"bench-compare: presend was not exact: {', '.join(bad)}")
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
