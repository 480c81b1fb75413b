"""Issue 24's done-when table, each figure from runs of the baseline and this checkout interleaved in one sitting.

Run: .venv/bin/python benchmarks/done_when.py [--against f2894bb] [--full] [--rounds 3] [--accounts N]
In order, with ``uptime`` before and after: the 2-worker batch (the baseline's default engine, and this checkout's
default and ``compiled``; ``batch_bench.run``), night 365 against nights 1 and 2 of this checkout (``aged_store.py``),
in-process advise at 30 contacts (``advise_bench.py`` in each side's interpreter), cold ``advise`` of the example
and ``--version`` (fresh processes, the playbook cache filled by an unrecorded first round, as ``cold_start.py``
does), and one client's POST /v1/advise on each side's ``kamengine serve`` (``serve_bench.serving``, 127.0.0.1),
the servers' turns alternating. Sizes: 1,000 accounts x 30 contacts by default, ``--full`` the issue's 5,000 x 30.
Then the table: each criterion, its target, the baseline's and this checkout's figure, the ratio, met or not.
Identical output is judged apart: ``compare_stores.py`` and ``compare_outputs.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from against import Side, Timed, interleaved, json_medians, now_is, sides, timed
from aged_store import aged
from batch_bench import net, night_runner, run, write_portfolio
from cold_start import COMMANDS
from serve_bench import alternating_turns

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Sizes:
    """How much each part runs."""

    accounts: int  # the batch's and the nights' portfolio, 30 contacts each
    advise_accounts: int  # snapshots per advise_bench process
    processes: int  # advise_bench processes per side
    cold_rounds: int
    serve_seconds: float  # one client's turn on a server, per round
    night_repeats: int


SMALL = Sizes(accounts=1000, advise_accounts=100, processes=3, cold_rounds=10, serve_seconds=5, night_repeats=3)
FULL = Sizes(accounts=5000, advise_accounts=300, processes=5, cold_rounds=20, serve_seconds=10, night_repeats=3)


@dataclass(frozen=True)
class Row:
    """A line of the table: ``now`` meets ``target`` when ``ratio`` (or ``now`` itself, with no ref) is within it."""

    criterion: str
    target: str
    ref: float | None
    now: float
    ratio: float | None
    met: bool


def at_least(criterion: str, ref: float, now: float, times: float) -> Row:
    """A row whose target is ``now >= times * ref``."""
    return Row(criterion, f">= {times:g}x ref", ref, now, now / ref, now >= times * ref)


def at_most(criterion: str, ref: float, now: float, times: float) -> Row:
    """A row whose target is ``now <= times * ref``."""
    return Row(criterion, f"<= {times:g}x ref", ref, now, now / ref, now <= times * ref)


def below(criterion: str, limit: float, unit: str, now: float, ref: float | None = None) -> Row:
    """A row whose target is ``now <= limit`` (``ref``, if given, shown beside it)."""
    return Row(criterion, f"<= {limit:g} {unit}", ref, now, None, now <= limit)


def batch(installed: list[Side], source: Path, folder: Path, accounts: int, rounds: int) -> list[Row]:
    """The 2-worker batch of ``source``: the baseline's default engine, this checkout's default and compiled."""
    ref, now = installed
    runs = [(ref, ()), (now, ()), (now, ("--engine", "compiled"))]

    def one(item: tuple[Side, tuple[str, ...]]) -> Timed:
        side, extra = item
        db = folder / "batch.db"
        for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            leftover.unlink(missing_ok=True)
        script = side.bin("kamengine")
        figures = net(run(source, db, 2, accounts, script=script, extra=extra), accounts, source, folder, script, extra)
        print(
            f"  batch, {side.name} {' '.join(extra) or 'default engine'}: {figures['accounts_per_s']:.0f} acc/s,"
            f" writer {figures['main_cpu_ms']:.2f} CPU ms/acct ({figures['main_cpu_ms_net']:.2f} net of start-up),"
            f" workers {figures['worker_cpu_ms']:.2f} ({figures['worker_cpu_ms_net']:.2f})"
        )
        return Timed(figures["seconds"], 0.0, json.dumps(figures))

    medians = {item: json_medians(timed_runs) for item, timed_runs in interleaved(runs, rounds, one, False).items()}
    before, default, compiled = (medians[item] for item in runs)
    speed, writer = "accounts_per_s", "main_cpu_ms_net"
    return [
        at_least("batch acc/s, default engine", before[speed], default[speed], 1.5),
        at_least("batch acc/s, compiled (ref: default)", before[speed], compiled[speed], 2.0),
        below("writer CPU ms/account, default, net", 1.0, "ms", default[writer], before[writer]),
        below("writer CPU ms/account, compiled, net", 1.0, "ms", compiled[writer], before[writer]),
    ]


def nights(source: Path, folder: Path, accounts: int, repeats: int) -> list[Row]:
    """Night 365 against night 1 of this checkout (medians of ``repeats`` runs each): the workers' CPU, the issue's
    criterion as written, and, since the batch process now reads the stances, the workers' and batch process's
    together; and the workers' against night 2, the first night with history (night 1 fills no stances and gives
    no "moved from stance" advice): what the age alone costs (aged_store.py says why both)."""
    figures = aged(source, folder, 365, repeats, night_runner(accounts, folder))
    ratio = "night 365 / night {}: {} CPU ms/acct"
    return [
        below("night 365 / 1, workers CPU/account", 1.1, "x night 1", figures[ratio.format(1, "workers")]),
        below("night 365 / 1, workers + batch process", 1.1, "x night 1", figures[ratio.format(1, "together")]),
        below("night 365 / 2 (age alone), workers", 1.1, "x night 2", figures[ratio.format(2, "workers")]),
    ]


def advise(installed: list[Side], size: Sizes) -> list[Row]:
    """In-process advise at 30 contacts, durable (the default engine): each side's p50 (median of its processes)."""
    script = str(HERE / "advise_bench.py")
    options = ["--contacts", "30", "--engine", "durable", "--rounds", "1", "--accounts", str(size.advise_accounts)]

    def one(side: Side) -> Timed:
        return timed([side.bin("python"), script, *options, "--json"])

    results = interleaved(installed, size.processes, one, warm_up=False)
    before, now = (json_medians(results[side])["30/durable/total"] for side in installed)
    print(f"  advise p50 CPU ms at 30 contacts: {before:.2f} ref, {now:.2f} now")
    return [at_most("in-process advise p50, 30 contacts", before, now, 0.6)]


