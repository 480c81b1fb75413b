"""The playbook cache in $KAMENGINE_HOME: a hit equals a fresh load; a change, a damaged or foreign entry rebuilds."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.model.actions import ActionCatalogue, ActionType
from kamengine.engine.playbooks import cache, validate
from kamengine.engine.playbooks.loader import load_playbooks
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from support import REPO

PLAYBOOKS = sorted(str(p) for p in (REPO / "rules").glob("*.yaml"))
REGISTRY = Registry(get_plugin_manager(load_entry_points=False))  # the built-in plugins' action types and fields


def load(files: list[str], actions: ActionCatalogue | None = None, overrides: dict[str, Any] | None = None) -> Any:
    """The built-in plugins' load of ``files`` (their enrichers' fields), through the cache."""
    return load_playbooks(files, actions or REGISTRY.actions, overrides, REGISTRY.kinds)


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files validated afresh (not read from the cache), in order."""
    seen: list[str] = []
    real = validate.load_playbook

    def counting(path: str, *args: Any) -> Any:
        seen.append(path)
        return real(path, *args)

    monkeypatch.setattr(validate, "load_playbook", counting)
    return seen


def entries() -> list[Path]:
    where = cache.folder()
    assert where is not None
    return sorted(where.glob("*.pickle")) if where.exists() else []


def test_a_hit_gives_the_playbooks_a_fresh_load_gives(validations: list[str]) -> None:
    fresh = load(PLAYBOOKS)
    assert validations == PLAYBOOKS and len(entries()) == 1
    validations.clear()
    again = load(PLAYBOOKS)
    assert validations == []  # nothing validated: read back from the cache
    assert again == fresh and again is not fresh
    assert [p.rules for p in again] == [p.rules for p in fresh]
    assert [p.source for p in again] == PLAYBOOKS


def test_a_changed_file_is_validated_again(tmp_path: Path, validations: list[str]) -> None:
    copy = tmp_path / "playbook.yaml"
    shutil.copy(REPO / "rules" / "account_method.yaml", copy)
    before = load([str(copy)])
    copy.write_text(copy.read_text(encoding="utf-8").replace("\nversion: 2\n", "\nversion: 3\n", 1))
    validations.clear()
    after = load([str(copy)])
    assert validations == [str(copy)]
    assert (before[0].version, after[0].version) == (2, 3)
    assert len(entries()) == 2


def test_other_settings_are_another_entry(validations: list[str]) -> None:
    load(PLAYBOOKS)
    more = ActionCatalogue(
        [
            *map(REGISTRY.actions.__getitem__, REGISTRY.actions.ids()),
            ActionType("plugin_call", "A plugin's call", 30, "AR"),
        ]
    )
    validations.clear()
    load(PLAYBOOKS, more)  # a plugin's action type: what validation accepts changed
    assert validations == PLAYBOOKS
    validations.clear()
    name, parameter = next((n, p) for pb in load(PLAYBOOKS) for n, p in pb.parameters.items())
    assert validations == []
    overridden = load(PLAYBOOKS, None, {name: parameter.default})
    assert validations == PLAYBOOKS  # other parameters: validated again
    assert len(entries()) == 3 and overridden


def test_a_damaged_entry_is_ignored_and_rebuilt(validations: list[str]) -> None:
    fresh = load(PLAYBOOKS)
    (entry,) = entries()
    entry.write_bytes(entry.read_bytes()[:100])  # cut short
    validations.clear()
    assert load(PLAYBOOKS) == fresh
    assert validations == PLAYBOOKS
    entry.write_bytes(b"not a pickle at all")
    assert load(PLAYBOOKS) == fresh
    validations.clear()
    assert load(PLAYBOOKS) == fresh and validations == []  # the rebuilt entry is read


def test_an_entry_of_another_shape_is_not_used(validations: list[str]) -> None:
    fresh = load(PLAYBOOKS)
    (entry,) = entries()
    cache.write(entry.stem, [])  # the right name, the right format, but not what loading gives: still a list
    digest = entry.stem
    for wrong in ((cache.FORMAT + 1, digest, fresh), (cache.FORMAT, "other", fresh), (cache.FORMAT, digest, ["x"])):
        entry.write_bytes(pickle.dumps(wrong))
        validations.clear()
        assert load(PLAYBOOKS) == fresh
        assert validations == PLAYBOOKS


