"""``kamengine rules impact``: what a playbook change does to a portfolio's advice, per rule and action."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .options import _params, as_of_option
from .runtime import current_config, load_registry, make_sources, say

if TYPE_CHECKING:
    from kamengine.engine.authoring.impact import Impact


@click.command("impact")
@click.option(
    "--base",
    required=True,
    metavar="REF_OR_DIR",
    help="The playbooks before: a directory or file, or a git REF[:PATH].",
)
@click.option(
    "--head",
    metavar="REF_OR_DIR",
    help="The playbooks after: a directory or file, or a git REF[:PATH] (default: --playbooks as it is on disk).",
)
@click.option("--playbooks", metavar="PATH", help="The playbooks' path for a git REF given without :PATH.")
@click.option(
    "--source",
    "sources",
    multiple=True,
    required=True,
    metavar="NAME:LOCATION",
    help="The portfolio: a data source, e.g. csv:exports/ (repeatable).",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    callback=_params,
    metavar="NAME=VALUE",
    help="Override a parameter in both versions (repeatable).",
)
@as_of_option
@click.option("--workers", type=click.IntRange(min=1), help="Processes evaluating accounts (default: one per core).")
@click.option(
    "--examples",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Examples per rule, action and kind of change.",
)
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(["table", "markdown", "json"]),
    default="table",
    show_default=True,
    help="Output format (markdown: ready for a pull request).",
)
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when any recommendation changes (for CI).")
def impact(
    base: str, head: str | None, playbooks: str | None, sources: tuple[str, ...], params: dict[str, Any],
    as_of: Any, workers: int | None, examples: int, output_format: str, fail_on_change: bool,
) -> None:  # fmt: skip
    """Evaluate the portfolio under both versions of the playbooks, in one pass, and show per rule and action the
    recommendations added, removed and re-ranked, the accounts affected and a few examples of each."""
    from kamengine.engine.authoring.impact import impact as run_impact
    from kamengine.engine.authoring.impact import version_spec
    from kamengine.engine.authoring.versions import shown_as, version_files
    from kamengine.engine.errors import KamengineError

    if head is None and playbooks is None:
        raise click.UsageError("give --head, or --playbooks PATH to compare against it as it is on disk")
    registry = load_registry()
    config = current_config()
    readers = make_sources(registry, sources)
    versions = (("--base", base), ("--head", head or str(playbooks)))
    with tempfile.TemporaryDirectory(prefix="kamengine-impact-") as workdir:
        specs = []
        for option, spec in versions:
            files = version_files(spec, option, playbooks, Path(workdir))
            try:
                specs.append(version_spec(registry, config, files, params))
            except KamengineError as exc:
                written, name = shown_as(Path(workdir), option, spec, playbooks)
                raise click.ClickException(f"{option}: {exc}".replace(written, name)) from None
    result = run_impact(specs[0], specs[1], readers, as_of.date() if as_of else None, workers, examples)
    for failure in result.failures:
        say(failure)
    text = {"json": _json, "markdown": _markdown, "table": _table}[output_format](result)
    click.echo(text, nl=False)
    if result.failures or (fail_on_change and result.changed):
        raise SystemExit(1)


def _summary(result: Impact) -> str:
    return (
        f"{len(result.changed_accounts)} of {result.accounts} account(s) change: "
        f"{result.base_recommendations} recommendation(s) before, {result.head_recommendations} after"
    )


def _table(result: Impact) -> str:
    from kamengine.plugins import text_formats as formats

    if not result.changed:
        return _summary(result) + "; nothing else changes\n"
    rows = result.by_rule()
    figures = ("added", "removed", "reranked", "accounts")
    records = [
        {"rule": r.rule, "action": r.action, "added": r.added, "removed": r.removed, "reranked": r.reranked,
         "accounts": len(r.accounts)}
        for r in rows
    ]  # fmt: skip
    # Plain, never wrapped: each row is one line, so its examples can go under it.
    table = formats.table(records, ("rule", "action", *figures), headers={"reranked": "re-ranked"}, right=figures)
    # Each row's examples under it, as concrete as a reviewer needs them.
    lines, body = [_summary(result)], table.splitlines()
    lines += body[:2]
    for row, line in zip(rows, body[2:], strict=True):
        lines += [line, *(f"    {example}" for example in row.examples)]
    return "\n".join(lines) + "\n"


def _markdown(result: Impact) -> str:
    lines = ["### Playbook impact", "", _summary(result).capitalize() + ".", ""]
    if not result.changed:
        return "\n".join(lines)
    lines += ["| rule | action | added | removed | re-ranked | accounts |", "|---|---|---:|---:|---:|---:|"]
    for row in result.by_rule():
        lines.append(
            f"| `{row.rule}` | `{row.action}` | {row.added} | {row.removed} | {row.reranked} | {len(row.accounts)} |"
        )
    lines.append("")
    for row in result.by_rule():
        examples = [f"- {_KINDS[e[0]]} {_escape(e[2:])}" for e in row.examples]
        lines += [f"**`{row.rule}` · `{row.action}`**", "", *examples, ""]
    return "\n".join(lines)


_KINDS = {"+": "**added**", "-": "**removed**", "~": "**re-ranked**"}


def _escape(text: str) -> str:
    # A name is data: it must not open Markdown or HTML of its own in a pull request.
    return "".join(f"\\{c}" if c in "\\`*_[]<>|#" else c for c in text).replace("\n", " ")


def _json(result: Impact) -> str:
    document = {
        "accounts": result.accounts,
        "changed_accounts": len(result.changed_accounts),
        "base_recommendations": result.base_recommendations,
        "head_recommendations": result.head_recommendations,
        "changes": [
            {
                "rule": row.rule, "action": row.action, "added": row.added, "removed": row.removed,
                "reranked": row.reranked, "accounts": sorted(row.accounts), "examples": row.examples,
            }
            for row in result.by_rule()
        ],
        "failures": result.failures,
    }  # fmt: skip
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
