"""Modules that moved into the engine's wings: their old paths still import, for one release.

``import kamengine.engine.snapshot`` gives the very module ``kamengine.engine.model.snapshot``
(so classes are identical and ``isinstance`` holds) and warns once with a
``DeprecationWarning`` naming the new path. Plugin authors import from
``kamengine.engine.plugin``; everything else has a new home listed below. The old
``kamengine.engine.store`` and ``kamengine.engine.batch`` are now the packages of those
wings, which export what the old modules' users held.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

PACKAGE = "kamengine.engine"

#: old module name under ``kamengine.engine`` -> its new place under ``kamengine.engine``
MOVED = {
    "actions": "model.actions",
    "advice_rows": "model.rows",
    "config": "model.config",
    "documents": "model.documents",
    "fields": "model.fields",
    "i18n": "model.i18n",
    "loading": "model.loading",
    "recommendation": "model.recommendation",
    "snapshot": "model.snapshot",
    "conditions": "playbooks.conditions",
    "playbook": "playbooks.playbook",
    "templates": "playbooks.templates",
    "assembly": "advise.setup",
    "emitters": "plugin.emitters",
    "enrichers": "plugin.enrichers",
    "hookspecs": "plugin.hookspecs",
    "plugin_manager": "plugin.manager",
    "registry": "plugin.registry",
    "sources": "plugin.sources",
    "advisor": "advise.advisor",
    "durable_engine": "evaluate.durable",
    "explain": "evaluate.explain",
    "facts": "evaluate.facts",
    "firing": "evaluate.firing",
    "ranking": "evaluate.ranking",
    "reference": "evaluate.reference",
    "outbox": "store.outbox",
    "reports": "store.reports",
    "dask_executor": "batch.dask_cluster",
    "catalogue": "authoring.catalogue",
    "lint": "authoring.lint",
    "playbook_tests": "authoring.playbook_tests",
    "pytest_plugin": "authoring.pytest_plugin",
}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``kamengine.engine.<old>`` and loads it as the module at its new path."""

    def __init__(self) -> None:
        self._specs: dict[str, importlib.machinery.ModuleSpec | None] = {}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        prefix, _, name = fullname.rpartition(".")
        if prefix != PACKAGE or name not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = f"{PACKAGE}.{MOVED[spec.name.rpartition('.')[2]]}"
        warnings.warn(f"{spec.name} moved to {new}; the old path goes in the next release", DeprecationWarning, 3)
        module = importlib.import_module(new)
        self._specs[new] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The module ran under its new name already; the import system has just set its
        # __spec__ to the old name's, so give it back its own.
        module.__spec__ = self._specs[module.__name__]


def install() -> None:
    """Put the alias finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, _Alias) for finder in sys.meta_path):
        sys.meta_path.append(_Alias())
