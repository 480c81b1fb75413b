"""Peak memory and time of ``report effectiveness`` and ``report rules`` on a generated store: SQL aggregation
(the reports now) against the in-memory reading they replaced (``--reference``: tests/engine/store/test_report_sql.py).

    python benchmarks/report_memory.py --accounts 300 --nights 90          # builds the store once, then both sides

Each side runs in a fresh process (its peak RSS is that process's); the two alternate, ``--rounds`` times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = ("regular_office_visit", "onsite_meeting", "account_review", "birthday_greeting")


def build(path: Path, accounts: int, contacts: int, nights: int) -> None:
    """A store of ``nights`` nightly runs: each contact's stance moves one night in 20, the low ones are advised,
    and people decide a few pieces of advice a night (done, dismissed with a reason, accepted)."""
    from kamengine.engine.model.rows import AccountAdvice
    from kamengine.engine.store.store import Store
    from kamengine.engine.store.time_order import TimeOrder

    first, rng, stances = dt.date(2026, 12, 1) - dt.timedelta(days=nights), random.Random(7), {}
    store = Store(path)
    store.time_order = TimeOrder(what_if=True)  # a generated past: every date as given
    for day in range(nights):
        night = (first + dt.timedelta(days=day)).isoformat()
        run_id, _ = store.start_run("file:generated/")
        with store.group_commit():
            for a in range(accounts):
                people = []
                for c in range(contacts):
                    if (a, c) not in stances or rng.random() < 0.05:
                        stances[(a, c)] = rng.randint(-2, 2)
                    people.append((f"c{c}", stances[(a, c)]))
                rows = tuple(
                    (f"rec-{a}-{c}-{day // 30}", f"acc{a}", ACTIONS[c % 4], "contact", f"c{c}", f"gen/{ACTIONS[c % 4]}",
                     "title", "why", 1.0, night, "AR", "[]", None, "u-ar", "Ann", None, None, None, f"A{a}", None)
                    for c, (_, stance) in enumerate(people) if stance <= 0
                )  # fmt: skip
                store.apply(run_id, AccountAdvice(f"acc{a}", night, tuple(people), rows))
        store.finish_run(run_id, {})
        live = [r["id"] for r in store.find(statuses=["open", "accepted"])]
        for rec_id in rng.sample(live, min(len(live), accounts // 10 + 1)):
            verb = rng.choice(("done", "done", "dismissed", "accepted"))
            reason = "not now" if verb == "dismissed" else ""
            store.change(rec_id, verb, "u-ar", reason, on=dt.date.fromisoformat(night))
    store.close()


def measure(path: Path, reference: bool) -> dict[str, float | int | str]:
    """One side in this process: seconds of each report and the process's peak RSS in MB."""
    from kamengine.engine.store.reports import effectiveness
    from kamengine.engine.store.rule_reports import rule_report
    from kamengine.engine.store.store import Store

    # Both sides import the reference (and hypothesis with it), so that their peaks differ by the reports only.
    sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "engine" / "store")]
    from test_report_sql import _old_effectiveness, _old_rule_report  # type: ignore[import-not-found]

    if reference:
        effectiveness, rule_report = _old_effectiveness, _old_rule_report
    store = Store(path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    started = time.perf_counter()
    effects = effectiveness(store)
    middle = time.perf_counter()
    uses = rule_report(store)
    ended = time.perf_counter()
    heap = tracemalloc.get_traced_memory()[1] / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    digest = hashlib.sha256(repr((effects, uses)).encode()).hexdigest()[:12]
    return {"effectiveness_s": middle - started, "rules_s": ended - middle, "python_heap_peak_mb": heap,
            "rss_growth_mb": peak - before, "effects": len(effects), "rules": len(uses), "answer": digest}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--contacts", type=int, default=10)
    parser.add_argument("--nights", type=int, default=90)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--db", type=Path, default=Path("/tmp/report_memory.db"))
    parser.add_argument("--side", choices=("sql", "reference"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(measure(args.db, args.side == "reference")))
        return
    if not args.db.exists():
        started = time.perf_counter()
        build(args.db, args.accounts, args.contacts, args.nights)
        print(f"built {args.db} in {time.perf_counter() - started:.0f} s ({args.db.stat().st_size / 1e6:.1f} MB)")
    for round_ in range(args.rounds):
        sides = ("sql", "reference") if round_ % 2 == 0 else ("reference", "sql")
        for side in sides:
            command = [sys.executable, __file__, "--db", str(args.db), "--side", side]
            figures = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            print(f"{side:>9}: " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                                             for k, v in figures.items()))  # fmt: skip


if __name__ == "__main__":
    main()
