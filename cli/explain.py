"""``kamengine explain``: why a rule did (or did not) recommend something for a subject, or why nothing did."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from .completion import complete_rules
from .options import playbook_options
from .runtime import load_registry, make_engine

if TYPE_CHECKING:
    from kamengine.engine.playbooks.playbook import Rule


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
def explain(
    snapshot: str,
    rule_id: str | None,
    subject_id: str | None,
    rule_paths: tuple[str, ...],
    no_builtin: bool,
    params: dict[str, Any],
    as_of: dt.datetime | None,
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
    from kamengine.engine.evaluate.explain import switched_off_line, why_not, why_nothing
    from kamengine.engine.model.fields import SUBJECT_KINDS
    from kamengine.engine.model.loading import load_snapshot

    if rule_id is None and subject_id is None:
        raise click.UsageError("give --rule, --subject or both")
    registry = load_registry()
    kamengine = make_engine(registry, rule_paths, no_builtin, params)
    off = kamengine.spec.switched_off
    with kamengine:
        advisor = kamengine.advisor
        facts, firings = advisor.evaluate(load_snapshot(snapshot, registry.actions), as_of.date() if as_of else None)
        advice = advisor.rank(facts, firings)
    if rule_id is None:
        found = [(s, kind) for kind in SUBJECT_KINDS for s in facts.subjects(kind) if str(s["id"]) == subject_id]
        if not found:
            ids = [str(s["id"]) for kind in SUBJECT_KINDS for s in facts.subjects(kind)]
            hint = did_you_mean(str(subject_id), ids)
            where = f"no contact, opportunity or account '{subject_id}' in {snapshot}{hint}"
            raise click.BadParameter(where, param_hint="--subject")
        for subject, kind in found:
            click.echo(why_nothing(subject, kind, facts, advice, advisor.rules, off))
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
    for subject in subjects:
        if switched is None:
            click.echo(why_not(rule, subject, facts, advice))
        else:
            click.echo(f"{switched_off_line(rule, switched, subject, facts)} ({rule.subject} {subject['id']})")


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
