"""``kamengine batch`` and ``kamengine deliver``: the nightly run into the store, through emitters."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from pathlib import Path
from typing import Any

import click

from .completion import complete_sources
from .options import (
    as_of_option,
    cap_options,
    db_option,
    emit_option,
    engine_option,
    lang_option,
    map_option,
    playbook_options,
)
from .runtime import (
    current_config,
    lines_to,
    load_registry,
    make_emitters,
    make_engine,
    make_sources,
    run_options,
    say,
)


@click.command()
@click.option(
    "--source", "source_specs", required=True, multiple=True, metavar="NAME:LOCATION", shell_complete=complete_sources,
    help="Where the portfolio comes from, e.g. csv:exports/ (one per run: --resume and --retry-failed go by it).",
)  # fmt: skip
@map_option
@emit_option("Deliver the run's advice through an emitter (repeatable), after the store has committed.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: the number of cores).")
@db_option
@click.option(
    "--executor", "executor_name", type=click.Choice(["process", "dask"]), default="process", show_default=True,
    help="Where accounts are evaluated: local worker processes, or a Dask cluster.",
)  # fmt: skip
@click.option(
    "--scheduler", metavar="ADDRESS", help="The Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask)."
)
@click.option("--resume", is_flag=True, help="Finish the last run that did not finish (after a crash or a kill).")
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Evaluate again the accounts the last finished run of this source could not advise.",
)
@click.option(
    "--account-timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
    help="Stop an account that takes longer (default: [limits] account_seconds, 300).",
)  # fmt: skip
@click.option(
    "--grace-days", type=click.IntRange(min=0), default=14, show_default=True,
    help="Open advice this many days past due expires.",
)  # fmt: skip
@click.option(
    "--allow-backdate", is_flag=True,
    help="A what-if: take every account's date as given (before its last one, or ahead). Only into a copy of "
    "the store: see --copy-from.",
)  # fmt: skip
@click.option(
    "--copy-from", metavar="PATH",
    help="With --allow-backdate: first copy this store (the live one) into --db, a new file marked as a copy.",
)  # fmt: skip
@click.option(
    "--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="The run's lines on standard error (progress, summary, failures, deliveries): text, or one JSON object "
    "per line with the figures as fields, for a log collector.",
)  # fmt: skip
@playbook_options
@as_of_option
@cap_options
@engine_option
@lang_option
def batch(
    source_specs: tuple[str, ...], column_map: str | None, emits: tuple[str, ...], workers: int | None,
    db_path: str | None, executor_name: str, scheduler: str | None, resume: bool, retry_failed: bool,
    account_timeout: float | None,
    grace_days: int, allow_backdate: bool, copy_from: str | None,
    rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any],
    as_of: dt.datetime | None, max_per_contact: int | None, max_per_account: int | None, engine: str, lang: str | None,
    log_format: str,
) -> None:  # fmt: skip
    """Evaluate every account of a source in worker processes and keep the advice in the store.

    Exits 1 when any account or delivery failed; the others are stored and delivered.
    """
    from kamengine.engine.api.options import BatchOptions

    log = _json_log() if log_format == "json" else None
    with lines_to(log):  # a notice or warning of the run is a JSON line too
        registry = load_registry()
        if len(source_specs) > 1:  # taking the last one silently would leave the others' accounts unadvised
            raise click.UsageError(
                "batch takes one --source per run (a run is resumed and retried by its source): run it once per source"
            )
        (source,) = make_sources(registry, list(source_specs), column_map=column_map)
        make_emitters(registry, emits)
        _check_combinations(executor_name, scheduler, resume, retry_failed, allow_backdate, copy_from)
        caps = {"per_contact": max_per_contact, "per_account": max_per_account}
        options = run_options(rule_paths, no_builtin, params, engine=engine, caps=caps, lang=lang, as_of=as_of)
        kamengine = make_engine(registry, options)
        store = _what_if_store(registry, db_path, copy_from) if allow_backdate else None
        asked = BatchOptions(
            executor="dask" if executor_name == "dask" else "process", workers=workers, scheduler=scheduler,
            account_seconds=account_timeout, resume=resume, retry_failed=retry_failed, grace_days=grace_days,
        )  # fmt: skip
        progress = _Progress(log)
        try:
            result = kamengine.batch(
                source, store=store or db_path, emit=emits, options=asked, stdout=sys.stdout, on_progress=progress.tick
            )
        finally:
            if store is not None:
                store.close()
        if log is not None:
            _log_report(log, result, progress, retry_failed)
        else:
            _report(result, progress, retry_failed)


def _json_log() -> logging.Logger:
    """The run's lines as JSON objects on standard error (the engine's own log lines too)."""
    from kamengine.service.logs import configure

    configure("json")
    return logging.getLogger("kamengine.batch")


def _check_combinations(
    executor_name: str, scheduler: str | None, resume: bool, retry_failed: bool, backdate: bool, copy_from: str | None
) -> None:
    """Options that make no sense together are a usage error, before anything is read."""
    if executor_name == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS")
    if scheduler and executor_name != "dask":
        raise click.UsageError("--scheduler is for --executor dask; local worker processes need no scheduler")
    if resume and retry_failed:
        raise click.UsageError("--resume and --retry-failed: one at a time (finish the run, then retry)")
    if copy_from and not backdate:
        raise click.UsageError("--copy-from is for a what-if with --allow-backdate")


def _report(result: Any, progress: _Progress, retry_failed: bool) -> None:
    """The run's summary on stderr, a line per failure and per delivery; exit 1 when any failed, 128+N on signal N."""
    if result.interrupted:  # one line, and the shell's code for death by that signal
        restart = "\n" if progress.live else ""
        click.echo(f"{restart}interrupted after {result.accounts} accounts; run kamengine batch --resume", err=True)
        raise SystemExit(128 + result.interrupted)
    progress.close(len(result.failures))
    summary = result.summary
    counted = f"{summary['accounts']} accounts retried" if retry_failed else f"{summary['accounts']} accounts"
    click.echo(
        f"{result.run_id}: {counted}; recommendations new {summary['new']}, "
        f"refreshed {summary['refreshed']}, woken {summary['woken']}, "
        f"resolved {summary['resolved']}, expired {summary['expired']}, failed {summary['failed']}",
        err=True,
    )
    for failure in result.failures:
        say(failure, "  failed: ")
    for delivery in result.deliveries:
        state = "delivered" if delivery.ok else "NOT delivered"
        say(f"{state} via {delivery.emitter} ({delivery.changes}): {delivery.message}", "  ")
    if not result.ok:
        raise SystemExit(1)


