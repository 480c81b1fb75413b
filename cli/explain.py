"""``kamengine explain``: why a rule did (or did not) recommend something for a subject, or why nothing did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from .completion import complete_rules
from .options import output_options, playbook_options
from .runtime import load_registry, make_engine

if TYPE_CHECKING:
    from kamengine.engine.playbooks.playbook import Rule

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
    from kamengine.engine.errors import did_you_mean
    from kamengine.engine.evaluate.explain import outcome, subject_outcomes, switched_off_outcome
    from kamengine.engine.model.fields import SUBJECT_KINDS
    from kamengine.engine.model.loading import load_snapshot

    if rule_id is None and subject_id is None:
        raise click.UsageError("give --rule, --subject or both")
    registry = load_registry()
    kamengine = make_engine(registry, rule_paths, no_builtin, params)
    off = kamengine.spec.switched_off
    from kamengine.engine.delivery.deadlines import alarm

    seconds = kamengine.config.limits.account_seconds
    with kamengine, alarm(seconds, "explaining this account"):  # an enricher that loops ends the command, in time
        advisor = kamengine.advisor
        facts, firings = advisor.evaluate(load_snapshot(snapshot, registry.actions), as_of.date() if as_of else None)
        advice = advisor.plan(facts, firings)
    if rule_id is None:
        found = [(s, kind) for kind in SUBJECT_KINDS for s in facts.subjects(kind) if str(s["id"]) == subject_id]
        if not found:
            ids = [str(s["id"]) for kind in SUBJECT_KINDS for s in facts.subjects(kind)]
            hint = did_you_mean(str(subject_id), ids)
            where = f"no contact, opportunity or account '{subject_id}' in {snapshot}{hint}"
            raise click.BadParameter(where, param_hint="--subject")
        _print(output, [o for s, kind in found for o in subject_outcomes(s, kind, facts, advice, advisor.rules, off)])
        return
    rule, switched = _find_rule(advisor.rules, off, rule_id)
    subjects = facts.subjects(rule.subject)
    if subject_id is not None:
        subjects = [s for s in subjects if str(s["id"]) == subject_id]
        if not subjects:
            ids = [str(s["id"]) for s in facts.subjects(rule.subject)]
            raise click.BadParameter(
                f"no {rule.subject} '{subject_id}' in {snapshot}{did_you_mean(subject_id, ids)}", param_hint="--subject"
            )
    if switched is None:
        _print(output, [outcome(rule, subject, facts, advice) for subject in subjects])
    else:
        _print(output, [switched_off_outcome(rule, switched, subject, facts) for subject in subjects])


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


def _find_rule(rules: Sequence[Rule], off: Sequence[tuple[Rule, str]], rule_id: str) -> tuple[Rule, str | None]:
    """The rule named, and where it was switched off (None: it is on)."""
    from kamengine.engine.errors import did_you_mean

    every = [(rule, None) for rule in rules] + list(off)
    matches = [(r, w) for r, w in every if r.qualified_id == rule_id or ("/" not in rule_id and r.id == rule_id)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise click.BadParameter(
            f"'{rule_id}' is ambiguous: {', '.join(r.qualified_id for r, _ in matches)}", param_hint="--rule"
        )
    hint = did_you_mean(rule_id, [r.qualified_id for r, _ in every] + [r.id for r, _ in every])
    raise click.BadParameter(f"no rule '{rule_id}'{hint}; see kamengine rules list", param_hint="--rule")
