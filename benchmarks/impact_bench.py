"""Wall time of ``kamengine rules impact`` between the built-in playbooks and a copy with one threshold changed.

Run: python benchmarks/impact_bench.py [--accounts 5000] [--contacts 20]
Writes a generated portfolio (fixed seed) as JSON Lines and a copy of rules/ in which a
relationship turns cold after 90 days instead of 60, then times the installed command with
one worker and with two, and prints what changed (the first line of its report).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portfolio import portfolio

SCRIPT = Path(sys.executable).parent / "kamengine"
RULES = Path(__file__).resolve().parent.parent / "rules"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--contacts", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "portfolio.jsonl"
        with source.open("w", encoding="utf-8") as stream:
            for start in range(0, args.accounts, 1000):  # generated in slices: flat memory here too
                for snapshot in portfolio(min(1000, args.accounts - start), args.contacts, seed=7 + start):
                    snapshot["account"]["id"] = f"acct-{start}-{snapshot['account']['id']}"
                    stream.write(json.dumps(snapshot) + "\n")
        head = Path(folder) / "head"
        shutil.copytree(RULES, head, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        power_map = head / "power_map.yaml"
        text = power_map.read_text(encoding="utf-8")
        changed = text.replace("cold_after_days:\n    default: 60", "cold_after_days:\n    default: 90")
        assert changed != text, "rules/power_map.yaml no longer sets cold_after_days to 60"
        power_map.write_text(changed, encoding="utf-8")
        print(f"{args.accounts} accounts x {args.contacts} contacts; cold_after_days 60 -> 90")
        for workers in (1, 2):
            command = [str(SCRIPT), "rules", "impact", "--base", str(RULES), "--head", str(head)]
            command += ["--source", f"jsonl:{source}", "--workers", str(workers)]
            began = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            seconds = time.perf_counter() - began
            print(f"{workers} worker(s): {seconds:.1f} s, {args.accounts / seconds:.0f} accounts/s")
        print(done.stdout.splitlines()[0])


if __name__ == "__main__":
    main()
