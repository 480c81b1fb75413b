"""The engine's old module paths keep working for one release, as the same modules, with a warning."""

from __future__ import annotations

import importlib
import sys

import pytest
from kamengine.engine import moved


@pytest.mark.parametrize(("old", "new"), sorted(moved.MOVED.items()))
def test_an_old_path_is_the_new_module_and_warns(old: str, new: str) -> None:
    sys.modules.pop(f"kamengine.engine.{old}", None)
    with pytest.warns(DeprecationWarning, match=f"kamengine.engine.{old} moved to kamengine.engine.{new}"):
        module = importlib.import_module(f"kamengine.engine.{old}")
    assert module is importlib.import_module(f"kamengine.engine.{new}")
    assert module.__spec__ is not None and module.__spec__.name == f"kamengine.engine.{new}"


def test_names_plugin_authors_held_are_the_same_objects() -> None:
    from kamengine.engine import plugin

    for old in ("hookspecs", "sources"):
        sys.modules.pop(f"kamengine.engine.{old}", None)
    with pytest.warns(DeprecationWarning):
        from kamengine.engine.hookspecs import hookimpl  # type: ignore[import-not-found]
        from kamengine.engine.sources import Source  # type: ignore[import-not-found]
    assert hookimpl is plugin.hookimpl and Source is plugin.Source


def test_unknown_old_names_are_still_unknown() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("kamengine.engine.no_such_module")
