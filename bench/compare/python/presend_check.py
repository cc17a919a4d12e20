"""Contender "presend-python": presend through its Python binding.

    PRESEND_LIBRARY=build/release/c_api/libpresend.so.1 \
        python3 bench/compare/python/presend_check.py --config presend.json --store run.db \
        --messages messages.jsonl --out result [--seconds S | --count N]

The timed call is what an application calls: Engine.check(dict), which
encodes the message, checks it (reserving quota and storing the decision)
and decodes the decision into a Decision.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bindings" / "python" / "src"))
import presend  # noqa: E402
from presend.decision import Verdict  # noqa: E402

import driver  # noqa: E402


def main() -> None:
    args = driver.parse_args(__doc__.splitlines()[0])
    if not args.config:
        raise SystemExit("presend_check.py: --config is required")
    with open(args.config, encoding="utf-8") as f:
        config = json.load(f)
    messages = driver.load_messages(args.messages)
    base_kb = driver.status_kb("RssAnon")
    with presend.Engine(config, db=args.store) as engine:

        def check(m: dict) -> driver.Outcome:
            d = engine.check(m)
            allowed = blocked = deferred = 0
            for r in d.recipients:
                if r.verdict is Verdict.ALLOW:
                    allowed += 1
                elif r.verdict is Verdict.DEFER:
                    deferred += 1
                else:
                    blocked += 1
            return d.verdict.value, allowed, blocked, deferred

        driver.run("presend-python", f"presend {presend.version()}, Python {sys.version.split()[0]}",
                   args, messages, base_kb, check, lambda m: engine.check(m, dry_run=True))


if __name__ == "__main__":
    main()
