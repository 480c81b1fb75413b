"""``kamengine report``: what the store says about the playbook and the portfolio."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click

from .options import db_option, format_option, playbook_options
from .runtime import load_registry, make_engine, open_store


@click.group()
def report() -> None:
    """Reports over the store: effectiveness of actions, coverage of accounts and rules."""


@report.command()
@db_option
@format_option(("table", "json"), "table")
def effectiveness(db_path: str | None, output_format: str) -> None:
    """For each action done on contacts: how their stance moved afterwards, against comparable
    contacts (same starting stance, same dates) who did not get it."""
    from kamengine.engine.store.reports import effectiveness as effectiveness_report

    effects = effectiveness_report(open_store(db_path))
    if output_format == "json":
        click.echo(json.dumps([{**asdict(e), "difference": e.difference} for e in effects], indent=2))
        return
    if not effects:
        click.echo("No action marked done on a contact with stance history before and after it yet.")
        return
    click.echo(f"{'action':<24} {'done':>5} {'Δ stance':>9} {'control':>8} {'Δ stance':>9} {'difference':>11}")
    for e in effects:
        treated, control = _num(e.treated_change), _num(e.control_change)
        click.echo(f"{e.action:<24} {e.treated:>5} {treated:>9} {e.control:>8} {control:>9} {_num(e.difference):>11}")


@report.command()
@db_option
@playbook_options
@format_option(("table", "json"), "table")
def coverage(
    db_path: str | None, rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any], output_format: str
) -> None:
    """Accounts of the latest run that got no recommendation, and loaded rules that never fired."""
    from kamengine.engine.store.reports import coverage as coverage_report

    rules = [
        r.qualified_id
        for p in make_engine(load_registry(), rule_paths, no_builtin, params).spec.playbooks
        for r in p.rules
    ]
    result = coverage_report(open_store(db_path), rules)
    if output_format == "json":
        click.echo(json.dumps(asdict(result), indent=2))
        return
    click.echo(f"accounts without any recommendation: {len(result.accounts_without_advice)}")
    for account in result.accounts_without_advice:
        click.echo(f"  {account}")
    click.echo(f"rules that never fired: {len(result.rules_never_fired)} of {len(rules)}")
    for rule in result.rules_never_fired:
        click.echo(f"  {rule}")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"
