"""Cold start: ``kamengine --version`` and ``kamengine advise examples/acme-telecom.yaml``, medians and their ratio.

Run: .venv/bin/python benchmarks/cold_start.py [--rounds 20] [--against REF] [--no-cache] [--floor]
Each round runs both commands as fresh processes (plugins discovered as usual, stdout discarded), the
order alternating round by round; with ``--against REF`` the baseline's two commands join the same
rounds (``against.py`` makes its worktree and venv). Prints the median wall-clock and CPU ms of each,
advise / --version for each side, and now / ref for each command. The playbook cache lives in a
temporary ``KAMENGINE_HOME`` filled by the first (unrecorded) round, as a user's home is after one run;
``--no-cache`` times every run without it (``KAMENGINE_NO_CACHE=1``). ``--floor`` times a third process too:
the side's Python importing only what any command reading a snapshot loads before it does anything (click,
importlib.metadata, pydantic, PyYAML, the settings and snapshot models), and prints it / --version: how close
to --version advise can come without a lighter validation of the snapshot; and a fourth, ``libraries``: those
libraries alone, without kamengine's models (what pydantic costs before a model is defined).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from against import REPO, Side, Timed, interleaved, load, sides, timed

EXAMPLE = str(REPO / "examples" / "acme-telecom.yaml")
COMMANDS = {"--version": ["--version"], "advise": ["advise", EXAMPLE]}
#: The libraries no command that validates a snapshot does without (``--floor``) ...
LIBRARIES = "import click, importlib.metadata, pydantic.fields, yaml"
#: ... and with them the settings' and the snapshot's models.
FLOOR = f"{LIBRARIES}, kamengine.engine.model.config, kamengine.engine.model.snapshot"
#: What each measured process runs besides the two commands (``--floor``).
IMPORTS = {"floor": FLOOR, "libraries": LIBRARIES}


def main() -> None:
    """Parse the options, run the rounds, print the medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="runs of each command per side (default 20)")
    parser.add_argument("--against", metavar="REF", help="also time this commit's install, interleaved")
    parser.add_argument("--no-cache", action="store_true", help="set KAMENGINE_NO_CACHE=1 for every run")
    parser.add_argument("--floor", action="store_true", help="also time Python importing the snapshot's models")
    args = parser.parse_args()
    commands = {**COMMANDS, **({"floor": [], "libraries": []} if args.floor else {})}
    installed = sides(args.against)
    with tempfile.TemporaryDirectory(prefix="kamengine-cold-") as home:
        # PYTHONDONTWRITEBYTECODE off: the warm-up round writes the bytecode a user's install has
        drop = ("KAMENGINE_", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
        env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        env.update(KAMENGINE_HOME=home, COLUMNS="160", **({"KAMENGINE_NO_CACHE": "1"} if args.no_cache else {}))
        runs = [(side, name) for side in installed for name in commands]

        def run(item: tuple[Side, str]) -> Timed:
            side, name = item
            imports = IMPORTS.get(name)
            command = [side.bin("python"), "-c", imports] if imports else [side.bin("kamengine"), *commands[name]]
            return timed(command, env, cwd=Path(home))

        print(f"{args.rounds} interleaved rounds; {load()} before", flush=True)
        results = interleaved(runs, args.rounds, run)
        print(f"{load()} after")
    report(installed, results, list(commands))


def report(installed: list[Side], results: dict[tuple[Side, str], list[Timed]], commands: list[str]) -> None:
    """Medians per side and command, advise / --version per side, now / ref per command."""
    wall = {key: statistics.median(t.wall for t in runs) * 1000 for key, runs in results.items()}
    cpu = {key: statistics.median(t.cpu for t in runs) * 1000 for key, runs in results.items()}
    print(f"{'side':<16} {'command':<10} {'wall ms':>8} {'cpu ms':>8}")
    for side in installed:
        for name in commands:
            print(f"{side.name:<16} {name:<10} {wall[side, name]:>8.0f} {cpu[side, name]:>8.0f}")
        for name in (n for n in commands if n != "--version"):
            ratio = wall[side, name] / wall[side, "--version"]
            cpu_ratio = cpu[side, name] / cpu[side, "--version"]
            print(f"{side.name:<16} {name} / --version: {ratio:.2f}x wall, {cpu_ratio:.2f}x cpu")
    if len(installed) == 2:
        ref, now = installed
        for name in commands:
            print(
                f"now / ref, {name:<10}: {wall[now, name] / wall[ref, name]:.2f}x wall, "
                f"{cpu[now, name] / cpu[ref, name]:.2f}x cpu"
            )


if __name__ == "__main__":
    main()
