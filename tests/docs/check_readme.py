"""The README documents what the code does: every reason code the library
knows is in its table, and the C example it shows is the one that is built
and tested.

    python3 check_readme.py PRESEND_BIN README.md examples/check_message.c
"""
import json
import re
import subprocess
import sys


def main() -> int:
    presend, readme_path, example_path = sys.argv[1:4]
    readme = open(readme_path, encoding="utf-8").read()
    failures = []

    reasons = json.loads(subprocess.run([presend, "reasons", "--json"], check=True, capture_output=True).stdout)
    documented = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| (\w+) \|", readme, re.M))
    for r in reasons:
        if (r["code"], r["severity"]) not in documented:
            failures.append(f"reason {r['code']} ({r['severity']}) is not in the README's table")
    known = {r["code"] for r in reasons}
    for code, _ in documented:
        if code not in known:
            failures.append(f"the README documents {code}, which the library does not know")

    example = open(example_path, encoding="utf-8").read()
    if example not in readme:
        failures.append(f"the README does not show {example_path} as it is")

    for f in failures:
        print(f)
    print(f"{len(reasons)} reason codes, example {len(example.splitlines())} lines: "
          f"{'ok' if not failures else str(len(failures)) + ' problem(s)'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
