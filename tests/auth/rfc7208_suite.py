#!/usr/bin/env python3
"""Converts the RFC 7208 test suite (openspf.org YAML) into one JSON document
for spf_suite, and optionally runs spf_suite on it.

    rfc7208_suite.py SUITE.yml OUT.json [SPF_SUITE_BINARY]

Each YAML document becomes a scenario: its zone in the DNS fixture format of
DESIGN.md plus the TXT strings that format cannot carry, and its cases.

How the suite's zone data is mapped:
  * Records of type SPF (99): RFC 7208 dropped the type, so presend never asks
    for it. As the suite's header asks, an SPF record is served as TXT when
    the name has no TXT entry of its own (a "TXT: NONE" entry counts as one,
    meaning "no TXT records"), and dropped otherwise. Every section relies on
    this, the "Selecting records" one included (its "empty" case expects
    neutral from a name that only has an SPF-type "v=spf1").
  * "TIMEOUT" in a name's list: queries of types without records time out,
    as the fixture format defines.
  * TXT strings with bytes outside printable ASCII (NUL, CR, LF, non-ASCII,
    written as \\xNN escapes in the YAML) go in "raw_txt" as hex of those
    bytes: the JSON reader refuses NUL and would re-encode the rest.
"""
import json
import subprocess
import sys

import yaml


def printable(s):
    return all(0x20 <= ord(c) < 0x7F for c in s)


def raw_bytes(s):
    # The suite spells bytes as \xNN escapes, which YAML reads as code points
    # U+0000..U+00FF; Latin-1 turns them back into those bytes.
    try:
        return s.encode("latin-1")
    except UnicodeEncodeError:
        return s.encode("utf-8")


def convert_zone(zonedata):
    zone = {}
    raw_txt = []
    for name, records in (zonedata or {}).items():
        has_txt = any(isinstance(r, dict) and "TXT" in r for r in records)
        out = zone.setdefault(name, [])
        for r in records:
            if isinstance(r, str):
                if r not in ("TIMEOUT", "SERVFAIL"):
                    raise ValueError(f"{name}: unexpected bare entry {r!r}")
                out.append(r)
                continue
            if len(r) != 1:
                raise ValueError(f"{name}: a record must have one type: {r!r}")
            (rtype, value), = r.items()
            if rtype == "SPF":
                if has_txt:
                    continue
                rtype = "TXT"
            if rtype == "TXT":
                if value == "NONE":
                    continue
                parts = value if isinstance(value, list) else [value]
                if all(isinstance(p, str) and printable(p) for p in parts):
                    out.append({"TXT": value})
                else:
                    raw_txt.append({"name": name, "hex": raw_bytes("".join(parts)).hex()})
            elif rtype in ("A", "AAAA", "PTR", "CNAME", "MX"):
                out.append({rtype: value})
            else:
                raise ValueError(f"{name}: unsupported record type {rtype}")
    return zone, raw_txt


def convert(path):
    scenarios = []
    with open(path, "rb") as f:
        for doc in yaml.safe_load_all(f):
            if not doc:
                continue
            zone, raw_txt = convert_zone(doc.get("zonedata"))
            cases = []
            for name, t in doc["tests"].items():
                results = t["result"] if isinstance(t["result"], list) else [t["result"]]
                cases.append({
                    "name": name,
                    "spec": str(t.get("spec", "")),
                    "helo": str(t.get("helo", "")),
                    "host": str(t["host"]),
                    "mailfrom": str(t.get("mailfrom", "")),
                    "results": [str(x) for x in results],
                    "explanation": t.get("explanation"),
                })
            scenarios.append({
                "description": doc.get("description", ""),
                "zone": zone,
                "raw_txt": raw_txt,
                "cases": cases,
            })
    return {"scenarios": scenarios}


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    doc = convert(argv[1])
    with open(argv[2], "w", encoding="ascii") as f:
        json.dump(doc, f, indent=1, ensure_ascii=True)
        f.write("\n")
    if len(argv) == 3:
        return 0
    return subprocess.run([argv[3], argv[2]], check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
