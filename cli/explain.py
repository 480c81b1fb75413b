"""``kamengine explain``: why a rule did (or did not) recommend something for a subject."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from .options import output_options, playbook_options
from .runtime import load_registry, make_engine

if TYPE_CHECKING:
    from kamengine.engine.playbooks.playbook import Rule

    from .output import Output


@click.command()
@click.argument("snapshot")
@click.option("--rule", "rule_id", required=True, help="The rule, as playbook/rule or just rule when unambiguous.")
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
    rule_id: str,
    subject_id: str | None,
    rule_paths: tuple[str, ...],
    no_builtin: bool,
    params: dict[str, Any],
    as_of: dt.datetime | None,
    output: Output,
) -> None:
    """Say why RULE did not fire for a subject of SNAPSHOT — the first condition that failed, with
    the value seen and the value wanted — or which cooldown, veto or cap held its action back."""
    from kamengine.engine.errors import did_you_mean
    from kamengine.engine.evaluate.explain import outcome
    from kamengine.engine.model.loading import load_snapshot

    registry = load_registry()
    kamengine = make_engine(registry, rule_paths, no_builtin, params)
    rule = _find_rule([r for p in kamengine.spec.playbooks for r in p.rules], rule_id)
    with kamengine:
        advisor = kamengine.advisor
        facts, firings = advisor.evaluate(load_snapshot(snapshot, registry.actions), as_of.date() if as_of else None)
        advice = advisor.rank(facts, firings)
    subjects = facts.subjects(rule.subject)
    if subject_id is not None:
        subjects = [s for s in subjects if str(s["id"]) == subject_id]
        if not subjects:
            ids = [str(s["id"]) for s in facts.subjects(rule.subject)]
            raise click.BadParameter(
                f"no {rule.subject} '{subject_id}' in {snapshot}{did_you_mean(subject_id, ids)}", param_hint="--subject"
            )
    _print(output, [outcome(rule, subject, facts, advice) for subject in subjects])


def _print(output: Output, outcomes: list[dict[str, Any]]) -> None:
    """One row per action a rule asked for (or one saying it did not fire); the plan's notes under it."""
    rows: list[dict[str, Any]] = []
    notes: list[list[str]] = []
    for found in outcomes:
        subject = f"{found['subject']['kind']} {found['subject']['id']}"
        base = {"rule": found["rule"], "subject": subject, "action": None, "outcome": "did not fire"}
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


def _find_rule(rules: list[Rule], rule_id: str) -> Rule:
    from kamengine.engine.errors import did_you_mean

    matches = [r for r in rules if r.qualified_id == rule_id or ("/" not in rule_id and r.id == rule_id)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise click.BadParameter(
            f"'{rule_id}' is ambiguous: {', '.join(r.qualified_id for r in matches)}", param_hint="--rule"
        )
    hint = did_you_mean(rule_id, [r.qualified_id for r in rules] + [r.id for r in rules])
    raise click.BadParameter(f"no rule '{rule_id}'{hint}; see kamengine rules list", param_hint="--rule")
