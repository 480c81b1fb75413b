"""``kamengine batch`` and ``kamengine deliver``: the nightly run into the store, through emitters."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import click
from kamengine.engine.batch import AdvisorSettings, Answer, Job, ProcessExecutor, Task, account_of, build_advisor
from kamengine.engine.dask_executor import DaskExecutor
from kamengine.engine.outbox import deliver_pending, queue
from kamengine.engine.store import AccountOutcome, Store

from .runtime import load_registry, playbook_options, split_spec


@click.command()
@click.option(
    "--source",
    "source_spec",
    required=True,
    metavar="NAME:LOCATION",
    help="Where the portfolio comes from, e.g. csv:exports/.",
)
@click.option(
    "--emit",
    "emits",
    multiple=True,
    metavar="NAME[:TARGET]",
    help="Deliver the run's advice through an emitter (repeatable), after the store has committed.",
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: the number of cores).")
@click.option("--db", "db_path", metavar="PATH", help="The store (default: $KAMENGINE_HOME/kamengine.db).")
@click.option(
    "--executor",
    "executor_name",
    type=click.Choice(["process", "dask"]),
    default="process",
    show_default=True,
    help="Where accounts are evaluated: local worker processes, or a Dask cluster.",
)
@click.option(
    "--scheduler", metavar="ADDRESS", help="The Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask)."
)
@click.option("--resume", is_flag=True, help="Finish the last run that did not finish (after a crash or a kill).")
@click.option(
    "--grace-days",
    type=click.IntRange(min=0),
    default=14,
    show_default=True,
    help="Open advice this many days past due expires.",
)
@playbook_options
def batch(
    source_spec: str, emits: tuple[str, ...], workers: int | None, db_path: str | None, executor_name: str,
    scheduler: str | None, resume: bool,
    grace_days: int, rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any],
) -> None:  # fmt: skip
    """Evaluate every account of a source in worker processes and keep the advice in the store.

    Exits 1 when any account or delivery failed; the others are stored and delivered.
    """
    registry = load_registry()
    name, location = split_spec(source_spec)
    if name not in registry.sources or not location:
        raise click.BadParameter(
            f"expected NAME:LOCATION with NAME one of {', '.join(registry.sources)}", param_hint="--source"
        )
    for spec in emits:
        if split_spec(spec)[0] not in registry.emitters:
            raise click.BadParameter(
                f"unknown emitter in '{spec}'; installed: {', '.join(registry.emitters)}", param_hint="--emit"
            )
    root = click.get_current_context().find_root()
    settings = AdvisorSettings(rule_paths, no_builtin, params, root.params.get("config_path"))
    # Built here once too, so that a bad playbook or kamengine.toml stops the run with its
    # message before any worker starts (each worker builds its own).
    build_advisor(settings, registry).close()
    source = registry.sources[name](location, registry.actions)
    executor: ProcessExecutor | DaskExecutor
    if executor_name == "dask":
        if not scheduler:
            raise click.UsageError("--executor dask needs --scheduler ADDRESS")
        executor = DaskExecutor(scheduler, lambda task: account_of(task, source))
    else:
        executor = ProcessExecutor(workers or os.cpu_count() or 1, lambda task: account_of(task, source))
    store = Store(db_path, registry.actions)
    run_id, finished = store.start_run(source_spec, resume)
    totals, failures = AccountOutcome(), []
    progress = _Progress()
    broken: list[bool] = []  # the source raised part-way: the run stays open for --resume

    def write(answer: Answer) -> None:
        if answer.skipped:
            return
        if answer.advice is None:
            store.record_failure(run_id, answer.account_id, answer.origin, answer.error or "no advice")
            failures.append(answer.error or f"{answer.origin}: no advice")
        else:
            outcome = store.apply(run_id, answer.advice, answer.origin, grace_days)
            for key in vars(totals):
                setattr(totals, key, getattr(totals, key) + getattr(outcome, key))
        group.account_written()
        progress.tick(len(failures))

    def tasks() -> Iterator[Task]:
        try:
            for record in source.raw_records():
                if record.snapshot is None or record.snapshot.account.id not in finished:
                    yield Task(record.origin, record)  # errors too: recorded when the answer comes
        except Exception as exc:  # the source broke off: what was read is kept, --resume goes on
            failures.append(f"source {source_spec} failed: {type(exc).__name__}: {exc}; fix it and run with --resume")
            broken.append(True)

    with store.group_commit() as group:
        executor.run(Job(settings, name, location, frozenset(finished)), tasks(), write)
    progress.close(len(failures))
    summary = {"accounts": progress.count, **vars(totals), "failed": len(failures)}
    summary["worker_restarts"] = executor.restarts
    if not broken:
        store.finish_run(run_id, summary)
    queue(store, run_id, emits)
    delivered = deliver_pending(store, registry, sys.stdout)
    _summary(run_id, summary, failures, delivered)
    store.close()
    if failures or any(not d.ok for d in delivered):
        raise SystemExit(1)


class _Progress:
    """A live line on a terminal; a plain log line every 10 seconds otherwise (cron, CI)."""

    def __init__(self) -> None:
        self.count = 0
        self.started = self.last_log = time.monotonic()
        self.live = sys.stderr.isatty()

    def tick(self, failed: int) -> None:
        self.count += 1
        now = time.monotonic()
        if self.live:
            click.echo(f"\r{self._line(failed, now)}", err=True, nl=False)
        elif now - self.last_log >= 10:
            self.last_log = now
            click.echo(self._line(failed, now), err=True)

    def close(self, failed: int) -> None:
        click.echo(("\r" if self.live else "") + self._line(failed, time.monotonic()), err=True)

    def _line(self, failed: int, now: float) -> str:
        rate = self.count / max(now - self.started, 1e-6)
        return f"{self.count} accounts, {rate:.0f} accounts/s, {failed} failed"


def _summary(run_id: str, summary: dict[str, Any], failures: list[str], delivered: list[Any]) -> None:
    click.echo(
        f"{run_id}: {summary['accounts']} accounts; recommendations new {summary['new']}, "
        f"refreshed {summary['refreshed']}, woken {summary['woken']}, "
        f"resolved {summary['resolved']}, expired {summary['expired']}, failed {summary['failed']}",
        err=True,
    )
    for failure in failures:
        click.echo(f"  failed: {failure}", err=True)
    for delivery in delivered:
        click.echo(
            f"  {'delivered' if delivery.ok else 'NOT delivered'} via {delivery.emitter}: {delivery.message}", err=True
        )


@click.command()
@click.option("--db", "db_path", metavar="PATH", help="The store (default: $KAMENGINE_HOME/kamengine.db).")
def deliver(db_path: str | None) -> None:
    """Retry every pending delivery of the store's outbox."""
    registry = load_registry()
    store = Store(db_path, registry.actions)
    delivered = deliver_pending(store, registry, sys.stdout)
    for delivery in delivered:
        state = "delivered" if delivery.ok else "NOT delivered"
        click.echo(f"{state} via {delivery.emitter} ({delivery.run_id}): {delivery.message}", err=True)
    if not delivered:
        click.echo("nothing to deliver", err=True)
    store.close()
    if any(not d.ok for d in delivered):
        raise SystemExit(1)
