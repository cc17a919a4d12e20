"""The drivers' common protocol (bench/compare/README.md), for the Python contenders.

A driver loads the message file, warms up with untimed checks that change
nothing, waits for the coordinator's go (--sync), then checks messages in a
closed loop (for --seconds, or exactly --count messages) and writes
PREFIX.json (counts, times, memory) and PREFIX.lat (each call's latency in
nanoseconds, one per line).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

# What a contender's check returns: the message verdict and how many of its
# recipients were allowed, blocked and deferred.
Outcome = tuple[str, int, int, int]


def parse_args(description: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--store", required=True, help="presend's store, or the alternatives' database")
    p.add_argument("--messages", required=True, help="JSON Lines of messages (presend_compare_data)")
    p.add_argument("--out", required=True, help="prefix of the result files")
    p.add_argument("--config", help="presend's configuration (presend contenders)")
    p.add_argument("--first", type=int, default=0, help="index of the first message")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--count", type=int, default=0, help="check exactly this many messages instead")
    p.add_argument("--sync", action="store_true", help='print "ready", start on a line from stdin')
    p.add_argument("--warmup", type=int, default=2000)
    p.add_argument("--max-24h", type=int, default=1 << 40)
    p.add_argument("--max-rate", type=int, default=1_000_000)
    p.add_argument("--burst", type=int, default=0, help="presend's burst; the alternatives have none")
    p.add_argument("--limits-storage", default="memory://", help="storage of the limits library")
    return p.parse_args()


def load_messages(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def status_kb(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def run(name: str, runtime: str, args: argparse.Namespace, messages: list[dict[str, Any]], base_kb: int,
        check: Callable[[dict[str, Any]], Outcome], warm: Callable[[dict[str, Any]], object]) -> None:
    """base_kb: RssAnon once the messages were loaded, before the gate was opened."""
    n = len(messages)
    nxt = args.first % n
    for i in range(args.warmup):
        warm(messages[(nxt + i) % n])

    if args.sync:
        print("ready", flush=True)
        if not sys.stdin.readline():
            raise SystemExit(f"{name}: --sync: no go from the coordinator")

    lat: list[int] = []
    allowed = blocked = deferred = errors = 0
    verdicts = {"allow": 0, "partial": 0, "block": 0, "defer": 0}
    rss_peak = status_kb("RssAnon")
    clock = time.perf_counter_ns
    first_ns = time.time_ns()
    deadline = first_ns + int(args.seconds * 1e9)
    i = 0
    while True:
        if args.count > 0:
            if i >= args.count:
                break
        elif i & 15 == 0 and time.time_ns() >= deadline:
            break
        m = messages[nxt]
        nxt = (nxt + 1) % n
        t0 = clock()
        try:
            verdict, a, b, d = check(m)
        except Exception as e:  # noqa: BLE001 - counted and reported, the run goes on
            errors += 1
            if errors == 1:
                print(f"{name}: {e}", flush=True)
            lat.append(clock() - t0)
            i += 1
            continue
        lat.append(clock() - t0)
        verdicts[verdict] += 1
        allowed += a
        blocked += b
        deferred += d
        i += 1
        if i & 1023 == 0:
            rss_peak = max(rss_peak, status_kb("RssAnon"))
    last_ns = time.time_ns()
    rss_peak = max(rss_peak, status_kb("RssAnon"))

    with open(args.out + ".lat", "w", encoding="ascii") as f:
        f.write("\n".join(map(str, lat)))
        f.write("\n")
    summary = {"driver": name, "checks": len(lat), "errors": errors, "allowed": allowed, "blocked": blocked,
               "deferred": deferred, "verdicts": verdicts, "first_ns": first_ns, "last_ns": last_ns,
               "vm_hwm_kb": status_kb("VmHWM"), "rss_anon_base_kb": base_kb, "rss_anon_peak_kb": rss_peak, "runtime": runtime}
    with open(args.out + ".json", "w", encoding="utf-8") as f:
        json.dump(summary, f)
        f.write("\n")
    if errors:
        raise SystemExit(1)


def message_verdict(allowed: int, blocked: int, deferred: int) -> str:
    """presend's message verdict from its recipients' verdicts."""
    if allowed and (blocked or deferred):
        return "partial"
    if allowed:
        return "allow"
    if deferred:
        return "defer"
    return "block"
