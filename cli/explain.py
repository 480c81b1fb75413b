"""``kamengine explain``: why a rule did (or did not) recommend something for a subject."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from .options import playbook_options
from .runtime import load_registry, make_engine

if TYPE_CHECKING:
    from kamengine.engine.playbooks.playbook import Rule


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
def explain(
    snapshot: str,
    rule_id: str,
    subject_id: str | None,
    rule_paths: tuple[str, ...],
    no_builtin: bool,
    params: dict[str, Any],
    as_of: dt.datetime | None,
) -> None:
    """Say why RULE did not fire for a subject of SNAPSHOT — the first condition that failed, with
    the value seen and the value wanted — or which cooldown, veto or cap held its action back."""
    from kamengine.engine.errors import did_you_mean
    from kamengine.engine.evaluate.explain import why_not
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
    for subject in subjects:
        click.echo(why_not(rule, subject, facts, advice))


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