def _log_report(log: logging.Logger, result: Any, progress: _Progress, retry_failed: bool) -> None:
    """``_report`` as JSON lines: the summary with the run's totals as fields, a line per failure and delivery."""
    run = {"run_id": result.run_id}
    if result.interrupted:
        fields = run | {"accounts": result.accounts, "signal": result.interrupted, "seconds": progress.seconds()}
        log.error(
            "interrupted after %d accounts; run kamengine batch --resume", result.accounts, extra={"fields": fields}
        )
        raise SystemExit(128 + result.interrupted)
    summary = result.summary
    fields = run | summary | {"retried": retry_failed, "seconds": progress.seconds()}
    text = "%s: %d accounts%s, %d failed"
    log.info(
        text,
        result.run_id,
        summary["accounts"],
        " retried" if retry_failed else "",
        summary["failed"],
        extra={"fields": fields},
    )
    for failure in result.failures:
        log.error("failed: %s", failure, extra={"fields": run})
    for delivery in result.deliveries:
        said = {"emitter": delivery.emitter, "delivered": delivery.ok, "changes": str(delivery.changes)}
        state = "delivered" if delivery.ok else "NOT delivered"
        level = logging.INFO if delivery.ok else logging.ERROR
        log.log(level, "%s via %s: %s", state, delivery.emitter, delivery.message, extra={"fields": run | said})
    if not result.ok:
        raise SystemExit(1)


def _what_if_store(registry: Any, db_path: str | None, copy_from: str | None) -> Any:
    """The store a ``--allow-backdate`` run writes into: a copy (made now with ``--copy-from``), never the live one."""
    from kamengine.engine.api.runs import copy_live_store, what_if_store
    from kamengine.engine.api.stores import default_db_path

    if copy_from is not None:
        if db_path is None:
            raise click.UsageError("--copy-from needs --db NEW.db: the file the copy goes into")
        copy_live_store(copy_from, Path(db_path), registry.actions)
    path = Path(db_path) if db_path else default_db_path()
    store = what_if_store(path, registry.actions)
    if store is None:
        raise click.UsageError(
            f"--allow-backdate writes only into a copy of the store, never into {path}: make one and run there"
            f" with --copy-from {path} --db what-if.db (a new file)"
        )
    return store


class _Progress:
    """A live line on a terminal; a plain log line every 10 seconds otherwise (cron, CI), or a JSON one to ``log``."""

    def __init__(self, log: logging.Logger | None = None) -> None:
        self.count = 0
        self.started = self.last_log = time.monotonic()
        self.log = log
        self.live = log is None and sys.stderr.isatty()

    def tick(self, count: int, failed: int) -> None:
        self.count = count
        now = time.monotonic()
        if self.live:
            click.echo(f"\r{self._line(failed, now)}", err=True, nl=False)
        elif now - self.last_log >= 10:
            self.last_log = now
            if self.log is not None:
                self.log.info(self._line(failed, now), extra={"fields": {"accounts": count, "failed": failed}})
            else:
                click.echo(self._line(failed, now), err=True)

    def close(self, failed: int) -> None:
        click.echo(("\r" if self.live else "") + self._line(failed, time.monotonic()), err=True)

    def seconds(self) -> float:
        """How long the run has taken so far."""
        return round(time.monotonic() - self.started, 3)

    def _line(self, failed: int, now: float) -> str:
        rate = self.count / max(now - self.started, 1e-6)
        return f"{self.count} accounts, {rate:.0f} accounts/s, {failed} failed"


@click.command()
@db_option
def deliver(db_path: str | None) -> None:
    """Retry every pending delivery of the store's outbox."""
    from kamengine.engine.api.runs import deliver_outbox
    from kamengine.engine.api.stores import open_store

    registry = load_registry()
    store = open_store(db_path, registry.actions)
    delivered = deliver_outbox(store, registry, sys.stdout, current_config().limits)
    for delivery in delivered:
        state = "delivered" if delivery.ok else "NOT delivered"
        what = f"{delivery.run_id}; {delivery.changes}"
        say(f"{state} via {delivery.emitter} ({what}): {delivery.message}", "")
    if not delivered:
        click.echo("nothing to deliver", err=True)
    store.close()
    if any(not d.ok for d in delivered):
        raise SystemExit(1)
