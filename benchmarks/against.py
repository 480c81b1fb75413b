"""Run the same benchmark on a baseline commit (REF) and on this checkout, interleaved, and print the ratios.

``baseline(ref)`` makes (or reuses) a git worktree of REF under /tmp with a venv of its own, kamengine installed
editable there as it is in the dev venv; ``interleaved`` runs one command per side round after round, the side
that goes first alternating, so that a shared machine's load falls on both alike; ``medians`` and ``ratio_line``
print what the rounds gave. The benchmarks' ``--against REF`` options and ``compare_outputs.py`` use these.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
NOW_VENV = REPO / ".venv"
PACKAGE_FOLDERS = ("main", "engine", "plugins", "rules", "cli", "service", "pyproject.toml")  # what is installed


def git(*args: str, cwd: Path = REPO) -> str:
    """``git ARGS`` in ``cwd``; its output, stripped (a failure stops the script with git's message)."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def baseline(ref: str) -> tuple[Path, Path]:
    """The worktree of ``ref`` under /tmp and its venv, made once and reused; this checkout's own tree is never
    touched. The install is editable, as the dev venv's is: both then name their playbooks by their checkout's
    path, and both import through the same editable finder, which --version's time includes."""
    sha = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    tree, venv = Path(f"/tmp/kamengine-ref-{sha[:7]}"), Path(f"/tmp/kamengine-ref-{sha[:7]}-venv")
    if not tree.exists():
        git("worktree", "add", "--detach", str(tree), sha)  # git() stops the script if this fails
    if git("rev-parse", "HEAD", cwd=tree) != sha or git("status", "--porcelain", "--untracked-files=no", cwd=tree):
        sys.exit(f"{tree} is not a clean checkout of {sha}: remove it (git worktree remove {tree}) and run again")
    marker = venv / f".installed-editable-{sha}"
    if not marker.exists():
        print(f"installing {ref} ({sha[:7]}) into {venv} ...", flush=True)
        subprocess.run([str(NOW_VENV / "bin" / "python"), "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-e", str(tree)]
        if subprocess.run(pip, check=False).returncode != 0:
            sys.exit(f"pip could not install {tree} into {venv}")
        marker.touch()
    return tree, venv


@dataclass(frozen=True)
class Side:
    """One installed kamengine: its name in the output, its venv and its checkout."""

    name: str
    venv: Path
    checkout: Path

    def bin(self, name: str) -> str:
        """A console script or interpreter of this side's venv (``python``, ``kamengine``)."""
        return str(self.venv / "bin" / name)


def sides(ref: str | None) -> list[Side]:
    """``[REF, now]`` (the baseline installed as ``baseline`` does), or ``[now]`` without a REF."""
    now = Side("now", NOW_VENV, REPO)
    if ref is None:
        return [now]
    tree, venv = baseline(ref)
    return [Side(f"ref {ref}", venv, tree), now]


@dataclass(frozen=True)
class Timed:
    """One run: wall-clock and CPU (user + system) seconds, and its standard output."""

    wall: float
    cpu: float
    out: str


def timed(command: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Timed:
    """Run ``command`` once; a failure stops the script with its standard error."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(list(command), env=dict(env) if env else None, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # only the child just waited for is added
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)}: exit {done.returncode}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu, done.stdout)


def interleaved(
    order: Sequence[Any], rounds: int, run: Callable[[Any], Timed], warm_up: bool = True
) -> dict[Any, list[Timed]]:
    """``run(item)`` for every item of ``order``, ``rounds`` times, the order reversed every other round (no item
    always goes first); a first unrecorded round warms the disk cache and the bytecode."""
    results: dict[Any, list[Timed]] = {item: [] for item in order}
    if warm_up:
        for item in order:
            run(item)
    for round_ in range(rounds):
        for item in order if round_ % 2 == 0 else list(order)[::-1]:
            results[item].append(run(item))
    return results


def json_medians(runs: list[Timed]) -> dict[str, float]:
    """The median of each figure over runs that each printed one JSON object of figures on their last line."""
    figures = [json.loads(run.out.strip().splitlines()[-1]) for run in runs]
    return {name: statistics.median(f[name] for f in figures) for name in figures[0]}


def ratio_line(label: str, ref: float, now: float, unit: str = "", width: int = 28) -> str:
    """``label  ref  now  now/ref`` as one aligned line."""
    ratio = f"{now / ref:7.2f}" if ref else "      -"
    return f"{label:<{width}} {ref:>12.3f}{unit} {now:>12.3f}{unit} {ratio}"


def ratio_header(sides: Sequence[Side], label: str, width: int = 28) -> str:
    """The header of ``ratio_line``'s columns."""
    return f"{label:<{width}} {sides[0].name:>12} {sides[-1].name:>12} {'now/ref':>7}"


def against_args(argv: Sequence[str], ref: str, processes: int) -> list[str]:
    """A benchmark's command line without ``--against REF`` and ``--processes N``: what each side runs."""
    passed, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--against", "--processes"):
            skip = True
        elif not arg.startswith(("--against=", "--processes=")):
            passed.append(arg)
    return passed


def both(script: str, argv: Sequence[str], ref: str, processes: int, width: int = 28) -> None:
    """Run ``script ARGV --json`` with REF's and this checkout's interpreter, ``processes`` times each, interleaved
    (the side going first alternating), and print each figure's median for both and now / ref."""
    installed = sides(ref)
    passed = against_args(argv, ref, processes)

    def one(side: Side) -> Timed:
        return timed([side.bin("python"), script, *passed, "--json"])

    print(f"{processes} processes per side, interleaved; {load()} before", flush=True)
    results = interleaved(installed, processes, one, warm_up=False)
    print(f"{load()} after; the median of the processes' figures")
    before, now = (json_medians(results[side]) for side in installed)
    print(ratio_header(installed, "figure", width))
    for name, value in now.items():
        if name in before:
            print(ratio_line(name, before[name], value, width=width))


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes), to print next to figures."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def now_is() -> str:
    """Which commit this checkout's side is: HEAD, and how many of the package's files are edited beside it."""
    head = git("rev-parse", "--short", "HEAD")
    edited = git("status", "--porcelain", "--", *PACKAGE_FOLDERS).splitlines()
    return f"now is HEAD {head}" + (f" with {len(edited)} uncommitted files in the package" if edited else "")


def add_options(parser: argparse.ArgumentParser, processes: int) -> None:
    """The options every benchmark that can run beside a baseline takes: ``--against``, ``--processes``, ``--json``."""
    parser.add_argument("--against", metavar="REF", help="also run the benchmark in this commit's install")
    parser.add_argument(
        "--processes", type=int, default=processes, help=f"with --against: runs per side (default {processes})"
    )
    parser.add_argument("--json", action="store_true", help="print only the figures, as one JSON object")


def ran_both(script: str, args: argparse.Namespace, width: int = 28) -> bool:
    """With ``--against``: the benchmark run on both sides (``both``), and True; else False (run it here)."""
    if not args.against:
        return False
    both(script, sys.argv[1:], args.against, args.processes, width)
    return True


def main(
    script: str, parser: argparse.ArgumentParser, run: Callable[[argparse.Namespace], Any], processes: int
) -> None:
    """A benchmark's command: its options and these (``add_options``), then ``run`` here (its figures printed as JSON
    with ``--json``), or the benchmark on both sides with ``--against``."""
    add_options(parser, processes)
    args = parser.parse_args()
    if ran_both(script, args):
        return
    figures = run(args)
    if args.json:
        print(json.dumps(figures))
