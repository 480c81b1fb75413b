"""The kamengine command line: a root group; each command lives in its own module, imported when used."""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

import click

from .options import CONFIG_HELP

if TYPE_CHECKING:
    import sqlite3

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
    "sources": "sources",
    "store": "store",
    "tokens": "tokens",
}


class Interrupted(BaseException):
    """Ctrl-C (SIGINT): the command ends in one line with exit 130. Not a KeyboardInterrupt, which click turns
    into "Aborted!" and exit 1 when it comes while click is still parsing."""


class Terminated(BaseException):
    """SIGTERM came (a scheduler stopping the job): the command ends as Ctrl-C ends it, with exit 143."""


#: The signals that came during this command: a library may wrap the exception ``_stop`` raises in its own
#: (pydantic-core building a schema turns it into a SchemaError), and the command still ends as the signal says.
_received: list[int] = []


def _stop(signum: int, frame: object) -> None:
    _received.append(signum)
    raise Interrupted if signum == signal.SIGINT else Terminated


def _ended(stop: BaseException) -> SystemExit:
    """Ctrl-C or SIGTERM said in one line, and the shell's code for it."""
    interrupted = isinstance(stop, Interrupted)
    click.echo("interrupted" if interrupted else "terminated", err=True)
    return SystemExit(130 if interrupted else 143)


def _sqlite_errors() -> tuple[type[sqlite3.Error], ...]:
    """sqlite3's errors, once a store loaded sqlite3 (none raises one before): a command without a store does
    not load it."""
    loaded = sys.modules.get("sqlite3")
    return (loaded.Error,) if loaded is not None else ()


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
        from kamengine.engine.errors import KamengineError, UsageError, printable_lines

        from .runtime import say_engine_warnings

        say_engine_warnings()
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # here, not at exit, where a reader gone away (`| head`) is a traceback
            return result
        except BrokenPipeError:  # the reader of stdout went away (`| head`): it has what it wanted; stop quietly
            with contextlib.suppress(OSError, ValueError):  # stdout may be a test's buffer, without a descriptor
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(0) from None
        except UsageError as exc:
            raise click.UsageError(printable_lines(str(exc))) from None
        except KamengineError as exc:  # its data's control characters shown, never acted on by the terminal
            raise click.ClickException(printable_lines(str(exc))) from None
        except _sqlite_errors() as exc:  # the store: busy, full, read-only or damaged, while in use
            from kamengine.engine.api.stores import Store, trouble

            raise click.ClickException(trouble(exc, Store.last_path)) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """The command, with Ctrl-C and SIGTERM ending it in one line and the shell's code (130, 143) from the first
        instant, not a traceback or click's "Aborted!" (the handlers it had come back after: a test runs many)."""
        main_thread = threading.current_thread() is threading.main_thread()
        previous = (
            {signum: signal.signal(signum, _stop) for signum in (signal.SIGINT, signal.SIGTERM)} if main_thread else {}
        )
        _received.clear()
        try:
            return super().main(*args, **kwargs)
        except (Interrupted, Terminated) as stop:
            raise _ended(stop) from None
        except Exception:
            if not _received:
                raise
            raise _ended(Interrupted() if _received[0] == signal.SIGINT else Terminated()) from None
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


@click.group(
    cls=_Group,
    # Every option can come from the environment: KAMENGINE_<COMMAND>_<OPTION> (KAMENGINE_BATCH_WORKERS=4), for a
    # scheduler or a container; --db, --host and --port have the shorter KAMENGINE_DB, KAMENGINE_HOST, KAMENGINE_PORT.
    context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "KAMENGINE"},
    epilog="\b\nExamples:\n  kamengine advise examples/acme-telecom.yaml"
    "\n  kamengine explain examples/acme-telecom.yaml --subject c-ana"
    "\n\nShell completion (bash, zsh, fish): see docs/cli.md.",
)
@click.version_option(package_name="kamengine", prog_name="kamengine")
@click.option("--config", "config_path", envvar="KAMENGINE_CONFIG", metavar="PATH", help=CONFIG_HELP)
def main(config_path: str | None) -> None:
    """kamengine: ranked, explained next actions for key accounts, from declarative playbooks."""
