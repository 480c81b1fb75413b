"""Every command and subcommand has help, reachable with -h and --help."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from kamengine.cli import main


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


COMMANDS = _commands(main)


def test_the_commands_of_the_contract_exist() -> None:
    assert {
        "advise",
        "explain",
        "plugins",
        "rules",
        "rules list",
        "rules show",
        "rules validate",
        "rules test",
        "rules lint",
    } <= {" ".join(c) for c in COMMANDS}


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    for flag in ("-h", "--help"):
        result = CliRunner().invoke(main, [*path, flag])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Usage: main {' '.join(path)}") or result.output.startswith(
            f"Usage: kamengine {' '.join(path)}"
        )
    command: click.Command | None = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.get_command(click.Context(command), name)
    assert command is not None and (command.help or "").strip(), path


@pytest.mark.parametrize("path", [(), *COMMANDS], ids=lambda p: " ".join(p) or "kamengine")
def test_every_command_s_help_shows_an_example(path: tuple[str, ...]) -> None:
    lines = CliRunner().invoke(main, [*path, "--help"], terminal_width=200).stdout.splitlines()
    heading = [i for i, line in enumerate(lines) if line.strip() in ("Example:", "Examples:")]
    assert heading, path
    example = lines[heading[-1] + 1].strip()
    assert (example + " ").startswith(" ".join(("kamengine", *path)) + " ")
