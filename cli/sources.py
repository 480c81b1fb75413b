"""``kamengine sources check``: read a whole export through its map and say what was read, left out and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .options import map_option, output_options
from .runtime import load_registry, make_sources

if TYPE_CHECKING:
    from .output import Output

COLUMNS = ("kind", "name", "read", "skipped", "left_out", "detail")
HEADERS = {"left_out": "left out"}


@click.group()
def sources() -> None:
    """Data sources: check what an export gives before a batch reads it.

    \b
    Example:
      kamengine sources check --source csv:examples/salesforce-export/ --map salesforce
    """


@sources.command()
@click.option("--source", "specs", multiple=True, required=True, metavar="NAME:LOCATION",
              help="A data source, e.g. csv:export/ (repeatable).")  # fmt: skip
@map_option
@output_options()
def check(specs: tuple[str, ...], column_map: str | None, output: Output) -> None:
    """Read every account of the sources and report, per file and per account, what was read, what was
    skipped (deleted rows, inactive users), what was left out and why, and the values the map lacked.
    Exit 1 when anything was left out or an account cannot be advised.

    \b
    Examples:
      kamengine sources check --source csv:examples/salesforce-export/ --map salesforce
      kamengine sources check --source csv:hubspot/ --map hubspot --format json
    """
    from kamengine.plugins.source_check import check_sources

    registry = load_registry()
    documents = check_sources(make_sources(registry, specs, column_map=column_map))
    files, accounts, errors = documents["files"], documents["accounts"], documents["errors"]
    rows = [*files, *accounts, *({"kind": "error", "name": "", "detail": line} for line in errors)]
    if output.format in ("table", "markdown"):
        output.print(files, COLUMNS, shown=COLUMNS[1:], headers={**HEADERS, "name": "file"}, empty="")
        click.echo()
        account_columns = ("name", "read", "left_out", "detail")
        headers = {**HEADERS, "name": "account", "left_out": "rows left out"}
        output.print(accounts, COLUMNS, shown=account_columns, headers=headers, empty="No account read.")
        if errors:
            click.echo(f"\n{len(errors)} error(s):")
            click.echo("\n".join(errors))
    else:
        output.print(rows, COLUMNS, documents=documents if output.format == "json" else rows)
    if errors:
        raise SystemExit(1)
