"""``kamengine report``: what the store says about the playbook and the portfolio."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import click

from .options import db_option, output_options, playbook_options
from .report_account import account as account_page
from .report_rules import rules_report
from .runtime import load_registry, make_engine, open_store, run_options

if TYPE_CHECKING:
    from .output import Output


@click.group()
def report() -> None:
    """Reports over the store: effectiveness of actions, coverage of accounts and rules, what people do with
    rules; one account's page."""


report.add_command(rules_report)
report.add_command(account_page)  # in its own module: a page, not a report over the store


@report.command()
@db_option
@output_options()
def effectiveness(db_path: str | None, output: Output) -> None:
    """For each action done on contacts: how their stance moved afterwards, against comparable
    contacts (same starting stance, same dates) who did not get it."""
    from kamengine.engine.api import Engine

    rows = [{**asdict(e), "difference": e.difference} for e in Engine.effectiveness(open_store(db_path))]
    changes = ("treated_change", "control_change", "difference")
    output.print(
        rows, list(rows[0]) if rows else ["action", "treated", *changes], shown=("action", "treated", "treated_change",
        "control", "control_change", "difference"), right=("treated", "control", *changes),
        headers={"treated": "done", "treated_change": "Δ stance", "control_change": "Δ stance (control)"},
        empty="No action marked done on a contact with stance history before and after it yet.",
        display=[{**row, **{c: _num(row[c]) for c in changes}} for row in rows],
    )  # fmt: skip


@report.command()
@db_option
@playbook_options
@output_options()
def coverage(
    db_path: str | None, rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any], output: Output
) -> None:
    """Accounts of the latest run that got no recommendation, and loaded rules that never fired."""
    from kamengine.engine.api import Engine

    rules = [
        r.qualified_id
        for p in make_engine(load_registry(), run_options(rule_paths, no_builtin, params)).spec.playbooks
        for r in p.rules
    ]
    result = Engine.coverage(open_store(db_path), rules)
    rows = [{"kind": "account", "id": a, "finding": "no recommendation"} for a in result.accounts_without_advice]
    rows += [{"kind": "rule", "id": r, "finding": "never fired"} for r in result.rules_never_fired]
    if output.format == "table":
        click.echo(
            f"accounts without any recommendation: {len(result.accounts_without_advice)}; "
            f"rules that never fired: {len(result.rules_never_fired)} of {len(rules)}"
        )
    output.print(rows, ("kind", "id", "finding"), documents=asdict(result), empty="")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"
