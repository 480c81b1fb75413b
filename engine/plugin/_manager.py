"""Build the pluggy plugin manager: our hookspecs, the built-in plugins, then installed ones."""

from __future__ import annotations

import importlib
import os
import types
from dataclasses import dataclass
from importlib import metadata

import pluggy

from ..errors import plain
from . import hookspecs
from .installed import may_declare, own_version

ENTRY_POINT_GROUP = "kamengine"
_ABSENT = object()
#: Set to 1 to load only the built-in plugins (tests do; so can a cautious batch run).
DISABLE_ENV = "KAMENGINE_DISABLE_PLUGINS"

BUILTIN_PLUGINS = (
    "kamengine.plugins.builtin_actions",
    "kamengine.plugins.builtin_playbooks",
    "kamengine.plugins.file_source",
    "kamengine.plugins.jsonl_source",
    "kamengine.plugins.csv_source",
    "kamengine.plugins.xlsx_source",
    "kamengine.plugins.sqlite_source",
    "kamengine.plugins.text_emitters",
    "kamengine.plugins.sqlite_emitter",
    "kamengine.plugins.ics_emitter",
    "kamengine.plugins.webhook_emitter",
    "kamengine.plugins.email_emitter",
    "kamengine.plugins.festivals",
    "kamengine.plugins.crisis",
)


@dataclass
class PluginInfo:
    """Where a registered plugin came from, for ``kamengine plugins``."""

    name: str
    package: str
    version: str
    builtin: bool


class KamenginePluginManager(pluggy.PluginManager):
    """A pluggy manager that also remembers plugin origins and plugins that failed to load."""

    def __init__(self) -> None:
        super().__init__(ENTRY_POINT_GROUP)
        self.infos: dict[str, PluginInfo] = {}
        self.failures: list[str] = []

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        """pluggy's answer, without its static lookup (~8 us a name: ~3 ms for every name the built-in modules
        import) for a module's global that pluggy skips: one that is no function nor method, or a function that no
        ``@hookimpl`` marked (its marker lives in the function's own ``__dict__``)."""
        value = plugin.__dict__.get(name, _ABSENT) if isinstance(plugin, types.ModuleType) else _ABSENT
        if value is not _ABSENT:
            if not isinstance(value, types.FunctionType | types.MethodType | classmethod | staticmethod):
                return None
            if isinstance(value, types.FunctionType) and f"{self.project_name}_impl" not in value.__dict__:
                return None
        return super().parse_hookimpl_opts(plugin, name)


def get_plugin_manager(load_entry_points: bool | None = None) -> KamenginePluginManager:
    """A fresh plugin manager: specs, built-ins, and (unless disabled) installed plugins."""
    pm = KamenginePluginManager()
    pm.add_hookspecs(hookspecs)
    version = own_version() or "?"
    for module_name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(module_name), module_name)
        pm.infos[module_name] = PluginInfo(module_name, "kamengine", version, builtin=True)
    if load_entry_points is None:
        load_entry_points = os.environ.get(DISABLE_ENV, "") in ("", "0")
    if load_entry_points:
        _load_entry_points(pm)
    pm.check_pending()  # a misspelled hook name fails loudly
    return pm


def _load_entry_points(pm: KamenginePluginManager) -> None:
    if not may_declare(ENTRY_POINT_GROUP):  # no plugin installed: every distribution's metadata need not be parsed
        return
    for entry_point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        package = entry_point.dist.name if entry_point.dist else "?"
        try:
            plugin = entry_point.load()
            pm.register(plugin, entry_point.name)
        except Exception as exc:  # a broken plugin is reported, never fatal
            pm.failures.append(f"plugin '{entry_point.name}' from {package} failed to load: {plain(exc)}")
            continue
        version = entry_point.dist.version if entry_point.dist else "?"
        pm.infos[entry_point.name] = PluginInfo(entry_point.name, package, version, builtin=False)
