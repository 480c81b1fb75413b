"""One nightly run: read the source, evaluate every account on an executor, keep the advice, deliver it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from ..advise.spec import AdvisorSpec
from ..errors import printable
from ..model.rows import AccountAdvice
from ..plugin._registry import Registry
from ..plugin.sources import Source
from ..store.commits import GroupCommit
from ..store.decisions import prune_decisions
from ..store.lifecycle import AccountOutcome
from ..store.outbox import Delivery, deliver_pending, queue
from ..store.statuses import DEFAULT_EXPIRY_GRACE_DAYS
from ..store.store import Store
from ..store.time_order import TimeOrderError
from .executor import Answer, Executor, Job
from .signals import Interrupted, check, watching
from .tasks import account_tasks
from .worker_plugins import plugins_used

Progress = Callable[[int, int], None]  # (accounts answered, of which failed)

#: How long, in all, a started run's write waits for the store (people deciding through the service hold
#: it a few milliseconds at a time): a group of accounts waits its turn instead of ending the run.
NIGHT_PATIENCE_SECONDS = 600.0


@dataclass
class BatchResult:
    """What a run did: its id, its totals, each failure in one line, and how each delivery went."""

    run_id: str
    accounts: int = 0
    outcome: AccountOutcome = field(default_factory=AccountOutcome)
    failures: list[str] = field(default_factory=list)
    worker_restarts: int = 0
    finished: bool = True  # False when the source broke off or a signal stopped it: open for --resume
    interrupted: int | None = None  # the signal (SIGINT, SIGTERM) that stopped the run
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, Any]:
        """The totals as the store keeps them with the run."""
        return {
            "accounts": self.accounts,
            **vars(self.outcome),
            "failed": len(self.failures),
            "worker_restarts": self.worker_restarts,
        }

    @property
    def ok(self) -> bool:
        """Every account advised and every delivery made."""
        return not self.failures and all(d.ok for d in self.deliveries)


def run_batch(
    spec: AdvisorSpec,
    source: Source,
    source_spec: str,
    store: Store,
    executor: Executor,
    registry: Registry,
    stdout: IO[str],
    emit: Sequence[str] = (),
    resume: bool = False,
    grace_days: int = DEFAULT_EXPIRY_GRACE_DAYS,
    on_progress: Progress | None = None,
    retry_failed: bool = False,
) -> BatchResult:
    """Advise every account of ``source`` into ``store``, then deliver through ``emit`` (emitter specs).

    ``source_spec`` names the source in the store, so that ``resume`` continues only the run
    that read the same one, and ``retry_failed`` evaluates again the accounts the last
    finished run of it could not advise. A bad account, or a worker that dies on one, costs
    only that account; a source that breaks off leaves the run open for ``resume``.
    """
    job = Job(spec, type(source), source.location)
    job = dataclasses.replace(job, plugins=plugins_used(registry, job))  # what a Dask worker must have installed
    ready = getattr(executor, "ready", None)  # a cluster whose workers lack a plugin stops here, before the run
    if ready is not None:
        ready(job)
    run_id, finished = store.start_run(source_spec, resume, retry_failed)
    result = BatchResult(run_id)
    store.patience = NIGHT_PATIENCE_SECONDS
    store.time_order = dataclasses.replace(store.time_order, future_days=spec.config.limits.future_days)
    writer = _Writer(store, result, on_progress)
    job = dataclasses.replace(job, skip=frozenset(finished))
    tasks = account_tasks(source, source_spec, finished, writer.order, result, store.db.conn, spec.as_of)
    try:
        with watching(), store.group_commit() as group:
            writer.group = group
            executor.on_idle = group.idle  # a slow account does not keep the store's write lock from others
            executor.run(job, tasks, writer.write)
            check()  # a signal after the last account still stops the run before it is delivered
    except Interrupted as stop:  # what was written is committed; nothing is delivered before the run ends
        result.interrupted, result.finished = stop.signum, False
    result.worker_restarts = executor.restarts
    if not result.finished:  # interrupted, or the source broke off: the totals so far, for --resume
        store.keep_summary(run_id, _run_totals(store, run_id, result, resume, retry_failed))
        if result.interrupted is not None:  # nothing is delivered before the run ends
            return result
    else:
        result.outcome.expired += store.expire_unseen(run_id, grace_days)
        store.finish_run(run_id, _run_totals(store, run_id, result, resume, retry_failed))
        prune_decisions(store, spec.config.retention.decision_log_days)
    given = queue(store, run_id, emit)
    limits = spec.config.limits
    result.deliveries = deliver_pending(store, registry, stdout, limits.hook_seconds, given, limits)
    return result


class _Writer:
    """Writes each answer into the store as it comes, in the calling thread, and counts it."""

    def __init__(self, store: Store, result: BatchResult, on_progress: Progress | None) -> None:
        self.store, self.result, self.on_progress = store, result, on_progress
        self.group: GroupCommit | None = None  # the store's group commit, while the run writes
        self.order: dict[str, int] = {}  # origin -> its place in the source
        self.kept: dict[str, str] = {}  # account id -> the origin whose advice the store has

    def fail(self, answer: Answer, error: str, key: str) -> None:
        self.store.record_failure(self.result.run_id, key, answer.origin, error)
        self.result.failures.append(error)

    def write(self, answer: Answer) -> None:
        if answer.skipped:
            return
        if answer.advice is None:
            self.fail(answer, answer.error or f"{answer.origin}: no advice", answer.account_id)
        else:
            self._keep(answer, answer.advice)
        if self.group is not None:
            self.group.account_written()
        self.result.accounts += 1
        if self.on_progress is not None:
            self.on_progress(self.result.accounts, len(self.result.failures))
        check()  # a Ctrl-C stops the run here, between two accounts

    def _keep(self, answer: Answer, advice: AccountAdvice) -> None:
        # An account read twice: the first in the source is advised, a later one is an error
        # (whichever worker answered first: the outcome must not depend on it).
        first = self.kept.get(answer.account_id)
        account = printable(answer.account_id)
        if first is not None and self.order.get(first, 0) < self.order.get(answer.origin, 0):
            self.fail(answer, f"{answer.origin}: account '{account}' is already at {first}", answer.origin)
            return
        if first is not None:
            self.fail(
                Answer(first, answer.account_id), f"{first}: account '{account}' is already at {answer.origin}", first
            )
        self.kept[answer.account_id] = answer.origin
        try:
            outcome = self.store.apply(self.result.run_id, advice, answer.origin)
        except TimeOrderError as refused:  # dated before the account's last, or too far ahead
            self.fail(answer, f"{answer.origin}: {refused}", answer.account_id)
            return
        for key, value in vars(outcome).items():
            setattr(self.result.outcome, key, getattr(self.result.outcome, key) + value)


def _run_totals(store: Store, run_id: str, result: BatchResult, resume: bool, retry: bool) -> dict[str, Any]:
    """The whole run's totals: a resumed or retried run adds what this part changed to what the store kept of
    the earlier parts; its accounts and failures are counted from the run's own records (a resumed run takes
    up again the accounts that failed before it stopped: counting parts would count them twice)."""
    summary = result.summary
    if not (resume or retry):
        return summary
    earlier = store.run_summary(run_id)
    totals = {key: earlier.get(key, 0) + value for key, value in summary.items() if isinstance(value, int)}
    accounts, failed = store.run_counts(run_id)
    totals |= {"accounts": accounts, "failed": failed}
    return totals | {"retried": result.accounts} if retry else totals
