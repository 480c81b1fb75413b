"""``kamengine explain``: why a rule did (or did not) recommend something for a subject, or why nothing did."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from .completion import complete_rules
from .options import output_options, playbook_options
from .runtime import load_registry, make_engine, run_options

if TYPE_CHECKING:
    from .output import Output


@click.command()
@click.argument("snapshot")
@click.option(
    "--rule", "rule_id", shell_complete=complete_rules,
    help="The rule, as playbook/rule or just rule when unambiguous (default: every rule that may apply to --subject).",
)  # fmt: skip
@click.option(
    "--subject",
    "subject_id",
    help="The contact, opportunity or account id (default: every subject of the rule's kind).",
)
@playbook_options
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Evaluate as of this date.")
@output_options()
def explain(
    snapshot: str,
    rule_id: str | None,
    subject_id: str | None,
    rule_paths: tuple[str, ...],
    no_builtin: bool,
    params: dict[str, Any],
    as_of: dt.datetime | None,
    output: Output,
) -> None:
    """Say why RULE did not fire for a subject of SNAPSHOT — the first condition that failed, with
    the value seen and the value wanted — or which cooldown, veto or cap held its action back.

    With --subject alone, answer "why nothing for this person?": every rule that could recommend
    something for that contact, deal or account, what became of what it recommended, the rules
    kamengine.toml switches off, and the first condition that failed for each of the others.

    \b
    Examples:
      kamengine explain examples/acme-telecom.yaml --rule three-axes-evaluator --subject c-eng
      kamengine explain examples/acme-telecom.yaml --subject c-ana
    """
    from kamengine.engine.api.explain import NoSuchChoice

    if rule_id is None and subject_id is None:
        raise click.UsageError("give --rule, --subject or both")
    options = run_options(rule_paths, no_builtin, params, as_of=as_of)
    with make_engine(load_registry(), options) as kamengine:  # a loop ends in time ([limits] account_seconds)
        try:
            outcomes = kamengine.explain(snapshot, rule=rule_id, subject=subject_id)
        except NoSuchChoice as exc:
            raise click.BadParameter(str(exc), param_hint=f"--{exc.option}") from None
    _print(output, outcomes)


def _print(output: Output, outcomes: list[dict[str, Any]]) -> None:
    """One row per action a rule asked for (or one saying it did not fire); the plan's notes under it."""
    rows: list[dict[str, Any]] = []
    notes: list[list[str]] = []
    for found in outcomes:
        subject = f"{found['subject']['kind']} {found['subject']['id']}"
        base = {"rule": found["rule"], "subject": subject, "action": None, "outcome": "did not fire"}
        if found["switched_off"]:
            would = "it would fire" if found["failed"] is None else f"it would not fire either: {found['failed']}"
            rows.append({**base, "outcome": "switched off", "detail": f"{found['switched_off']}; {would}"})
            notes.append([])
            continue
        if not found["actions"]:
            rows.append({**base, "outcome": "fired" if found["fired"] else "did not fire", "detail": found["failed"]})
            notes.append([])
        for action in found["actions"]:
            if action["outcome"] == "held back":
                rows.append({**base, **action, "outcome": f"held back ({action['reason']})"})
                notes.append([])
                continue
            owner = action["owner"]
            by = f"{owner['name']} ({owner['role']})" if owner else "nobody on the team yet"
            detail = f"priority {action['priority']:g}, due {action['due']}, by {by}"
            said = [*action["notes"], *([f"compliance: {action['compliance']}"] if action["compliance"] else [])]
            rows.append({**base, **action, "detail": detail, "notes": said})
            notes.append([f"· {line}" for line in said])
    columns = ("rule", "subject", "action", "outcome", "detail", "notes")
    output.print(rows, columns, documents=outcomes, shown=columns[:5], notes=notes, empty="No subject to explain.")
