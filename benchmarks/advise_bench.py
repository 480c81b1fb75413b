"""Per-snapshot latency, per stage, and accounts/s of ``advise`` (built-in playbooks) on generated snapshots.

Run: python benchmarks/advise_bench.py [--accounts N] [--contacts 30] [--engine compiled] [--rounds 3] [--clock wall]
                                       [--against REF [--processes 5]]
Prints, for each size (default 10, 30 and 100 contacts) and each engine (default durable,
compiled and reference): the median per snapshot of each stage (parse: the snapshot's JSON line
read as the JSON Lines source reads it; validate: into a ``Snapshot``; derived facts; the rule
evaluation; ranking; the plan; render: the recommendations as the table people read; CPU time
unless ``--clock wall``), the median and p95 of the whole, accounts/s in one process, and the
evaluation's median as a ratio to the first engine's. The engines run interleaved, round by round
over the same snapshots, so that a shared, loaded machine slows them alike: compare only figures
from one run.

``--against REF``: the same benchmark, this script, run in REF's install (``against.py`` makes its
worktree and venv) and in this checkout's, as ``--processes`` fresh processes each, interleaved,
the side going first alternating; prints each stage's median for both and now / ref.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import against

STAGES = ("parse", "validate", "facts", "evaluate", "rank", "plan", "render")


def _engine_parts() -> tuple[Any, ...]:
    """What the benchmark calls, from this install's modules (a baseline may name them as before issue 20)."""
    from kamengine.engine.advise.advisor import ENGINES
    from kamengine.engine.evaluate.facts import compute_facts
    from kamengine.engine.model.documents import Document, parse_json
    from kamengine.engine.model.loading import snapshot_from_document
    from kamengine.engine.plan.planner import plan

    # today's module, or its name before issue 20's restructuring (a baseline's)
    registered_advisor = _module("advise.spec", "advise.setup").registered_advisor
    get_plugin_manager = _module("plugin._manager", "plugin.manager").get_plugin_manager
    Registry = _module("plugin._registry", "plugin.registry").Registry
    parse = lambda text, origin: Document(parse_json(text, origin, one_line=True), origin)  # noqa: E731
    validate = snapshot_from_document
    if importlib.util.find_spec("kamengine.engine.model.json_mode") is not None:
        # A worker's way since issue 24 (snapshot_from_json: pydantic's JSON mode reads and validates the line at
        # once): the parse stage only passes the line on and "validate" is both, so their sum compares across sides.
        from kamengine.engine.model.loading import snapshot_from_json

        parse = lambda text, origin: (text, origin)  # noqa: E731
        validate = lambda line, actions: snapshot_from_json(*line, actions)  # noqa: E731
    return ENGINES, registered_advisor, Registry(get_plugin_manager(load_entry_points=False)), (
        parse, validate, compute_facts, plan
    )  # fmt: skip


def _module(*names: str) -> Any:
    """The first of ``kamengine.engine.NAME`` that this install has."""
    for name in names[:-1]:
        try:
            return importlib.import_module(f"kamengine.engine.{name}")
        except ImportError:
            continue
    return importlib.import_module(f"kamengine.engine.{names[-1]}")


