"""Before a run on a Dask cluster: every worker has kamengine and the plugins the run's job is made of.

A job carries its playbooks and settings as data, but the classes in it (the source, the
enrichers, whatever a plugin put into the playbooks) travel by name: a worker unpickles them by
importing their modules. A worker without a team's plugin package would fail every partition
with an import error deep in Dask's logs; asking each worker first stops the run at once, naming
the worker and the plugin.
"""

from __future__ import annotations

import importlib
import io
import pickle
from importlib import metadata
from typing import Any

from ..errors import KamengineError, plain
from ..plugin._manager import ENTRY_POINT_GROUP
from ..plugin._registry import Registry
from .executor import Job, PluginNeed

_OWN = "kamengine"


def job_modules(job: Job) -> list[str]:
    """Every module a worker imports to unpickle ``job``: those of the classes and functions it carries."""
    found: set[str] = set()

    class Seeing(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            module = getattr(obj, "__module__", None) if isinstance(obj, type) or callable(obj) else None
            if isinstance(module, str):
                found.add(module)
            return NotImplemented  # pickled as usual; only looked at

    Seeing(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL).dump(job)
    return sorted(found)


def plugins_used(registry: Registry, job: Job) -> tuple[PluginNeed, ...]:
    """The installed (not built-in) plugins the job is made of: those whose playbooks it runs, or whose code
    (a source, an enricher) it carries."""
    packages = {module.partition(".")[0] for module in job_modules(job)}
    playbooks = [p.source for p in job.spec.playbooks] if job.spec is not None else []
    used = []
    for name, info in sorted(registry.pm.infos.items()):
        if info.builtin:
            continue
        plugin = registry.pm.get_plugin(name)
        home = str(getattr(plugin, "__name__", None) or type(plugin).__module__).partition(".")[0]
        paths = [path for owner, path in registry.playbook_sources if owner == name]
        if home in packages or any(source.startswith(path) for source in playbooks for path in paths):
            used.append(PluginNeed(name, info.package, info.version))
    return tuple(used)


def installed_here(modules: list[str]) -> dict[str, Any]:
    """Run on each Dask worker: its kamengine version, the plugins installed there (entry point -> version of the
    package), and which of ``modules`` it cannot import (module -> why)."""
    plugins = {
        point.name: point.dist.version if point.dist else "?"
        for point in metadata.entry_points(group=ENTRY_POINT_GROUP)
    }
    missing = {}
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as exc:  # any failure to import is the worker's lack
            missing[module] = plain(exc)
    return {"kamengine": _version(), "plugins": plugins, "missing": missing}


def check_workers(client: Any, job: Job) -> None:
    """Ask every worker of ``client``'s cluster what it has; a ``KamengineError`` naming the first worker that lacks
    kamengine's version, a plugin the run uses (``job.plugins``), or a module of the job."""
    modules = job_modules(job)
    try:
        found: dict[str, dict[str, Any]] = client.run(installed_here, modules)
    except Exception as exc:  # kamengine itself is not importable there (the function comes by name)
        raise KamengineError(
            f"a Dask worker cannot run kamengine ({plain(exc)}): install 'kamengine[dask]' on every worker"
        ) from None
    ours = _version()
    for worker, has in sorted(found.items()):
        problem = _lack(has, job.plugins, ours)
        if problem:
            raise KamengineError(f"Dask worker {worker} {problem}; install it on every worker (docs/batch.md)")


def _lack(has: dict[str, Any], used: tuple[PluginNeed, ...], ours: str) -> str | None:
    """What a worker lacks, in words (None: nothing)."""
    if has["kamengine"] != ours and "?" not in (ours, has["kamengine"]):
        return f"has kamengine {has['kamengine']}, this run {ours}: the advice could differ"
    for plugin in used:
        there = has["plugins"].get(plugin.name)
        if there is None:
            return f"lacks plugin '{plugin.name}' ({plugin.package} {plugin.version}), which this run uses"
        if there != plugin.version:
            return f"has plugin '{plugin.name}' {there}, this run uses {plugin.package} {plugin.version}"
    for module, why in sorted(has["missing"].items()):
        return f"cannot import {module}, which this run uses ({why})"
    return None


def _version() -> str:
    try:
        return metadata.version(_OWN)
    except metadata.PackageNotFoundError:  # run from a source tree: nothing to compare
        return "?"
