"""``kamengine rules``: list, show, validate, test and lint playbooks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .completion import complete_rules
from .options import output_options, playbook_options
from .rules_impact import impact
from .rules_new import new
from .runtime import load_registry, make_engine, run_options

if TYPE_CHECKING:
    from kamengine.engine.api.playbooks import Playbook, Rule

    from .output import Output


@click.group()
def rules() -> None:
    """Inspect and check playbooks: list, show, validate, test, lint, catalogue; impact of a change; new package."""


rules.add_command(new)
rules.add_command(impact)


@rules.command("list")
@playbook_options
@output_options()
def list_rules(rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any], output: Output) -> None:
    """List the rules of every loaded playbook."""
    playbooks = make_engine(load_registry(), run_options(rule_paths, no_builtin, params)).spec.playbooks
    rows = [_row(rule) for playbook in playbooks for rule in playbook.rules]
    columns = ("rule", "subject", "priority", "actions", "description")
    output.print(rows, columns, shown=columns[:4], right=("priority",), empty="No rules loaded.")


def _row(rule: Rule) -> dict[str, Any]:
    actions = [spec.action for spec in rule.actions]
    return {
        "rule": rule.qualified_id,
        "subject": rule.subject,
        "priority": rule.priority,
        "actions": actions,
        "description": rule.description,
    }


@rules.command()
@click.argument("rule_id", shell_complete=complete_rules)
@playbook_options
def show(rule_id: str, rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any]) -> None:
    """Show one rule (playbook/rule, or rule when unambiguous): conditions, actions, rationale."""
    from kamengine.engine.api.playbooks import describe
    from kamengine.engine.errors import did_you_mean
    from kamengine.engine.model.i18n import pick

    playbooks = make_engine(load_registry(), run_options(rule_paths, no_builtin, params)).spec.playbooks
    rules_ = [r for p in playbooks for r in p.rules]
    found = [r for r in rules_ if rule_id in (r.qualified_id, r.id)]
    if len(found) != 1:
        hint = did_you_mean(rule_id, [r.qualified_id for r in rules_])
        raise click.BadParameter(f"{'ambiguous' if found else 'no'} rule '{rule_id}'{hint}", param_hint="RULE_ID")
    rule = found[0]
    click.echo(f"{rule.qualified_id}  ({rule.source})")
    click.echo(f"  {rule.description}")
    click.echo(
        f"  subject: {rule.subject}   priority: {rule.priority}"
        + (f"   exclusive group: {rule.exclusive_group}" if rule.exclusive_group else "")
    )
    click.echo(f"  when: {describe(rule.when)}")
    for spec in rule.actions:
        click.echo(f"  → {spec.action} by {spec.owner_role} within {spec.due_in_days} days: {pick(spec.title, 'en')}")
    click.echo(f"  why: {' '.join(pick(rule.rationale, 'en').split())}")


@rules.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def validate(paths: tuple[str, ...]) -> None:
    """Check playbook files (or directories of them) against the rule language."""
    from kamengine.engine.api.playbooks import load_playbooks, playbook_files

    registry = load_registry()
    playbooks = load_playbooks(playbook_files(paths), registry.actions, kinds=registry.kinds)
    for gap in (f"{t.source}: table {t.id}: {gap}" for p in playbooks for t in p.tables for gap in t.gaps):
        click.echo(gap, err=True)  # a warning: a table with gaps is valid
    click.echo(f"{len(playbooks)} playbook(s), {sum(len(p.rules) for p in playbooks)} rules: valid")


@rules.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def test(paths: tuple[str, ...]) -> None:
    """Run the test cases playbooks carry (their tests: section) and report rule coverage."""
    from kamengine.engine.api.playbooks import load_playbooks, playbook_files
    from kamengine.engine.authoring.playbook_tests import run_playbook_tests

    registry = load_registry()
    enrichers = registry.enricher_instances()
    failed = uncovered = 0
    for playbook in load_playbooks(playbook_files(paths), registry.actions, kinds=registry.kinds):
        report = run_playbook_tests(playbook, registry.actions, enrichers)
        click.echo(f"{playbook.id} ({playbook.source}): {len(report.cases)} case(s)")
        for case in report.cases:
            click.echo(f"  {'PASS' if case.passed else 'FAIL'}  {case.name}")
            for failure in case.failures:
                click.echo(f"        {failure}")
        failed += sum(not case.passed for case in report.cases)
        for missing in report.missing_translations:
            click.echo(f"  MISSING  {missing}")
        failed += bool(report.missing_translations)
        covered = len(playbook.rules) - len(report.never_fired)
        click.echo(f"  coverage: {covered}/{len(playbook.rules)} rules fired in some case")
        for rule_id in report.never_fired:
            click.echo(f"    never fired: {rule_id}")
        uncovered += len(report.never_fired)
    if failed:
        raise click.ClickException(f"{failed} failure(s)")
    click.echo("all cases passed" + (f"; {uncovered} rule(s) never fired" if uncovered else ""))


@rules.command()
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of stdout."
)
@playbook_options
def catalogue(
    output_format: str, output: str | None, rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any]
) -> None:
    """Document every loaded rule: what it looks for, what it recommends, why, its parameters."""
    from kamengine.engine.authoring.catalogue import catalogue_json, catalogue_markdown

    registry = load_registry()
    playbooks = make_engine(registry, run_options(rule_paths, no_builtin, params)).spec.playbooks
    text = catalogue_markdown(playbooks, registry.actions) if output_format == "markdown" else catalogue_json(playbooks)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"{output}: cannot write ({exc.strerror})") from None
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@rules.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def lint(paths: tuple[str, ...]) -> None:
    """Find rules that can never fire, overlapping exclusive rules and actions without a cooldown."""
    from kamengine.engine.api.playbooks import load_playbooks, playbook_files
    from kamengine.engine.authoring.lint import lint_playbook
    from kamengine.engine.errors import PlaybookError

    registry = load_registry()
    findings: list[str] = []
    playbooks: list[Playbook] = []
    for path in playbook_files(paths):
        try:
            playbooks += load_playbooks([path], registry.actions, kinds=registry.kinds)
        except PlaybookError as exc:
            findings += exc.problems  # unknown fields, operators, actions: the validator's findings
    for playbook in playbooks:
        findings += lint_playbook(playbook, registry.actions, registry.kinds)
        findings += playbook.missing_translations()
    for finding in findings:
        click.echo(finding)
    if findings:
        raise click.ClickException(f"{len(findings)} finding(s)")
    click.echo(f"{len(playbooks)} playbook(s): no findings")
