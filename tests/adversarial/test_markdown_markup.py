"""Markdown output shows a snapshot's text as text: HTML and links in a name never become markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from kamengine.cli import main
from kamengine.plugins.text_formats import markdown
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(2))"


def _kamengine(*args: str) -> Result:
    return CliRunner().invoke(main, ["--config", "/dev/null", *args])


def _hostile(tmp_path: Path) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for person in (*data["contacts"], *data["team"]):
        person["name"] = f"{IMG}{person['name']}{LINK}"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data, default=str), encoding="utf-8")
    return path


def _assert_text_only(text: str) -> None:
    assert "<img" not in text and "[click](" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "[click\\](javascript:alert(2))" in text


def test_a_cell_escapes_html_entities_and_links() -> None:
    line = markdown([{"name": f"{IMG} &amp; AT&T", "why": [IMG, "ok"]}], ("name", "why")).splitlines()[2]
    assert "&lt;img src=x onerror=alert(1)&gt; &amp;amp; AT&amp;T" in line
    assert "&lt;img src=x onerror=alert(1)&gt;<br>ok" in line  # our own line break stays one


def test_advise_plan_and_the_markdown_emitter_write_names_as_text(tmp_path: Path) -> None:
    hostile = str(_hostile(tmp_path))
    advised = _kamengine("advise", hostile, "-f", "markdown")
    assert advised.exit_code == 0, advised.output
    _assert_text_only(advised.stdout)
    planned = _kamengine("plan", hostile, "--week", "all", "-f", "markdown")
    assert planned.exit_code == 0, planned.output
    _assert_text_only(planned.stdout)
    target = tmp_path / "advice.md"
    emitted = _kamengine("advise", hostile, "--emit", f"markdown:{target}")
    assert emitted.exit_code == 0, emitted.output
    _assert_text_only(target.read_text(encoding="utf-8"))


def test_rendered_markdown_holds_no_tag_and_no_link(tmp_path: Path) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    text = _kamengine("advise", str(_hostile(tmp_path)), "-f", "markdown").stdout
    rendered = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert "<table>" in rendered  # it is a table, and its cells are text
    assert "<img" not in rendered and "<a " not in rendered
