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
from .runtime import current_config, load_registry, make_engine, make_sources, run_options, say

if TYPE_CHECKING:
    from kamengine.engine.api.options import Registry, RunOptions
    from kamengine.engine.api.week import Item, WeekAPI, WeekPlan
    from kamengine.engine.model.recommendation import Recommendation

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
    from kamengine.engine.api.week import iso_week, planner

    if week is not None and week != "all" and not _valid_week(week):
        raise click.BadParameter(f"expected an ISO week like 2026-W49, found '{week}'", param_hint="--week")
    registry = load_registry()
    evaluate_on = as_of.date() if as_of else None
    day = evaluate_on or dt.date.today()  # the plan's today: nothing is placed before it
    options = run_options(rule_paths, no_builtin, params, engine=engine, lang=lang, as_of=as_of, crisis=crisis)
    planned, recommendations, failed = _week(registry, options, paths, sources, column_map, db_path, day)
    if owner is not None and not any(r.owner and r.owner.id == owner for r in recommendations):
        known = ", ".join(sorted({r.owner.id for r in recommendations if r.owner})) or "none"
        raise click.BadParameter(f"'{owner}' owns no advice here; owners: {known}", param_hint="--owner")
    shown_week = week or iso_week(day)
    theirs = [i for i in planned.items if owner is None or owner in i.people]
    if show_load:
        click.echo(render_load(output, planned, owner), nl=False)
    elif output_dir is not None:  # a calendar is for the whole horizon, not only the week shown
        _write_calendars(theirs, planner(registry, current_config()), Path(output_dir), owner)
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
    from kamengine.engine.api.week import monday

    try:
        monday(text)
    except (ValueError, IndexError):
        return False
    return len(text) == 8 and text[4:6] == "-W"


def _week(
    registry: Registry, options: RunOptions, paths: tuple[str, ...], sources: tuple[str, ...], column_map: str | None,
    db_path: str | None, day: dt.date,
) -> tuple[WeekPlan, list[Recommendation], bool]:  # fmt: skip
    """The week from ``day`` of the advice to plan (fresh from snapshots or a source, else the store's live advice),
    that advice, and whether some account could not be advised."""
    from kamengine.engine.api.week import noting_regions, planner

    if not (paths or sources):  # the store's advice may be from nights ago: what is past due is due now
        from kamengine.engine.api.stores import open_store

        store = open_store(db_path, registry.actions)
        try:  # as the service plans it: each account's region and its team's e-mails from its last snapshot
            stored = planner(registry, current_config()).stored_week(store, day, emails=True)
        finally:
            store.close()
        return stored.plan, stored.recommendations, False
    regions: dict[str, str | None] = {}
    readers = make_sources(registry, [f"file:{path}" for path in paths])
    readers += make_sources(registry, sources, column_map=column_map)
    readers = [noting_regions(reader, regions) for reader in readers]
    with make_engine(registry, options) as kamengine:  # evaluated as of --as-of, if given
        result = kamengine.advise(readers, on_failure=say)
        planned = kamengine.week_plan(result.recommendations, day, regions=regions)
    return planned, result.recommendations, bool(result.failures)


def _write_calendars(items: list[Item], week: WeekAPI, folder: Path, only: str | None = None) -> None:
    """One calendar per person, every approach they lead or attend on its planned day, over the horizon."""
    import dataclasses

    folder.mkdir(parents=True, exist_ok=True)
    people: dict[str, list[Item]] = {}
    for item in items:
        for person in item.people:
            if only in (None, person):  # --owner: their calendar only, not their colleagues'
                people.setdefault(person, []).append(item)
    for person, theirs in sorted(people.items()):
        recs = [dataclasses.replace(r, due=i.day) for i in theirs for r in (i.lead, *i.companions)]
        delivered = week.deliver_week(recs, f"ics:{folder / f'{person}.ics'}")
        if not delivered.ok:
            raise click.ClickException(f"{person}: {delivered.message}")
        click.echo(f"{person}: {delivered.message}", err=True)
