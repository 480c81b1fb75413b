"""The kamengine command line: a root group; each command lives in its own module."""

from __future__ import annotations

from typing import Any

import click
from kamengine.engine.errors import KamengineError

from .advise import advise
from .batch import batch, deliver
from .config import config
from .explain import explain
from .plugins import plugins
from .recs import recs
from .report import report
from .rules import rules


class _Group(click.Group):
    """Turns every ``KamengineError`` into a clean message and exit code 1 (no traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KamengineError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kamengine", prog_name="kamengine")
@click.option(
    "--config", "config_path", envvar="KAMENGINE_CONFIG", metavar="PATH",
    help="Settings file (default: ./kamengine.toml when present; env KAMENGINE_CONFIG).",
)  # fmt: skip
def main(config_path: str | None) -> None:
    """kamengine: ranked, explained next actions for key accounts, from declarative playbooks."""


for command in (advise, batch, config, deliver, explain, plugins, recs, report, rules):
    main.add_command(command)
