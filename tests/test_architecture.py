"""The shape of the code: wings in data-path order, small modules, no cycles, the CLI only parses and renders."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support import REPO

WINGS = ("model", "playbooks", "plugin", "delivery", "evaluate", "plan", "advise", "store", "batch", "authoring")
SOURCES = sorted(p for folder in ("engine", "cli", "plugins", "service", "main") for p in (REPO / folder).rglob("*.py"))
#: The front ends: they parse, call the engine and render (the service also answers HTTP).
FRONT_ENDS = ("cli", "service")


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[0] == "main":  # main/ is the kamengine package itself (the face, python -m kamengine)
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["kamengine", *parts])


def _imports(path: Path, *, nested: bool = False, typing: bool = False) -> set[str]:
    """The kamengine modules ``path`` imports: at its top level, or also inside functions (``nested``),
    and also under ``if TYPE_CHECKING:`` (``typing``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    nodes = ast.walk(tree) if nested else iter(tree.body)
    found: set[str] = set()
    for node in nodes:
        if id(node) in typing_only and not typing:
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test) and typing and not nested:
            found |= _names(node.body, package)
        found |= _names([node], package)
    return {name for name in found if name.startswith("kamengine")}


def _names(nodes: list[ast.stmt] | list[ast.AST], package: str) -> set[str]:
    found: set[str] = set()
    for node in nodes:
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
    return found


def _top_level_imports(path: Path) -> set[str]:
    """Modules imported when this one is (not inside functions, not under TYPE_CHECKING)."""
    return {name for name in _imports(path) if name.startswith("kamengine.")}


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


def _owner(name: str, modules: set[str]) -> str:
    """The module an imported name lives in (``kamengine.engine.api.Engine`` -> ``kamengine.engine.api``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name


def test_there_is_no_import_cycle() -> None:
    # Every import counts, inside functions and under TYPE_CHECKING too: a cycle hidden by a late import is
    # still two modules that cannot be understood one without the other.
    modules = set(GRAPH)
    every = {_module(p): _imports(p, nested=True, typing=True) for p in SOURCES}
    edges = {m: {_owner(d, modules) for d in deps} - {m, ""} for m, deps in every.items()}
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
        if len(parts) < 4 or parts[1] != "engine" or parts[2] not in order:
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
        if "." in dependency and dependency.split(".")[1] in FRONT_ENDS
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


#: What a front end may import from the engine: its API, its errors and the data shapes it renders; the
#: authoring tools are an API of their own (the ``rules`` commands). The face is ``kamengine`` itself.
FRONT_END_MAY_IMPORT = (
    "kamengine.engine.api", "kamengine.engine.errors", "kamengine.engine.model", "kamengine.engine.authoring",
)  # fmt: skip
SQL_WORDS = ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", ".execute(", '"runs"', '"recommendations"', '"snapshots"')
FRONT_END_SOURCES = [p for p in SOURCES if p.relative_to(REPO).parts[0] in FRONT_ENDS]


@pytest.mark.parametrize("path", FRONT_END_SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_front_ends_go_through_the_engines_api(path: Path) -> None:
    wrong = sorted(
        name
        for name in _imports(path, nested=True)
        if name.startswith("kamengine.engine.") and not name.startswith(FRONT_END_MAY_IMPORT)
    )
    assert wrong == []
    text = path.read_text(encoding="utf-8")
    assert [word for word in SQL_WORDS if word in text] == [], "SQL and table names belong to the store"


FACE = {_module(p) for p in (REPO / "main").glob("*.py")}


@pytest.mark.parametrize("path", sorted((REPO / "plugins").rglob("*.py")), ids=lambda p: p.name)
def test_builtin_plugins_use_only_the_face(path: Path) -> None:
    # Whoever copies a built-in plugin copies its imports: they must be the face a plugin author is promised.
    wrong = sorted(
        name
        for name in _imports(path, nested=True)
        if not name.startswith("kamengine.plugins") and name not in FACE and name.rpartition(".")[0] not in FACE
    )
    assert wrong == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_function_is_over_60_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (node.end_lineno or 0) - node.lineno >= 60
    ]
    assert long == []
