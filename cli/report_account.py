"""``kamengine report account``: one account's page (power map, fishbones, advice) as a self-contained HTML file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from .options import as_of_option, crisis_option, engine_option, lang_option, playbook_options
from .runtime import load_registry, make_engine, run_options


@click.command()
@click.argument("snapshot", metavar="SNAPSHOT")
@click.option(
    "-o", "--output", required=True, metavar="FILE", help="The HTML file to write (replaced whole); - for stdout."
)
@playbook_options
@as_of_option
@crisis_option
@engine_option
@lang_option
def account(
    snapshot: str, output: str, rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any],
    as_of: dt.datetime | None, crisis: str | None, engine: str, lang: str | None,
) -> None:  # fmt: skip
    """The account of SNAPSHOT (JSON or YAML; - reads stdin) as one HTML file: the three layers, the
    power map as an org chart, a fishbone per live deal and the open advice. Styles and drawings are
    inside the file: it opens offline, mails as an attachment and prints on A4 landscape.

    \b
    kamengine report account examples/acme-telecom.yaml -o acme.html
    """
    from kamengine.service.pages.offline import account_report
    from kamengine.toolkit import write_atomically

    options = run_options(rule_paths, no_builtin, params, engine=engine, lang=lang, crisis=crisis)
    with make_engine(load_registry(), options) as kamengine:
        page = account_report(kamengine, snapshot, as_of.date() if as_of else None)
    if output == "-":
        click.echo(page, nl=False)
        return
    try:
        write_atomically(output, page)
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write ({exc.strerror})") from None
    click.echo(f"wrote {output}", err=True)
