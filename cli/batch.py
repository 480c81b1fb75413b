"""``kamengine batch`` and ``kamengine deliver``: the nightly run into the store, through emitters."""

from __future__ import annotations

import sys
from typing import Any

import click
from kamengine.engine.batch import AdvisorSettings, ProcessExecutor, Result, Task
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
    source_spec: str, emits: tuple[str, ...], workers: int | None, db_path: str | None, resume: bool,
    grace_days: int, rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any],
) -> None:  # fmt: skip
    """Evaluate every account of a source in worker processes and keep the advice in the store.

    Exits 1 when any account or delivery failed; the others are stored and delivered.
    """
    import os

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
    store = Store(db_path, registry.actions)
    run_id, finished = store.start_run(source_spec, resume)
    totals, failures = AccountOutcome(), []

    def write(result: Result) -> None:
        task = result.task
        if result.error is not None or result.recommendations is None:
            store.record_failure(run_id, task.account_id, task.origin, result.error or "no result")
            failures.append(f"{task.origin}: {result.error}")
        else:
            outcome = store.apply_advice(run_id, task.snapshot, result.recommendations, task.origin, grace_days)
            for key in vars(totals):
                setattr(totals, key, getattr(totals, key) + getattr(outcome, key))
        _progress(len(failures), totals, task)

    def tasks() -> Any:
        for record in registry.sources[name](location, registry.actions).records():
            if record.snapshot is None:
                account_id = record.origin
                store.record_failure(run_id, account_id, record.origin, str(record.error))
                failures.append(str(record.error))
                continue
            if record.snapshot.account.id not in finished:
                yield Task(record.snapshot.account.id, record.origin, record.snapshot)

    executor = ProcessExecutor(workers or os.cpu_count() or 1, settings)
    executor.run(tasks(), write)
    summary = {**vars(totals), "failed": len(failures), "worker_restarts": executor.restarts}
    store.finish_run(run_id, summary)
    queue(store, run_id, emits)
    delivered = deliver_pending(store, registry, sys.stdout)
    _summary(run_id, summary, failures, delivered)
    store.close()
    if failures or any(not d.ok for d in delivered):
        raise SystemExit(1)


def _progress(failed: int, totals: AccountOutcome, task: Task) -> None:
    if sys.stderr.isatty():
        click.echo(
            f"\r{task.account_id[:30]:<30} new {totals.new} refreshed {totals.refreshed} failed {failed}",
            err=True,
            nl=False,
        )


def _summary(run_id: str, summary: dict[str, Any], failures: list[str], delivered: list[Any]) -> None:
    click.echo(
        f"{run_id}: new {summary['new']}, refreshed {summary['refreshed']}, woken {summary['woken']}, "
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
