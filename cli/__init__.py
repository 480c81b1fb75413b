"""The kamengine command line: a root group; each command lives in its own module, imported when used."""

from __future__ import annotations

import importlib
from typing import Any

import click

#: command name -> module (in this package) defining it, in the order help lists them.
COMMANDS = {
    "advise": "advise",
    "batch": "batch",
    "config": "config",
    "deliver": "batch",
    "explain": "explain",
    "plan": "plan",
    "plugins": "plugins",
    "recs": "recs",
    "report": "report",
    "rules": "rules",
    "schema": "schema",
    "serve": "serve",
    "tokens": "tokens",
}


class _Group(click.Group):
    """Loads a command's module only when that command runs (``--help`` and ``--version`` load none),
    and turns every ``KamengineError`` into a clean message: exit 2 for a usage mistake, else 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        command: click.Command = getattr(importlib.import_module(f"{__name__}.{COMMANDS[cmd_name]}"), cmd_name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        import sqlite3

        from kamengine.engine.errors import KamengineError, UsageError

        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise click.UsageError(str(exc)) from None
        except KamengineError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.Error as exc:  # the store: busy, full, read-only or damaged, while in use
            from kamengine.engine.store.files import trouble
            from kamengine.engine.store.store import Store

            raise click.ClickException(trouble(exc, Store.last_path)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kamengine", prog_name="kamengine")
@click.option(
    "--config", "config_path", envvar="KAMENGINE_CONFIG", metavar="PATH",
    help="Settings file (default: ./kamengine.toml when present; env KAMENGINE_CONFIG).",
)  # fmt: skip
def main(config_path: str | None) -> None:
    """kamengine: ranked, explained next actions for key accounts, from declarative playbooks."""