def measure(
    advisor: Any, lines: list[str], steps: tuple[Any, ...], times: dict[str, list[float]], clock: Callable[[], float]
) -> tuple[float, int]:
    """Advise every snapshot once, adding its stage times (s) to ``times``; returns (elapsed s, recommendations)."""
    from kamengine.plugins.text_emitters import TableEmitter

    parse, validate, compute_facts, plan = steps
    table = TableEmitter(None)
    recommendations = 0
    start = time.perf_counter()
    for n, text in enumerate(lines, 1):
        t0 = clock()
        document = parse(text, f"portfolio.jsonl:{n}")
        t1 = clock()
        snapshot = validate(document, advisor.actions)
        t2 = clock()
        facts = compute_facts(snapshot, advisor.enrichers, advisor.actions)  # what Advisor.evaluate does
        t3 = clock()
        firings = advisor.fire(facts)
        t4 = clock()
        # Before 1109995 (the baseline f2894bb) ``rank`` ranked and planned and ``ranked`` only ranked: call the
        # ranking alone on both sides, or the baseline's rank stage counts its plan too (and its total twice).
        ranked = advisor.ranked(facts, firings) if hasattr(advisor, "ranked") else advisor.rank(facts, firings)
        t5 = clock()
        advice = plan(ranked, facts, advisor.actions, advisor.plan_settings, advisor.caps, advisor.lang)
        t6 = clock()
        table.render(advice.recommendations, {})
        t7 = clock()
        marks = (t0, t1, t2, t3, t4, t5, t6, t7)
        for stage, began, ended in zip(STAGES, marks, marks[1:], strict=False):
            times[stage].append(ended - began)
        times["total"].append(t7 - t0)
        recommendations += len(advice.recommendations)
    return time.perf_counter() - start, recommendations


def run(args: argparse.Namespace) -> dict[str, float]:
    """Every size and engine, interleaved; prints the table (unless ``--json``) and returns its figures by name
    (``contacts/engine/stage`` in ms, ``contacts/engine/accounts_per_s``)."""
    from portfolio import portfolio

    engines_known, registered_advisor, registry, steps = _engine_parts()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    engines = list(dict.fromkeys(args.engine or engines_known))
    advisors = {name: registered_advisor(registry, name) for name in engines}
    say = (lambda *a: None) if args.json else print
    columns = "".join(f"  {stage + ' ms':>11}" for stage in STAGES)
    say(f"{len(next(iter(advisors.values())).rules)} rules; stage times: {args.clock} ms per account (median)")
    say(f"{'contacts':>8}  {'engine':<9}{columns}  {'median ms':>9}  {'p95 ms':>7}  {'accounts/s':>10}  {'eval ×':>6}")
    figures: dict[str, float] = {}
    for contacts in args.contacts or (10, 30, 100):
        lines = [json.dumps(snapshot) for snapshot in portfolio(args.accounts, contacts)]
        times: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in engines}
        elapsed = dict.fromkeys(engines, 0.0)
        recommendations: dict[str, int] = {}
        for advisor in advisors.values():
            measure(advisor, lines[:20], steps, defaultdict(list), clock)  # warm-up
        for _ in range(args.rounds):
            for name, advisor in advisors.items():
                seconds, recommendations[name] = measure(advisor, lines, steps, times[name], clock)
                elapsed[name] += seconds
        if len(set(recommendations.values())) > 1:
            print(f"engines disagree on the number of recommendations: {recommendations}", file=sys.stderr)
        first = statistics.median(times[engines[0]]["evaluate"])
        for name in engines:
            spent = times[name]
            for stage in (*STAGES, "total"):
                figures[f"{contacts}/{name}/{stage}"] = statistics.median(spent[stage]) * 1000
            total = sorted(spent["total"])
            p95 = total[int(len(total) * 0.95) - 1] * 1000
            figures[f"{contacts}/{name}/accounts_per_s"] = rate = len(total) / elapsed[name]
            medians = "".join(f"  {figures[f'{contacts}/{name}/{stage}']:>11.3f}" for stage in STAGES)
            ratio = statistics.median(spent["evaluate"]) / first
            say(
                f"{contacts:>8}  {name:<9}{medians}  {figures[f'{contacts}/{name}/total']:>9.2f}  {p95:>7.2f}"
                f"  {rate:>10.0f}  {ratio:>6.2f}"
            )
    return figures


def main() -> None:
    """Parse the options; run here, or on both sides with ``--against``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500, help="snapshots per size (default 500)")
    parser.add_argument("--contacts", type=int, action="append", help="contacts per snapshot (default 10, 30, 100)")
    parser.add_argument("--engine", action="append", help="engines to compare (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds over the snapshots (default 3)")
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default="cpu",
        help="stage times in this process's CPU time (default: a shared machine's load barely moves it) or wall time",
    )  # fmt: skip
    against.main(__file__, parser, run, processes=5)


if __name__ == "__main__":
    main()
