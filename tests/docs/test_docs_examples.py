"""Every ``$ kamengine …`` example of the README and docs/ runs as written on the bundled files and prints
what it shows; the glossary is linked from the README's first screen."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from support import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
BLOCK = re.compile(r"```\n\$ (kamengine [^\n]*)\n(.*?)```", flags=re.S)
EXAMPLES = [(page, m.group(1), m.group(2)) for page in PAGES for m in BLOCK.finditer(page.read_text(encoding="utf-8"))]


def test_there_are_examples_in_the_docs_too() -> None:
    assert {page.name for page, _, _ in EXAMPLES} >= {"README.md", "cli.md", "plan.md"}


@pytest.mark.parametrize(("page", "command", "shown"), EXAMPLES, ids=[f"{p.name}: {c}" for p, c, _ in EXAMPLES])
def test_an_example_prints_what_it_shows(
    page: Path, command: str, shown: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The bundled files by the paths the example uses, in a folder of its own: what an example
    # creates (`rules new`, say) lands there, not in the repository.
    for entry in REPO.iterdir():
        if entry.name not in (".git", ".venv"):
            (tmp_path / entry.name).symlink_to(entry)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KAMENGINE_CONFIG", "/dev/null")  # a kamengine.toml lying around must not change it
    result = CliRunner().invoke(main, shlex.split(command)[1:], terminal_width=200)
    assert result.exit_code == 0, result.output
    printed = result.stdout.splitlines()
    lines = shown.splitlines()
    if "..." not in lines:
        assert printed == lines
        return
    # "..." stands for lines left out: the others are printed, in this order, each run of them together.
    runs: list[list[str]] = [[]]
    for line in lines:
        runs.append([]) if line == "..." else runs[-1].append(line)
    at = 0
    for run in filter(None, runs):
        starts = [i for i in range(at, len(printed) - len(run) + 1) if printed[i : i + len(run)] == run]
        assert starts, f"{page.name}: not printed by {command}:\n" + "\n".join(run)
        at = starts[0] + len(run)


def test_the_glossary_is_linked_from_the_readme_s_first_screen_and_has_every_word() -> None:
    first_screen = "\n".join((REPO / "README.md").read_text(encoding="utf-8").splitlines()[:24])
    assert "(docs/glossary.md)" in first_screen
    glossary = (REPO / "docs" / "glossary.md").read_text(encoding="utf-8")
    headings = [line for line in glossary.splitlines() if line.startswith("## ")]
    for word in ("A, D, S, E, I", "Stance", "AR, SR, FR, AD", "151", "Fishbone", "Intimacy ladder"):
        assert any(word in heading for heading in headings), word
