"""``kamengine report rules``: per rule, what people did with its advice, and the stance it moved."""

from __future__ import annotations

import datetime as dt
import json

import click

from .options import db_option, format_option

_COUNTS = ("given", "accepted", "done", "dismissed", "snoozed", "expired", "resolved")


@click.command("rules")
@db_option
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE", help="Only advice first given on or after DATE."
)
@format_option(("table", "json"), "table")
def rules_report(db_path: str | None, since: dt.datetime | None, output_format: str) -> None:
    """Per rule: advice given, accepted, done, dismissed (with the reasons given), snoozed, expired;
    median days to done; and how the stance of the people it was for moved, against comparable people.
    A rule dismissed far more often than the others is flagged with '!'."""
    from kamengine.engine.store.rule_reports import FLAG_MIN_DISMISSED, FLAG_RATIO, rule_report
    from kamengine.engine.store.store import Store

    uses = rule_report(Store(db_path), since.date() if since else None)
    rows = [use.to_dict() for use in uses]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No advice in the store" + (f" given since {since.date()}" if since else "") + " yet.")
        return
    width = max(len(row["rule"]) for row in rows)
    click.echo(
        f"{'rule':<{width}}   " + " ".join(f"{name:>9}" for name in _COUNTS)
        + f" {'dismiss %':>9} {'days→done':>9} {'Δ stance':>9} {'Δ control':>9}"
    )  # fmt: skip
    for row in rows:
        counts = " ".join(f"{row[name]:>9}" for name in _COUNTS)
        figures = [_percent(row["dismiss_rate"]), _plain(row["days_to_done"])]
        figures += [_signed(row["stance_change"]), _signed(row["control_change"])]
        mark = "!" if row["flagged"] else " "
        click.echo(f"{row['rule']:<{width}} {mark} {counts} " + " ".join(f"{f:>9}" for f in figures))
        if row["dismiss_reasons"]:
            reasons = ", ".join(f"{reason!r} ×{n}" for reason, n in row["dismiss_reasons"].items())
            click.echo(f"{'':<{width}}     dismissed: {reasons}")
    if any(row["flagged"] for row in rows):
        click.echo(
            f"! dismissed far more than the others: a dismiss rate over {FLAG_RATIO:g}× the median of all rules, "
            f"and at least {FLAG_MIN_DISMISSED} dismissals"
        )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _plain(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"
