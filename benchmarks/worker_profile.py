"""A batch worker's own CPU per account, step by step, in this one process: what it spends beyond advise.

Run: python benchmarks/worker_profile.py [--accounts 1000] [--contacts 30] [--nights 2] [--engine NAME]
                                         [--profile [--top 25]]
A real batch night (``Engine.batch``) on a store with ``--nights - 1`` earlier nights of stance history
(``aged_store.seed``: night 2 by default, the first with earlier stances) runs with an executor that evaluates
each task here, in the worker's own ``Evaluation``, and pickles each answer as the pipe to the batch process does.
Prints CPU ms per account (``time.process_time``, medians of the per-account times) of the worker's steps:
parse (the JSON line into the snapshot), kept (``kept_snapshot``: the snapshot's JSON the store keeps),
fill (``fill_stances``), advise, answer (``account_advice``) and pickle (the answer as the pipe sends it),
and their sum beside the whole call, and the cyclic garbage collector's CPU over the night (its collections in
this process: the batch process's share is here too). ``--profile`` adds cProfile of every worker call.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aged_store import seed
from batch_bench import write_portfolio

#: The worker's steps, in the order a task goes through them.
STEPS = ("parse", "kept", "fill", "advise", "answer", "pickle")


class Timed:
    """Wraps the worker module's step functions, adding each call's CPU time to its step's list."""

    def __init__(self) -> None:
        self.spent: dict[str, list[float]] = {step: [] for step in STEPS}
        self.collector, self._began = 0.0, 0.0
        gc.callbacks.append(self._collecting)

    def _collecting(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.process_time()
        else:
            self.collector += time.process_time() - self._began

    def wrap(self, step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function``, timed as ``step``."""
        spent = self.spent[step]

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent.append(time.process_time() - began)

        return timed


class InProcess:
    """An executor that evaluates every task in this process, as a worker does, and pickles the answer."""

    restarts = 0
    on_idle: Callable[[], None] | None = None

    def __init__(self, timed: Timed, profile: cProfile.Profile | None) -> None:
        self.timed, self.profile = timed, profile
        self.calls: list[float] = []

    def run(self, job: Any, tasks: Iterable[Any], on_answer: Callable[[Any], None]) -> None:
        """Each task through the worker's ``Evaluation``; its answer pickled and handed on."""
        from kamengine.engine.batch import worker

        evaluation = worker.Evaluation(job)
        evaluation.source.parse = self.timed.wrap("parse", evaluation.source.parse)  # type: ignore[method-assign]
        evaluation.advisor.advise = self.timed.wrap("advise", evaluation.advisor.advise)  # type: ignore[method-assign]
        pickle = self.timed.wrap("pickle", ForkingPickler.dumps)
        for task in tasks:
            began = time.process_time()
            if self.profile is not None:
                self.profile.enable()
            answer = evaluation(task)
            sent = pickle(answer)
            if self.profile is not None:
                self.profile.disable()
            self.calls.append(time.process_time() - began)
            on_answer(ForkingPickler.loads(sent))
        evaluation.close()


def measure(accounts: int, contacts: int, nights: int, engine_name: str | None, profile: bool) -> tuple[Timed, Any]:
    """A night of the portfolio through ``InProcess``: the steps' times, and the executor (its calls, profile)."""
    from kamengine.engine.api.engine import Engine
    from kamengine.engine.api.options import RunOptions
    from kamengine.engine.batch import worker

    timed = Timed()
    for step, name in (("kept", "kept_snapshot"), ("fill", "fill_stances"), ("answer", "account_advice")):
        setattr(worker, name, timed.wrap(step, getattr(worker, name)))
    executor = InProcess(timed, cProfile.Profile() if profile else None)
    with tempfile.TemporaryDirectory() as folder:
        source, db = Path(folder) / "portfolio.jsonl", Path(folder) / "night.db"
        write_portfolio(source, accounts, contacts)
        documents = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
        seed(db, documents, nights)
        options = RunOptions(engine=engine_name) if engine_name else RunOptions()  # type: ignore[arg-type]
        with Engine(options) as engine:
            result = engine.batch(f"jsonl:{source}", store=db, executor=executor, stdout=sys.stderr)
        if not result.ok:
            raise SystemExit(f"the night failed: {result.failures[:3]}")
    return timed, executor


def main() -> None:
    """Parse the options, run the night, print the steps (and the profile)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=30)
    parser.add_argument("--nights", type=int, default=2, help="the night timed: N-1 nights of history before it")
    parser.add_argument("--engine", choices=["durable", "compiled", "reference"], help="default: the batch's")
    parser.add_argument("--profile", action="store_true", help="cProfile every worker call, by own time")
    parser.add_argument("--top", type=int, default=25, help="with --profile: the functions shown")
    args = parser.parse_args()
    timed, executor = measure(args.accounts, args.contacts, args.nights, args.engine, args.profile)
    print(f"{args.accounts} accounts x {args.contacts} contacts, night {args.nights}; CPU ms per account")
    print(f"{'step':<10} {'median':>8} {'mean':>8}")
    steps = 0.0
    for step, spent in timed.spent.items():
        if spent:
            steps += statistics.mean(spent) * len(spent) / len(executor.calls)
            print(f"{step:<10} {statistics.median(spent) * 1000:>8.3f} {statistics.mean(spent) * 1000:>8.3f}")
    calls = executor.calls
    print(f"{'steps':<10} {'':>8} {steps * 1000:>8.3f}")
    print(f"{'call':<10} {statistics.median(calls) * 1000:>8.3f} {statistics.mean(calls) * 1000:>8.3f}")
    print(f"{'gc':<10} {'':>8} {timed.collector / len(calls) * 1000:>8.3f}")
    if executor.profile is not None:
        stats = pstats.Stats(executor.profile).sort_stats("tottime")
        stats.print_stats(args.top)


if __name__ == "__main__":
    main()
