"""docs/plugins.md and docs/sources.md stay true: every hook documented and tested, every table listed."""

from __future__ import annotations

import inspect

from kamengine.engine.plugin import hookspecs
from kamengine.plugins.tabular_columns import REQUIRED, TABLES
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


def test_plugin_docs_and_the_example_plugin_import_only_from_the_plugin_surface() -> None:
    texts = {"docs/plugins.md": (REPO / "docs" / "plugins.md").read_text(encoding="utf-8")}
    for path in (REPO / "examples" / "kamengine-getresult").rglob("*.py"):
        if "build" not in path.parts:
            texts[str(path.relative_to(REPO))] = path.read_text(encoding="utf-8")
    imports = {
        (name, line.strip())
        for name, text in texts.items()
        for line in text.splitlines()
        if line.startswith(("from kamengine ", "from kamengine.", "import kamengine"))
    }
    assert imports, "no kamengine imports found: the check would pass vacuously"
    face = ("from kamengine import ", "from kamengine.toolkit import ", "import kamengine")
    assert {line for _, line in imports if not line.startswith(face)} == set()
