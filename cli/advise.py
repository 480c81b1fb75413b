"""``kamengine advise``: recommendations for snapshot files or a data source, through emitters."""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING, Any

import click

from .completion import complete_sources
from .options import (
    as_of_option,
    cap_options,
    crisis_option,
    emit_option,
    engine_option,
    lang_option,
    map_option,
    output_options,
    playbook_options,
)
from .runtime import load_registry, make_emitters, make_engine, make_sources, progress_bar, run_options, say

if TYPE_CHECKING:
    from .output import Output

_ELSEWHERE = "; other emitters deliver with --emit NAME:TARGET, e.g. --emit ics:visits.ics"


@click.command()
@click.argument("paths", nargs=-1, metavar="[SNAPSHOT]...")
@click.option(
    "--source", "sources", multiple=True, metavar="NAME:LOCATION", shell_complete=complete_sources,
    help="Read accounts from a data source, e.g. csv:exports/ (repeatable; see kamengine plugins).",
)  # fmt: skip
@map_option
@output_options(elsewhere=_ELSEWHERE)
@emit_option("Deliver through an emitter, e.g. ics:visits.ics or webhook:https://... (repeatable).")
@click.option(
    "--explain", is_flag=True, help="Show under each recommendation the conditions that held, with the values seen."
)
@playbook_options
@as_of_option
@cap_options
@click.option(
    "--all", "show_all", is_flag=True,
    help="Every approach of every account in the table (by default at most [limits] max_per_account, 10, each).",
)  # fmt: skip
@crisis_option
@engine_option
@lang_option
def advise(
    paths: tuple[str, ...], sources: tuple[str, ...], column_map: str | None, output: Output, emits: tuple[str, ...],
    explain: bool, rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any], as_of: dt.datetime | None,
    max_per_contact: int | None, max_per_account: int | None, show_all: bool, crisis: str | None, engine: str,
    lang: str | None,
) -> None:  # fmt: skip
    """Recommend next actions for the account snapshots SNAPSHOT... (JSON or YAML; - reads stdin).

    Exits 1 if any account, playbook or emitter failed; every other account is still advised
    on and every other emitter still delivers.
    """
    registry = load_registry()
    readers = make_sources(registry, [f"file:{path}" for path in paths])
    readers += make_sources(registry, sources, column_map=column_map)
    if not readers:
        raise click.UsageError("give SNAPSHOT files or --source NAME:LOCATION")
    emitters = make_emitters(registry, emits)
    # jsonl streams: each account's lines as soon as it is advised, however large the source
    stream = make_emitters(registry, ["jsonl:-"])[0] if output.chosen and output.format == "jsonl" else None
    printed = (output.chosen or not emitters) and stream is None  # the list goes to standard output
    if printed:
        emitters[:0] = make_emitters(registry, [f"{output.format}:-"], option="--format")
    if output.excel:
        _for_excel(emitters)
    if show_all and (max_per_account or max_per_contact):
        raise click.UsageError("--all shows every approach: leave out --max-per-account and --max-per-contact")
    caps = {"per_contact": max_per_contact, "per_account": max_per_account}
    options = run_options(
        rule_paths, no_builtin, params, engine=engine, caps=caps, lang=lang, as_of=as_of, crisis=crisis
    )  # fmt: skip
    with (
        make_engine(registry, options) as kamengine,
        # On a terminal, but not the one the lines go to: the bar would be written in among them.
        progress_bar("advising", live=stream is not None and sys.stderr.isatty() and not sys.stdout.isatty()) as tick,
    ):
        if printed and output.format in ("table", "markdown"):  # a list people read: at most 10 per account
            kamengine.spec = _readable(kamengine.spec, show_all)
        result = kamengine.advise(
            readers, explain=explain, emit=emitters, stream=stream, on_failure=say, on_account=tick
        )  # fmt: skip
        held_back = dict(kamengine.advisor.held_back)  # before the engine closes (and forgets its advisor)
    for delivered in result.deliveries:
        name = delivered.emitter.PLUGIN_NAME
        if not delivered.ok:
            say(f"emitter '{name}' failed: {delivered.message}")
        elif delivered.emitter.target not in (None, "-"):
            say(f"{name}: {delivered.message}", "")
    if held_back and printed and output.format in ("table", "markdown"):
        # The footer under the list people read; on standard error, so that the table stays data.
        per_account = kamengine.spec.caps.get("per_account")
        where = f" in {len(held_back)} accounts" if len(held_back) > 1 else ""
        hidden = sum(held_back.values())
        say(f"Not shown: {hidden} more approaches{where} (at most {per_account} per account; --all)", "")
    if not result.ok:
        raise SystemExit(1)


def _readable(spec: Any, show_all: bool) -> Any:
    """The caps of a list people read: at most ``[limits] max_per_account`` approaches per account unless the
    command line or a playbook says otherwise; ``--all``: no cap at all. (JSON, CSV and emitters get every
    approach, as they always have: a CRM sorts for itself, and ``--max-per-account`` caps them.)"""
    import dataclasses

    from .runtime import current_config

    if show_all:
        return dataclasses.replace(spec, caps={})
    if "per_account" in spec.caps:
        return spec
    return dataclasses.replace(spec, caps={**spec.caps, "per_account": current_config().limits.max_per_account})


def _for_excel(emitters: list[Any]) -> None:
    """``--excel``: every CSV this run writes, to stdout or a file, opens in Excel as UTF-8."""
    from kamengine.plugins.text_emitters import CsvEmitter

    csvs = [e for e in emitters if isinstance(e, CsvEmitter)]
    if not csvs:
        raise click.UsageError("--excel is for CSV: add --csv, --format csv or --emit csv:FILE")
    for emitter in csvs:
        emitter.excel = True
