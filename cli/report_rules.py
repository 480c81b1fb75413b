"""``kamengine report rules``: per rule, what people did with its advice, and the stance it moved."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from .options import db_option, output_options
from .runtime import open_store

if TYPE_CHECKING:
    from .output import Output

_COUNTS = ("given", "accepted", "done", "dismissed", "snoozed", "expired", "resolved")
_FIGURES = ("dismiss_rate", "days_to_done", "stance_change", "control_change")
_HEADERS = {
    "flag": "", "dismiss_rate": "dismiss %", "days_to_done": "days→done", "stance_change": "Δ stance",
    "control_change": "Δ control", "dismiss_reasons": "dismissed because",
}  # fmt: skip


@click.command("rules")
@db_option
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), metavar="DATE", help="Only advice first given on or after DATE."
)
@output_options()
def rules_report(db_path: str | None, since: dt.datetime | None, output: Output) -> None:
    """Per rule: advice given, accepted, done, dismissed (with the reasons given), snoozed, expired;
    median days to done; and how the stance of the people it was for moved, against comparable people.
    A rule dismissed far more often than the others is flagged with '!'."""
    from kamengine.engine.api import Engine
    from kamengine.engine.api.reports import FLAG_MIN_DISMISSED, FLAG_MIN_RATE, FLAG_RATIO, RuleUse

    uses = Engine.rule_report(open_store(db_path), since.date() if since else None)
    rows = [use.to_dict() for use in uses]
    flat = [{**row, "dismiss_reasons": _reasons(row["dismiss_reasons"])} for row in rows]
    display = [
        {**row, "flag": "!" if row["flagged"] else "", "dismiss_rate": _percent(row["dismiss_rate"]),
         "days_to_done": _plain(row["days_to_done"]), "stance_change": _signed(row["stance_change"]),
         "control_change": _signed(row["control_change"])}
        for row in flat
    ]  # fmt: skip
    output.print(
        flat, list(RuleUse("").to_dict()), documents=rows,
        shown=("rule", "flag", *_COUNTS, *_FIGURES, "dismiss_reasons"), display=display, headers=_HEADERS,
        right=(*_COUNTS, *_FIGURES),
        empty="No advice in the store" + (f" given since {since.date()}" if since else "") + " yet.",
    )  # fmt: skip
    if output.format == "table" and any(row["flagged"] for row in rows):
        click.echo(
            f"! dismissed far more than the others: a dismiss rate over {FLAG_RATIO:g}× the median of all rules "
            f"and at least {FLAG_MIN_RATE:.0%}, and at least {FLAG_MIN_DISMISSED} dismissals"
        )


def _reasons(counted: dict[str, int]) -> str:
    return ", ".join(f"{reason!r} ×{n}" for reason, n in counted.items())


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _plain(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"
