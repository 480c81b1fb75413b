"""The manager's quick look at a module's globals finds exactly the hook implementations pluggy's own look finds."""

from __future__ import annotations

import importlib
import types

import pluggy
import pytest
from kamengine.engine.plugin._manager import BUILTIN_PLUGINS, ENTRY_POINT_GROUP, KamenginePluginManager
from kamengine.engine.plugin.hookspecs import hookimpl


def _module() -> types.ModuleType:
    """A module with every kind of global a plugin module holds: marked and unmarked functions, methods, classes,
    wrappers, a marked function under another name, and values of all sorts."""
    module = types.ModuleType("acme_plugin")

    @hookimpl
    def kamengine_register_sources() -> list[object]:
        return []

    @hookimpl(specname="kamengine_register_emitters")
    def emitters() -> list[object]:
        return []

    def helper() -> None:
        return None

    class Holder:
        @hookimpl
        def kamengine_register_actions(self) -> list[object]:
            return []

    marked_static = staticmethod(hookimpl(lambda: []))
    module.__dict__.update(
        kamengine_register_sources=kamengine_register_sources, emitters=emitters, helper=helper, Holder=Holder,
        bound=Holder().kamengine_register_actions, wrapped=marked_static, plain_static=staticmethod(helper),
        number=3, text="kamengine_impl", nothing=None, datetime=importlib.import_module("datetime"), builtin=len,
    )  # fmt: skip
    return module


@pytest.mark.parametrize("name", [*BUILTIN_PLUGINS, "acme"])
def test_a_modules_hook_implementations_are_pluggys(name: str) -> None:
    module = _module() if name == "acme" else importlib.import_module(name)
    ours, theirs = KamenginePluginManager(), pluggy.PluginManager(ENTRY_POINT_GROUP)
    found = {attribute: ours.parse_hookimpl_opts(module, attribute) for attribute in dir(module)}
    assert found == {attribute: theirs.parse_hookimpl_opts(module, attribute) for attribute in dir(module)}
    assert any(found.values())  # each has a hook implementation to find


def test_the_acme_module_has_the_marked_ones_only() -> None:
    module = _module()
    found = {name for name in dir(module) if KamenginePluginManager().parse_hookimpl_opts(module, name) is not None}
    assert found == {"kamengine_register_sources", "emitters", "bound", "wrapped"}
