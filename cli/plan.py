"""``kamengine plan``: the week ahead per person, across a portfolio or the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .completion import complete_sources
from .options import (
    as_of_option,
    crisis_option,
    db_option,
    engine_option,
    lang_option,
    map_option,
    output_options,
    playbook_options,
)
from .plan_render import render, render_load
from .runtime import load_registry, make_engine, make_sources, say

if TYPE_CHECKING:
    from kamengine.engine.model.recommendation import Recommendation
    from kamengine.engine.plugin._registry import Registry

    from .output import Output


@click.command()
@click.argument("paths", nargs=-1, metavar="[SNAPSHOT]...")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME:LOCATION",
    shell_complete=complete_sources,
    help="Plan for the accounts of a data source.",
)
@map_option
@db_option
@click.option("--owner", help="Only this team member's week (their id, e.g. u-ad).")
@click.option(
    "--week", metavar="YYYY-Www", help="The ISO week to show, e.g. 2026-W49 (default: this week); 'all' for every week."
)
@output_options(elsewhere="; calendars: --ics DIR writes one per person")
@click.option(
    "--ics", "output_dir", type=click.Path(file_okay=False), metavar="DIR",
    help="Write one calendar (.ics) per person into DIR, every week of the horizon, instead of printing.",
)  # fmt: skip
@click.option(
    "--load", "show_load", is_flag=True,
    help="Each person's customer meetings per week of the horizon against capacity, and what was not planned.",
)  # fmt: skip
@playbook_options
@as_of_option
@crisis_option
@engine_option
@lang_option
def plan(
    paths: tuple[str, ...], sources: tuple[str, ...], column_map: str | None, db_path: str | None, owner: str | None,
    week: str | None, output: Output, output_dir: str | None, show_load: bool, rule_paths: tuple[str, ...],
    no_builtin: bool, params: dict[str, Any], as_of: dt.datetime | None, crisis: str | None, engine: str,
    lang: str | None,
) -> None:  # fmt: skip
    """The week ahead for each person of the account teams: who meets whom, when, and why first.

    Plans the accounts of SNAPSHOT... or --source; without them, the live advice of the store a
    nightly batch keeps. A person does a handful of customer meetings a week and a few a day
    ([plan] weekly_capacity, default 8, daily_capacity, default 3), over all their accounts, on
    working days; the rest moves to later weeks, the most valuable first, and what finds no room
    within the horizon ([plan] horizon_weeks, default 6) is not planned (--load lists it).

    \b
    kamengine plan --source file:examples/portfolio/ --owner u-ad
    kamengine plan --week 2026-W49 --format markdown      # from the store, for the team meeting
    kamengine plan --source file:examples/portfolio/ --ics calendars/
    kamengine plan --source file:examples/portfolio/ --load
    """
    from kamengine.engine.plan.week import iso_week, schedule

    if week is not None and week != "all" and not _valid_week(week):
        raise click.BadParameter(f"expected an ISO week like 2026-W49, found '{week}'", param_hint="--week")
    registry = load_registry()
    evaluate_on = as_of.date() if as_of else None
    day = evaluate_on or dt.date.today()  # the plan's today: nothing is placed before it
    regions: dict[str, str | None] = {}
    recommendations, settings, failed = _advice(
        registry, paths, sources, column_map, db_path, rule_paths, no_builtin, params, evaluate_on, crisis, engine,
        lang, regions,
    )  # fmt: skip
    stored = not (paths or sources)  # the store's advice may be from nights ago: what is past due is due now
    planned = schedule(
        recommendations, registry.actions, settings, day, overdue_on=day if stored else None, regions=regions
    )
    if owner is not None and not any(r.owner and r.owner.id == owner for r in recommendations):
        known = ", ".join(sorted({r.owner.id for r in recommendations if r.owner})) or "none"
        raise click.BadParameter(f"'{owner}' owns no advice here; owners: {known}", param_hint="--owner")
    shown_week = week or iso_week(day)
    theirs = [i for i in planned.items if owner is None or owner in i.people]
    if show_load:
        click.echo(render_load(output, planned, owner), nl=False)
    elif output_dir is not None:  # a calendar is for the whole horizon, not only the week shown
        _write_calendars(theirs, registry, Path(output_dir), owner)
    else:
        items = [i for i in theirs if shown_week in ("all", i.week)]  # with what they attend, under who leads
        click.echo(render(output, items, shown_week, owner), nl=False)
        later = sorted({i.week for i in theirs if i.week > shown_week}) if not items and shown_week != "all" else []
        if later and output.format in ("table", "markdown"):  # say where the plan starts instead of only "nothing"
            click.echo(f"The next planned week is {later[0]}: --week {later[0]}, or --week all for every week.")
        missed = [u for u in planned.unplanned if u.over_capacity and owner in (None, u.item.owner_id)]
        if missed and output.format in ("table", "markdown"):
            last = planned.weeks[-1]
            click.echo(f"{len(missed)} approach(es) not planned by {last}: kamengine plan --load lists them and why")
    if failed:  # the others' weeks are shown; the failures were said as they happened
        raise SystemExit(1)


def _valid_week(text: str) -> bool:
    from kamengine.engine.plan.week import monday

    try:
        monday(text)
    except (ValueError, IndexError):
        return False
    return len(text) == 8 and text[4:6] == "-W"


def _advice(
    registry: Registry, paths: tuple[str, ...], sources: tuple[str, ...], column_map: str | None, db_path: str | None,
    rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any], day: dt.date | None,
    crisis: str | None, engine: str, lang: str | None, regions: dict[str, str | None],
) -> tuple[list[Recommendation], Any, bool]:  # fmt: skip
    """The advice to plan (fresh from snapshots or a source, else the store's live advice), and
    whether some account could not be advised; ``regions`` hears each account's region as it is read."""
    if paths or sources:
        readers = make_sources(registry, [f"file:{path}" for path in paths])
        readers += make_sources(registry, sources, column_map=column_map)
        for reader in readers:
            _note_regions(reader, regions)
        with make_engine(registry, rule_paths, no_builtin, params, engine, lang=lang, crisis=crisis) as kamengine:
            result = kamengine.advise(readers, as_of=day, on_failure=say)
            return result.recommendations, kamengine.config.plan, bool(result.failures)
    from kamengine.engine.store.kept_teams import kept_teams
    from kamengine.engine.store.records import plan_advice
    from kamengine.engine.store.statuses import LIVE
    from kamengine.engine.store.store import Store

    from .runtime import current_config

    store = Store(db_path, registry.actions, must_exist=True)
    try:
        rows = store.find(statuses=LIVE)
        kept = kept_teams(store, {row["account_id"] for row in rows})  # as the service does: regions and e-mails
    finally:
        store.close()
    regions.update(kept.regions)
    return [kept.with_emails(rec) for rec in plan_advice(rows)], current_config().plan, False


def _note_regions(reader: Any, regions: dict[str, str | None]) -> None:
    """Have ``reader`` tell each account's region as its record passes (its holidays are the plan's closed days)."""
    records = reader.records

    def noted() -> Any:
        for record in records():
            if record.snapshot is not None:
                region = record.snapshot.account.extra.get("region")
                regions[record.snapshot.account.id] = str(region) if region else None
            yield record

    reader.records = noted


def _write_calendars(items: list[Any], registry: Registry, folder: Path, only: str | None = None) -> None:
    """One calendar per person, every approach they lead or attend on its planned day, over the horizon."""
    import dataclasses
    import sys

    from kamengine.engine.delivery.send import deliver
    from kamengine.engine.plugin.emitters import EmitContext

    folder.mkdir(parents=True, exist_ok=True)
    people: dict[str, list[Any]] = {}
    for item in items:
        for person in item.people:
            if only in (None, person):  # --owner: their calendar only, not their colleagues'
                people.setdefault(person, []).append(item)
    for person, theirs in sorted(people.items()):
        recs = [dataclasses.replace(r, due=i.day) for i in theirs for r in (i.lead, *i.companions)]
        emitter = registry.emitter(f"ics:{folder / f'{person}.ics'}")
        delivered = deliver(emitter, recs, EmitContext(sys.stdout, registry.actions))
        if not delivered.ok:
            raise click.ClickException(f"{person}: {delivered.message}")
        click.echo(f"{person}: {delivered.message}", err=True)
