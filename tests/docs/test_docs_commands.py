"""Every ``kamengine …`` line in a shell block of the README and docs/ runs as written on the bundled files.

A ```bash block holds commands to copy; the forms
of a command, with placeholders (``SNAPSHOT``, ``[--owner ID]``), are in ```text blocks and are
not run. The lines run in a folder of their own that holds the repository's files, with a store
a nightly batch over the bundled accounts made, one after the other in the order of the page.
``kamengine serve`` runs until it is stopped: tests/service/ start it.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^ *```(\w*)\n(.*?)^ *```", flags=re.S | re.M)


def _commands(page: Path) -> list[str]:
    found = []
    for language, body in FENCE.findall(page.read_text(encoding="utf-8")):
        if language != "bash":  # a plain block is an example's output ($ examples: test_docs_examples.py)
            continue
        for line in body.splitlines():
            if line.startswith("kamengine ") and shlex.split(line, comments=True)[1] != "serve":
                found.append(line)
    return found


COMMANDS = {page.name: _commands(page) for page in PAGES}


def test_the_readme_and_the_docs_have_commands_to_copy() -> None:
    assert len(COMMANDS["README.md"]) >= 15
    assert sum(len(lines) for lines in COMMANDS.values()) >= 35


@pytest.mark.parametrize("page", [name for name, lines in COMMANDS.items() if lines])
def test_every_command_of_a_page_runs_as_written(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for entry in REPO.iterdir():
        if entry.name not in (".git", ".venv"):
            (tmp_path / entry.name).symlink_to(entry)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KAMENGINE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KAMENGINE_CONFIG", "/dev/null")  # a kamengine.toml lying around must not change them
    night = CliRunner().invoke(main, ["batch", "--source", "file:examples/portfolio/", "--workers", "1"])
    assert night.exit_code == 0, night.output
    for line in COMMANDS[page]:
        words = shlex.split(line, comments=True)[1:]
        given, written = None, None
        if "<" in words:  # kamengine advise - < FILE
            at = words.index("<")
            given, words = Path(words[at + 1]).read_bytes(), words[:at] + words[at + 2 :]
        if ">" in words:  # kamengine … > FILE
            at = words.index(">")
            written, words = Path(words[at + 1]), words[:at] + words[at + 2 :]
        result = CliRunner().invoke(main, words, input=given)
        assert result.exit_code == 0, f"{page}: {line}\n{result.output}"
        if written is not None:
            written.write_text(result.stdout, encoding="utf-8")
            assert written.stat().st_size > 0, line