def test_another_users_entry_is_not_read(monkeypatch: pytest.MonkeyPatch, validations: list[str]) -> None:
    fresh = load(PLAYBOOKS)
    (entry,) = entries()
    monkeypatch.setattr(cache.os, "getuid", lambda: os.stat(entry).st_uid + 1)  # the file is now someone else's
    validations.clear()
    assert load(PLAYBOOKS) == fresh
    assert validations == PLAYBOOKS


def test_an_entry_others_may_write_is_not_read(validations: list[str]) -> None:
    fresh = load(PLAYBOOKS)
    (entry,) = entries()
    assert entry.stat().st_mode & 0o777 == 0o600
    for mode in (0o620, 0o602):
        entry.chmod(mode)
        validations.clear()
        assert load(PLAYBOOKS) == fresh
        assert validations == PLAYBOOKS  # and the entry was written anew, this user's only (0600)
        assert entry.stat().st_mode & 0o777 == 0o600
    link = entry.with_name("link.pickle")
    entry.chmod(0o600)
    os.symlink(entry, link)
    assert cache.read(link.stem) is None  # a symlink is not followed


def test_no_cache_neither_reads_nor_writes(monkeypatch: pytest.MonkeyPatch, validations: list[str]) -> None:
    monkeypatch.setenv("KAMENGINE_NO_CACHE", "1")
    load(PLAYBOOKS)
    assert entries() == []
    monkeypatch.setenv("KAMENGINE_NO_CACHE", "0")
    load(PLAYBOOKS)
    assert len(entries()) == 1
    monkeypatch.setenv("KAMENGINE_NO_CACHE", "1")
    validations.clear()
    load(PLAYBOOKS)
    assert validations == PLAYBOOKS


def test_a_home_that_cannot_be_written_keeps_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, validations: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("KAMENGINE_HOME", str(blocker / "home"))  # under a file: no folder can be made there
    first = load(PLAYBOOKS)
    validations.clear()
    assert load(PLAYBOOKS) == first
    assert validations == PLAYBOOKS
    assert not list(tmp_path.glob("**/*.pickle"))


def test_the_command_line_says_the_same_with_and_without_the_cache(example_path: str) -> None:
    runner = CliRunner()
    command = ["advise", example_path, "--json", "--as-of", "2026-11-20"]
    uncached = runner.invoke(main, [*command, "--no-cache"])
    assert uncached.exit_code == 0, uncached.output
    assert entries() == [] and "KAMENGINE_NO_CACHE" not in os.environ  # --no-cache lasts one command
    filled = runner.invoke(main, command)
    assert len(entries()) == 1
    hit = runner.invoke(main, command)
    assert uncached.stdout == filled.stdout == hit.stdout


UNUSED = """
import sys
from kamengine.cli import main
try:
    main(["advise", {example!r}, "--engine", "reference"], prog_name="kamengine")
except SystemExit as exit:
    assert not exit.code, exit.code
unused = ("jinja2", "fastapi", "sqlite_utils", "kamengine.engine.playbooks.validate", "kamengine.engine.store.store",
          "kamengine.engine.playbooks.file_shape", "kamengine.engine.evaluate.compiled")
print("loaded:", *sorted(name for name in unused if name in sys.modules))
"""


def loaded(stdout: str) -> set[str]:
    """The modules the check found loaded (its last line)."""
    last = stdout.splitlines()[-1].split()
    assert last[0] == "loaded:", stdout
    return set(last[1:])


def test_a_cold_advise_from_the_cache_imports_what_it_uses(tmp_path: Path) -> None:
    """A snapshot advised with the playbooks in the cache: no playbook validation, no other evaluator, no store,
    no web framework (the built-in plugins' own imports aside: jinja2). YAML and tomllib load all the same, with
    engine/model/documents.py and the built-in plugins."""
    check = [sys.executable, "-c", UNUSED.format(example=str(REPO / "examples" / "acme-telecom.yaml"))]
    first = subprocess.run(check, capture_output=True, text=True, env=os.environ, cwd=tmp_path)  # fills the cache
    assert first.returncode == 0, first.stderr
    assert "kamengine.engine.playbooks.validate" in loaded(first.stdout)
    again = subprocess.run(check, capture_output=True, text=True, env=os.environ, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert loaded(again.stdout) <= {"jinja2"}  # the webhook plugin's templates, imported with the plugin
