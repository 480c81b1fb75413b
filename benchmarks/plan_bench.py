"""``plan`` over a large portfolio served by one team, against ``advise`` over the same accounts.

Run: python benchmarks/plan_bench.py [--accounts N] [--repeat R]
Generates N accounts (default 2,000) served by one team of eight (tests/portfolio_fixture.py,
as of 2026-12-11, EU region), then times, as the installed command runs them (the best of R
rounds, the two run in turn): ``advise`` (JSON) and ``plan --week all`` (JSON) over them; prints both, their
ratio (issue 21 asks for plan within 2x advise), how long the allocation itself took
(``schedule`` on the advice already given), and what it placed and could not place.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from portfolio_fixture import AS_OF, portfolio, write_portfolio  # noqa: E402


def timed(commands: list[list[str]], repeat: int) -> list[float]:
    """The best wall time of each command over ``repeat`` rounds (output thrown away); a round runs every
    command once, so that a busy moment of a shared machine does not fall on one of them only."""
    best = [float("inf")] * len(commands)
    for _ in range(repeat):
        for n, command in enumerate(commands):
            start = time.perf_counter()
            done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip()}")
            best[n] = min(best[n], elapsed)
    return best


def allocation(folder: Path) -> tuple[float, int, int]:
    """The allocation alone: seconds ``schedule`` takes on the portfolio's advice, placed and not placed."""
    from kamengine.engine.api import Engine
    from kamengine.engine.plan.week import schedule

    with Engine() as engine:
        advice = engine.advise([f"file:{folder}"], as_of=AS_OF, stream=None)
        start = time.perf_counter()
        planned = schedule(advice.recommendations, engine.registry.actions, engine.config.plan, AS_OF)
        return time.perf_counter() - start, len(planned.items), len(planned.unplanned)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000, help="accounts one team serves (default 2000)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each command; the best counts (default 2)")
    args = parser.parse_args()
    command = str(Path(sys.executable).parent / "kamengine")
    with tempfile.TemporaryDirectory(prefix="plan-bench-") as temporary:
        folder = write_portfolio(Path(temporary) / "accounts", portfolio(args.accounts))
        common = ["--source", f"file:{folder}", "--as-of", AS_OF.isoformat(), "-f", "json"]
        advising = [command, "--config", "/dev/null", "advise", *common]
        planning = [command, "--config", "/dev/null", "plan", *common, "--week", "all"]
        advise, plan = timed([advising, planning], args.repeat)
        seconds, placed, unplanned = allocation(folder)
    print(f"{args.accounts} accounts, one team of 8, as of {AS_OF} ({dt.date.today()}, best of {args.repeat})")
    print(f"advise            {advise:8.2f} s")
    print(f"plan --week all   {plan:8.2f} s   ({plan / advise:.2f}x advise; issue 21 asks at most 2x)")
    print(f"the allocation    {seconds:8.2f} s   ({placed} approaches placed, {unplanned} not planned)")


if __name__ == "__main__":
    main()
