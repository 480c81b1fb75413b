"""Per-snapshot latency, per stage, and accounts/s of ``advise`` (built-in playbooks) on generated snapshots.

Run: python benchmarks/advise_bench.py [--accounts N] [--contacts 30] [--engine compiled] [--rounds 3] [--clock wall]
Prints, for each size (default 10, 30 and 100 contacts) and each engine (default durable,
compiled and reference): the median per snapshot of each stage (validation, derived facts,
the rule evaluation, ranking, the plan; file parsing excluded; CPU time unless ``--clock
wall``), the median and p95 of the whole, accounts/s in one process, and the evaluation's median as a ratio to the first
engine's. The engines run interleaved, round by round over the same snapshots, so that a
shared, loaded machine slows them alike: compare only figures from one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kamengine.engine.advise.advisor import ENGINES, Advisor
from kamengine.engine.advise.spec import registered_advisor
from kamengine.engine.evaluate.facts import compute_facts
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.plan.planner import plan
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from portfolio import portfolio

STAGES = ("validate", "facts", "evaluate", "rank", "plan")


def measure(
    advisor: Advisor, snapshots: list[dict], times: dict[str, list[float]], clock: Callable[[], float]
) -> tuple[float, int]:
    """Advise every snapshot once, adding its stage times (s) to ``times``; returns (elapsed s, recommendations)."""
    recommendations = 0
    start = time.perf_counter()
    for data in snapshots:
        t0 = clock()
        snapshot = Snapshot.model_validate(data)
        t1 = clock()
        facts = compute_facts(snapshot, advisor.enrichers, advisor.actions)  # what Advisor.evaluate does
        t2 = clock()
        firings = advisor.fire(facts)
        t3 = clock()
        ranked = advisor.rank(facts, firings)
        t4 = clock()
        advice = plan(ranked, facts, advisor.actions, advisor.plan_settings, advisor.caps, advisor.lang)
        t5 = clock()
        for stage, began, ended in zip(STAGES, (t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5), strict=True):
            times[stage].append(ended - began)
        times["total"].append(t5 - t0)
        recommendations += len(advice.recommendations)
    return time.perf_counter() - start, recommendations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500, help="snapshots per size (default 500)")
    parser.add_argument("--contacts", type=int, action="append", help="contacts per snapshot (default 10, 30, 100)")
    parser.add_argument("--engine", choices=ENGINES, action="append", help="engines to compare (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds over the snapshots (default 3)")
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default="cpu",
        help="stage times in this process's CPU time (default: a shared machine's load barely moves it) or wall time",
    )  # fmt: skip
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    registry = Registry(get_plugin_manager(load_entry_points=False))
    engines = list(dict.fromkeys(args.engine or ENGINES))
    advisors = {name: registered_advisor(registry, name) for name in engines}
    stages = "".join(f"  {stage + ' ms':>11}" for stage in STAGES)
    rules = len(next(iter(advisors.values())).rules)
    print(f"{rules} rules; stage times: {args.clock} ms per account (median); accounts/s: wall clock, one process")
    print(f"{'contacts':>8}  {'engine':<9}{stages}  {'median ms':>9}  {'p95 ms':>7}  {'accounts/s':>10}  {'eval ×':>6}")
    for contacts in args.contacts or (10, 30, 100):
        snapshots = portfolio(args.accounts, contacts)
        times: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in engines}
        elapsed = dict.fromkeys(engines, 0.0)
        recommendations: dict[str, int] = {}
        for advisor in advisors.values():
            measure(advisor, snapshots[:20], defaultdict(list), clock)  # warm-up
        for _ in range(args.rounds):
            for name, advisor in advisors.items():
                seconds, recommendations[name] = measure(advisor, snapshots, times[name], clock)
                elapsed[name] += seconds
        if len(set(recommendations.values())) > 1:
            print(f"engines disagree on the number of recommendations: {recommendations}", file=sys.stderr)
        first = statistics.median(times[engines[0]]["evaluate"])
        for name in engines:
            spent = times[name]
            medians = "".join(f"  {statistics.median(spent[stage]) * 1000:>11.3f}" for stage in STAGES)
            total = sorted(spent["total"])
            p95 = total[int(len(total) * 0.95) - 1]
            rate = len(total) / elapsed[name]
            ratio = statistics.median(spent["evaluate"]) / first
            print(
                f"{contacts:>8}  {name:<9}{medians}  {statistics.median(total) * 1000:>9.2f}  {p95 * 1000:>7.2f}"
                f"  {rate:>10.0f}  {ratio:>6.2f}"
            )


if __name__ == "__main__":
    main()
