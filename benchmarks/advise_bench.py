"""Per-snapshot latency and accounts/s of ``advise`` (built-in playbooks) on generated snapshots.

Run: python benchmarks/advise_bench.py [--accounts N]
Prints, for 10, 30 and 100 contacts: median and p95 latency per snapshot (validation,
derived facts, durable evaluation, ranking and the plan; file parsing excluded), accounts/s
in one process, and the share of an account's time the planning stage takes, for
durable_rules and, for comparison, the reference evaluator.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kamengine.engine.advise.advisor import Advisor
from kamengine.engine.advise.setup import registered_advisor
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.plan.planner import plan
from kamengine.engine.plugin.manager import get_plugin_manager
from kamengine.engine.plugin.registry import Registry
from portfolio import portfolio


def measure(advisor: Advisor, snapshots: list[dict]) -> tuple[float, float, float, int, float]:
    latencies = []
    recommendations = 0
    planning = 0.0
    start = time.perf_counter()
    for data in snapshots:
        began = time.perf_counter()
        facts, firings = advisor.evaluate(Snapshot.model_validate(data))
        ranked = advisor.ranked(facts, firings)
        ready = time.perf_counter()
        advice = plan(ranked, facts, advisor.actions, advisor.plan_settings, advisor.caps, advisor.lang)
        done = time.perf_counter()
        planning += done - ready
        latencies.append(done - began)
        recommendations += len(advice.recommendations)
    elapsed = time.perf_counter() - start
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    share = planning / sum(latencies)
    return statistics.median(latencies) * 1000, p95 * 1000, len(snapshots) / elapsed, recommendations, share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500, help="snapshots per size (default 500)")
    args = parser.parse_args()
    registry = Registry(get_plugin_manager(load_entry_points=False))
    advisors = {name: registered_advisor(registry, name) for name in ("durable", "reference")}
    header = (
        f"{'contacts':>8}  {'engine':<9}  {'median ms':>9}  {'p95 ms':>7}  {'accounts/s':>10}  {'recs/account':>12}"
    )
    print(f"{header}  {'plan %':>6}")
    for contacts in (10, 30, 100):
        snapshots = portfolio(args.accounts, contacts)
        for name, advisor in advisors.items():
            measure(advisor, snapshots[:20])  # warm-up
            median, p95, rate, recs, share = measure(advisor, snapshots)
            print(
                f"{contacts:>8}  {name:<9}  {median:>9.2f}  {p95:>7.2f}  {rate:>10.0f}  {recs / len(snapshots):>12.1f}"
                f"  {share * 100:>6.1f}"
            )


if __name__ == "__main__":
    main()
