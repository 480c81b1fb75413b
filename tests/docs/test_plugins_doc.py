"""docs/plugins.md and docs/sources.md stay true: every hook documented and tested, every table listed."""

from __future__ import annotations

import inspect

from kamengine.engine import hookspecs
from kamengine.plugins.tabular import REQUIRED, TABLES
from support import REPO

HOOKS = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("kamengine_")]


def test_there_are_hooks() -> None:
    assert len(HOOKS) == 5


def test_every_hook_is_documented_with_its_signature() -> None:
    doc = (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")
    for name in HOOKS:
        returns = inspect.signature(getattr(hookspecs, name)).return_annotation
        assert f"### {name}\n" in doc, name
        assert f"def {name}() -> {returns}:" in doc, name


def test_every_hook_is_implemented_in_a_test() -> None:
    tests = [p for p in (REPO / "tests").rglob("test_*.py") if p.name != "test_plugins_doc.py"]
    text = "\n".join(p.read_text(encoding="utf-8") for p in tests)
    for name in HOOKS:
        assert f"def {name}(" in text, name


def test_every_hookspec_has_a_docstring() -> None:
    for name in HOOKS:
        assert (getattr(hookspecs, name).__doc__ or "").strip(), name


def test_sources_doc_lists_every_table_and_column() -> None:
    doc = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")
    section = doc.split("<!-- tables:start -->\n", 1)[1].split("<!-- tables:end -->", 1)[0]
    rows = [line for line in section.splitlines()[2:] if line.startswith("|")]
    expected = [
        f"| {table} | " + ", ".join(f"**{c}**" if c in REQUIRED[table] else c for c in columns) + " |"
        for table, columns in TABLES.items()
    ]
    assert rows == expected
