"""``kamengine advise``: recommendations for one or more snapshot files."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
import yaml
from kamengine.engine.actions import ActionCatalogue
from kamengine.engine.advisor import Advisor, builtin_playbook_files, load_playbooks, playbook_files
from kamengine.engine.errors import InputError
from kamengine.engine.loading import load_snapshot
from kamengine.engine.recommendation import Recommendation

from .output import output_options, render


def _parse_params(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, Any]:
    parsed = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, found '{value}'")
        parsed[name.strip()] = yaml.safe_load(raw)
    return parsed


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="SNAPSHOT...")
@output_options
@click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(exists=True),
    help="Add the playbooks in this directory or file (repeatable).",
)
@click.option("--no-builtin", is_flag=True, help="Do not load the built-in playbooks.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Evaluate as of this date instead of the snapshot's as_of.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    callback=_parse_params,
    metavar="NAME=VALUE",
    help="Override a playbook parameter (repeatable).",
)
@click.option(
    "--engine",
    type=click.Choice(["durable", "reference"]),
    default="durable",
    show_default=True,
    help="Evaluator: durable_rules, or the plain-Python reference.",
)
def advise(
    paths: tuple[str, ...],
    output_format: str,
    rule_dirs: tuple[str, ...],
    no_builtin: bool,
    as_of: dt.datetime | None,
    params: dict[str, Any],
    engine: str,
) -> None:
    """Recommend next actions for the account snapshots at SNAPSHOT... (JSON or YAML; - reads stdin).

    Exits 1 if any snapshot or playbook is invalid; the others are still advised on.
    """
    actions = ActionCatalogue()
    files = ([] if no_builtin else builtin_playbook_files()) + playbook_files(rule_dirs)
    if not files:
        raise click.UsageError("no playbooks: drop --no-builtin or add --rules DIR")
    advisor = Advisor(
        load_playbooks(files, actions, params), actions, engine="durable" if engine == "durable" else "reference"
    )
    recommendations: list[Recommendation] = []
    failed = 0
    for path in paths:
        try:
            snapshot = load_snapshot(path, actions)
        except InputError as exc:
            failed += 1
            click.echo(f"Error: {exc}", err=True)
            continue
        advice = advisor.advise(snapshot, as_of.date() if as_of else None)
        recommendations.extend(advice.recommendations)
    recommendations.sort(key=lambda r: (-r.priority, r.account_id, r.due, r.rule, r.subject_id, r.action))
    if failed < len(paths):
        click.echo(render(recommendations, output_format), nl=False)
    if failed:
        raise SystemExit(1)
