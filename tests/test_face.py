"""The plugin author's face: ``import kamengine`` and ``kamengine.toolkit`` offer their names, documented and lazily,
and the built-in plugins import nothing else of kamengine."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import kamengine
import kamengine.toolkit
import pytest
from support import REPO

PLUGINS = sorted((REPO / "plugins").rglob("*.py"))


@pytest.mark.parametrize("face", [kamengine, kamengine.toolkit], ids=lambda m: m.__name__)
def test_every_name_imports_and_has_a_docstring(face: ModuleType) -> None:
    for name in face.__all__:
        value = getattr(face, name)
        if callable(value):  # a constant is described in the module's docstring (below)
            assert (value.__doc__ or "").strip(), name


@pytest.mark.parametrize("face", [kamengine, kamengine.toolkit], ids=lambda m: m.__name__)
def test_the_module_docstring_says_what_each_name_is_for(face: ModuleType) -> None:
    doc = face.__doc__ or ""
    for name in face.__all__:
        assert f"- ``{name}" in doc, name


@pytest.mark.parametrize("face", [kamengine, kamengine.toolkit], ids=lambda m: m.__name__)
def test_dir_lists_the_names(face: ModuleType) -> None:
    assert set(face.__all__) <= set(dir(face))


@pytest.mark.parametrize("face", [kamengine, kamengine.toolkit], ids=lambda m: m.__name__)
def test_an_unknown_name_is_an_attribute_error(face: ModuleType) -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        face.no_such_name  # noqa: B018


def test_the_face_names_the_engines_own_classes() -> None:
    from kamengine.engine.api import Engine
    from kamengine.engine.model.snapshot import Snapshot
    from kamengine.engine.plugin.hookspecs import hookimpl

    assert (kamengine.Engine, kamengine.Snapshot, kamengine.hookimpl) == (Engine, Snapshot, hookimpl)


@pytest.mark.parametrize(
    ("module", "unwanted"),
    [
        ("kamengine", ("pydantic", "kamengine.engine")),
        ("kamengine.toolkit", ("pydantic", "kamengine.engine")),
        ("kamengine.cli", ("pydantic",)),
    ],
)
def test_importing_the_face_loads_nothing_it_names(module: str, unwanted: tuple[str, ...]) -> None:
    # Every kamengine.* import runs kamengine/__init__.py first: the command line's start must not pay for the engine.
    code = f"import sys, {module}; print(sorted(m for m in {unwanted!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_snapshot_choices_are_the_contracts_values_as_text() -> None:
    from kamengine.toolkit import snapshot_choices

    assert snapshot_choices("contact", "level") == ("executive", "senior", "middle", "staff")
    assert snapshot_choices("contact", "stance") == ("-1", "0", "1", "2", "3")
    assert snapshot_choices("account", "stage") == ("expansion", "growth", "mature")
    assert snapshot_choices("account", "name") == ()


def _kamengine_imports(path: Path) -> list[tuple[int, str, str | None]]:
    """Every import of kamengine in a module, in functions and under TYPE_CHECKING too: (line, module, name)."""
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names if alias.name.startswith("kamengine")]
        elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("kamengine"):
            found += [(node.lineno, node.module or "", alias.name) for alias in node.names]
    return found


def _outside_the_face(module: str, name: str | None) -> bool:
    if module == "kamengine.plugins" or module.startswith("kamengine.plugins."):
        return False  # another built-in plugin
    if module == "kamengine":
        return name is not None and name not in {*kamengine.__all__, "toolkit"}
    if module == "kamengine.toolkit":
        return name is not None and name not in kamengine.toolkit.__all__
    return True


def test_built_in_plugins_import_only_the_face() -> None:
    assert PLUGINS, "no plugins found: the check would pass vacuously"
    wrong = [
        f"{path.relative_to(REPO)}:{line}: {module}{'.' + name if name else ''}"
        for path in PLUGINS
        for line, module, name in _kamengine_imports(path)
        if _outside_the_face(module, name)
    ]
    assert wrong == []


def test_built_in_plugins_use_the_face() -> None:
    # The check above must see something: most built-ins import the face.
    users = [
        path for path in PLUGINS if any(m in ("kamengine", "kamengine.toolkit") for _, m, _ in _kamengine_imports(path))
    ]
    assert len(users) >= 20
