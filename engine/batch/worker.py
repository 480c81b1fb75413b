"""A worker's side of a batch run: built once per worker from the job, then parse, skip, advise, answer."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import time

from ..errors import plain, printable
from ..model.rows import account_advice, kept_snapshot
from ..plugin.sources import Source
from ..store.stances import fill_stances
from .executor import Answer, Job, Task

#: Test hook, never set in production: ``crash:ID[,ID...]`` kills the worker holding one of
#: those accounts with SIGSEGV; ``hang:ID[,ID...]`` makes it never finish them;
#: ``sleep:SECONDS`` slows every account down; ``start:raise`` and ``start:crash`` make every
#: worker fail while it starts.
FAULT_ENV = "KAMENGINE_FAULT_INJECT"


class Evaluation:
    """Everything a worker evaluates with, made from the job alone (no files, no working directory, no store)."""

    def __init__(self, job: Job) -> None:
        self.fault = os.environ.get(FAULT_ENV, "")
        if self.fault == "start:raise":
            raise RuntimeError("fault injected at start")
        if self.fault == "start:crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        self.advisor = job.spec.advisor()
        self.as_of = job.spec.as_of
        self.source = job.source(job.location, job.spec.actions)
        self.source.limits = job.spec.config.limits
        self.skip = job.skip

    def __call__(self, task: Task) -> Answer:
        """The task's answer, the cyclic garbage collector held off while it is worked out.

        An account's objects are freed by reference counting when it is answered; a collection in its middle
        (every 700 new containers) only walks the live ones, again and again, and the start-up's: ~5% of a
        worker's CPU (benchmarks/worker_profile.py). Collections resume between accounts. A collector someone
        else turned off stays off.
        """
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._answer(task)
        finally:
            if collecting:
                gc.enable()

    def _answer(self, task: Task) -> Answer:
        try:
            record = self.source.parse(task.record) if task.record.raw is not None else task.record
        except Exception as exc:  # a source plugin's bug costs only this account
            return Answer(task.origin, task.origin, error=f"{task.origin}: cannot read: {plain(exc)}")
        if record.snapshot is None:
            return Answer(task.origin, task.origin, error=str(record.error or f"{task.origin}: no snapshot"))
        snapshot = record.snapshot
        if self.as_of is not None:  # --as-of: the store keeps the advice as of that date too
            snapshot = snapshot.model_copy(update={"as_of": self.as_of})
        if snapshot.account.id in self.skip:
            return Answer(task.origin, snapshot.account.id, skipped=True)
        if task.account is not None and task.account != snapshot.account.id:  # the supervisor read another's
            error = f"{task.origin}: its earlier stances were read for account '{printable(task.account)}'"
            return Answer(task.origin, snapshot.account.id, error=error)
        self._inject_fault(snapshot.account.id)
        try:
            kept = kept_snapshot(snapshot)  # as the source gave it (the service's pages draw it), not as filled
            snapshot = fill_stances(snapshot, task.stances)  # the supervisor read them: workers never open the store
            advice = self.advisor.advise(snapshot)
        except Exception as exc:  # reported as this account's failure; the worker goes on
            return Answer(task.origin, snapshot.account.id, error=f"{task.origin}: {plain(exc)}")
        return Answer(task.origin, snapshot.account.id, account_advice(snapshot, advice.recommendations, kept))

    def close(self) -> None:
        self.advisor.close()

    def _inject_fault(self, account_id: str) -> None:
        kind, _, what = self.fault.partition(":")
        if kind == "crash" and account_id in what.split(","):
            os.kill(os.getpid(), signal.SIGSEGV)
        if kind == "hang" and account_id in what.split(","):
            while True:
                time.sleep(60)
        if kind == "sleep":
            time.sleep(float(what))


def account_of(task: Task, source: Source) -> str:
    """The account a task holds, for reporting a worker that died on it (rare: parsing again is fine)."""
    record = task.record
    if record.raw is not None:
        with contextlib.suppress(Exception):
            record = source.parse(record)
    return record.snapshot.account.id if record.snapshot is not None else task.origin
