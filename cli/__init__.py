"""The kamengine command line: a root group; each command lives in its own module, imported when used."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import Any

import click

from .options import CONFIG_HELP

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


class Terminated(BaseException):
    """SIGTERM came (a scheduler stopping the job): the command ends as Ctrl-C ends it, with exit 143."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


class _Group(click.Group):
    """Loads a command's module only when that command runs (``--help`` and ``--version`` load none),
    and turns every ``KamengineError`` into a clean message: exit 2 for a usage mistake, else 1; Ctrl-C exits 130."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        from .examples import with_examples
        from .options import config_anywhere

        command: click.Command = getattr(importlib.import_module(f"{__name__}.{COMMANDS[cmd_name]}"), cmd_name)
        return with_examples(config_anywhere(command), cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        import signal
        import sqlite3
        import threading

        from kamengine.engine.errors import KamengineError, UsageError, printable_lines

        main_thread = threading.current_thread() is threading.main_thread()
        # SIGTERM as Ctrl-C: one line, not a silent death (and what it had, restored after: a test runs many commands)
        previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # here, not at exit, where a reader gone away (`| head`) is a traceback
            return result
        except BrokenPipeError:  # the reader of stdout went away (`| head`): it has what it wanted; stop quietly
            with contextlib.suppress(OSError, ValueError):  # stdout may be a test's buffer, without a descriptor
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(0) from None
        except KeyboardInterrupt:  # Ctrl-C: one line and the shell's code, not click's "Aborted!" (exit 1)
            click.echo("interrupted", err=True)
            raise SystemExit(130) from None
        except Terminated:
            click.echo("terminated", err=True)
            raise SystemExit(143) from None
        except UsageError as exc:
            raise click.UsageError(printable_lines(str(exc))) from None
        except KamengineError as exc:  # its data's control characters shown, never acted on by the terminal
            raise click.ClickException(printable_lines(str(exc))) from None
        except sqlite3.Error as exc:  # the store: busy, full, read-only or damaged, while in use
            from kamengine.engine.store.files import trouble
            from kamengine.engine.store.store import Store

            raise click.ClickException(trouble(exc, Store.last_path)) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="\b\nExamples:\n  kamengine advise examples/acme-telecom.yaml"
    "\n  kamengine explain examples/acme-telecom.yaml --subject c-ana"
    "\n\nShell completion (bash, zsh, fish): see docs/cli.md.",
)
@click.version_option(package_name="kamengine", prog_name="kamengine")
@click.option("--config", "config_path", envvar="KAMENGINE_CONFIG", metavar="PATH", help=CONFIG_HELP)
def main(config_path: str | None) -> None:
    """kamengine: ranked, explained next actions for key accounts, from declarative playbooks."""