def cold(installed: list[Side], rounds: int) -> list[Row]:
    """``advise`` of the example and ``--version``, fresh processes, interleaved; the playbook cache in a
    temporary home that the first (unrecorded) round fills."""
    with tempfile.TemporaryDirectory(prefix="kamengine-cold-") as home:
        kept = {k: v for k, v in os.environ.items() if not k.startswith(("KAMENGINE_", "VIRTUAL_ENV"))}
        env = kept | {"KAMENGINE_HOME": home, "COLUMNS": "160"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # the warm-up round writes the bytecode an install has
        commands = [(side, name) for side in installed for name in COMMANDS]

        def one(item: tuple[Side, str]) -> Timed:
            return timed([item[0].bin("kamengine"), *COMMANDS[item[1]]], env, Path(home))

        results = interleaved(commands, rounds, one)
    wall = {key: statistics.median(t.wall for t in runs) * 1000 for key, runs in results.items()}
    print(f"  cold wall ms: {', '.join(f'{side.name} {name} {wall[side, name]:.0f}' for side, name in wall)}")
    ratio = {side: wall[side, "advise"] / wall[side, "--version"] for side in installed}
    ref, now = installed
    return [
        below("cold advise / --version (ref: its own)", 2.5, "x --version", ratio[now], ratio[ref]),
        at_most("--version wall ms", wall[ref, "--version"], wall[now, "--version"], 1.0),
    ]


def serve(installed: list[Side], folder: Path, seconds: float, rounds: int) -> list[Row]:
    """One client's POST /v1/advise (30 contacts) on each side's server, both running, their turns alternating."""
    latencies = alternating_turns(installed, folder, 30, seconds, rounds)
    before, now = (statistics.median(latencies[side.name]) for side in installed)
    print(f"  serve one client p50 ms: {before:.1f} ref, {now:.1f} now")
    return [at_most("serve one client p50 /v1/advise", before, now, 0.7)]


def table(rows: list[Row], installed: list[Side]) -> None:
    """The rows, aligned."""
    print(f"{'criterion':<42} {'target':<16} {installed[0].name:>12} {'now':>10} {'ratio':>7}  met")
    for row in rows:
        ref = f"{row.ref:12.3f}" if row.ref is not None else f"{'-':>12}"
        ratio = f"{row.ratio:7.2f}" if row.ratio is not None else f"{'-':>7}"
        print(f"{row.criterion:<42} {row.target:<16} {ref} {row.now:10.3f} {ratio}  {'yes' if row.met else 'NO'}")


def uptime() -> str:
    """``uptime``'s line."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    """Parse the options, run every part in order, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REF", default="f2894bb", help="the baseline commit (default f2894bb)")
    parser.add_argument("--full", action="store_true", help="the issue's sizes: 5,000 accounts x 30 contacts")
    parser.add_argument("--accounts", type=int, help="the batch's and the nights' accounts instead (a quick try)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved batch and serve rounds (default 3)")
    args = parser.parse_args()
    size = FULL if args.full else SMALL
    size = dataclasses.replace(size, accounts=args.accounts) if args.accounts else size
    installed = sides(args.against)
    print(f"start: {uptime()}\n{now_is()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="kamengine-done-when-") as temporary:
        folder = Path(temporary)
        os.chdir(folder)  # no kamengine.toml of the caller's folder applies
        source = folder / "portfolio.jsonl"
        write_portfolio(source, size.accounts, 30)
        print(f"{size.accounts} accounts x 30 contacts; {args.rounds} rounds", flush=True)
        rows = batch(installed, source, folder, size.accounts, args.rounds)
        rows += nights(source, folder, size.accounts, size.night_repeats)
        rows += advise(installed, size)
        rows += cold(installed, size.cold_rounds)
        rows += serve(installed, folder, size.serve_seconds, args.rounds)
    print(f"end: {uptime()}")
    table(rows, installed)
    print(f"identical output is judged apart: compare_stores.py --against {args.against}, compare_outputs.py")


if __name__ == "__main__":
    main()
