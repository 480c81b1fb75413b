"""The shape of the code: wings in data-path order, small modules, no cycles, the CLI only parses and renders."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support import REPO

WINGS = ("model", "playbooks", "plugin", "delivery", "evaluate", "plan", "advise", "store", "batch", "authoring")
SOURCES = sorted(p for folder in ("engine", "cli", "plugins", "service") for p in (REPO / folder).rglob("*.py"))
#: The front ends: they parse, call the engine and render (the service also answers HTTP).
FRONT_ENDS = ("cli", "service")


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["kamengine", *parts])


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported when this one is (not inside functions, not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("kamengine.")}


GRAPH = {_module(p): _top_level_imports(p) for p in SOURCES}


def test_the_engine_is_in_wings_named_for_the_pipeline() -> None:
    folders = sorted(p.name for p in (REPO / "engine").iterdir() if p.is_dir() and not p.name.startswith("_"))
    assert folders == sorted([*WINGS, "api"])  # api: what the front ends call, over every wing
    loose = sorted(p.name for p in (REPO / "engine").glob("*.py"))
    assert loose == ["__init__.py", "errors.py"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_is_over_300_lines_and_each_says_what_it_is(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    assert ast.get_docstring(ast.parse(text)), "a one-line docstring says what the module is"


def test_there_is_no_import_cycle() -> None:
    modules = set(GRAPH)
    edges = {m: {d for d in deps if d in modules and d != m} for m, deps in GRAPH.items()}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        if module in done:
            return
        assert module not in visiting, " -> ".join([*visiting[visiting.index(module) :], module])
        visiting.append(module)
        for dependency in sorted(edges[module]):
            visit(dependency)
        visiting.pop()
        done.add(module)

    for module in sorted(modules):
        visit(module)


def test_wings_depend_only_on_wings_before_them() -> None:
    # Data-path order, with two deliberate exceptions: the plugin wing names the snapshot and
    # playbook types plugins use (model only), and the store and batch wings use evaluation.
    order = {wing: index for index, wing in enumerate(WINGS)}
    wrong = []
    for module, deps in GRAPH.items():
        parts = module.split(".")
        if parts[1] != "engine" or len(parts) < 4 or parts[2] not in order:
            continue
        for dependency in deps:
            target = dependency.split(".")
            if len(target) >= 3 and target[1] == "engine" and target[2] in order and order[target[2]] > order[parts[2]]:
                wrong.append(f"{module} imports {dependency}")
    assert wrong == []


def test_the_engine_imports_no_front_end() -> None:
    wrong = [
        f"{module} imports {dependency}"
        for module, deps in GRAPH.items()
        if module.startswith("kamengine.engine")
        for dependency in deps
        if dependency.split(".")[1] in FRONT_ENDS
    ]
    assert wrong == []


def test_no_engine_module_imports_click() -> None:
    importers = [p for p in (REPO / "engine").rglob("*.py") if "import click" in p.read_text(encoding="utf-8")]
    assert importers == []


def test_commands_hold_no_loop_over_accounts() -> None:
    # Reading a source and advising account by account is the engine's (engine/api.py).
    for path in (p for folder in FRONT_ENDS for p in (REPO / folder).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in (".records(", ".raw_records(", ".advise(snapshot", "apply_advice(", "store.apply("):
            assert needle not in text, f"{path.name} calls {needle}"


def test_every_package_folder_is_installed() -> None:
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    folders = {_module(p.parent) if p.name == "__init__.py" else "" for p in SOURCES} - {""}
    assert folders - {"kamengine.tests"} <= listed
