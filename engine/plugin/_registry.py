"""Everything the plugins registered, collected once per run, each plugin isolated from the rest."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, TypeVar

from ..errors import PluginError, SpecError, plain
from ..model.actions import ActionCatalogue, ActionType
from ..model.fields import KINDS, FieldSpec
from ..model.limits import Limits
from ._manager import KamenginePluginManager, get_plugin_manager
from .emitters import Emitter
from .enrichers import Enricher
from .sources import Source

K = TypeVar("K")


class Registry:
    """Sources, emitters, enrichers, action types and playbook paths from all plugins.

    A plugin whose hook raises is reported in ``warnings`` and skipped; two plugins that
    register the same name are a ``PluginError`` naming both.
    """

    def __init__(self, pm: KamenginePluginManager | None = None) -> None:
        self.pm = pm or get_plugin_manager()
        self.warnings: list[str] = list(self.pm.failures)
        #: plugin name -> what it registered, e.g. "source csv", "action kpi_rebalance".
        self.provides: dict[str, list[str]] = defaultdict(list)
        self.sources: dict[str, type[Source]] = self._named("kamengine_register_sources", Source, "source")
        self.emitters: dict[str, type[Emitter]] = self._named("kamengine_register_emitters", Emitter, "emitter")
        self.enrichers: dict[str, type[Enricher]] = self._named("kamengine_register_enrichers", Enricher, "enricher")
        self.actions = ActionCatalogue(self._action_types())
        #: (plugin name, path) of every registered playbook directory or file.
        self.playbook_sources: list[tuple[str, str]] = []
        for plugin, path in self._results("kamengine_register_playbooks"):
            self.playbook_sources.append((plugin, str(path)))
            self.provides[plugin].append(f"playbooks {path}")
        self.kinds = self._kinds()

    def source(self, spec: str, limits: Limits | None = None, column_map: str | None = None) -> Source:
        """The source a ``NAME:LOCATION`` spec names, e.g. ``csv:exports/``, reading within ``limits``
        and renaming columns as the ``column_map`` file says (for a source that ``TAKES_COLUMN_MAP``)."""
        name, location = split_spec(spec)
        if name not in self.sources:
            raise SpecError(f"unknown source '{name}'; installed: {', '.join(self.sources)}")
        cls = self.sources[name]
        if not location:
            raise SpecError(f"'{name}' needs a location: {name}:LOCATION ({cls.DESCRIPTION})")
        source = cls(location, self.actions)
        if limits is not None:
            source.limits = limits
        if column_map is not None and cls.TAKES_COLUMN_MAP:
            source.use_column_map(column_map)
        return source

    def emitter(self, spec: str) -> Emitter:
        """The emitter a ``NAME[:TARGET]`` spec names, e.g. ``ics:visits.ics`` or ``json``."""
        name, target = split_spec(spec)
        if name not in self.emitters:
            raise SpecError(f"unknown emitter '{name}'; installed: {', '.join(self.emitters)}")
        cls = self.emitters[name]
        if cls.TARGET_REQUIRED and not target:
            raise SpecError(f"'{name}' needs a target: {name}:TARGET ({cls.DESCRIPTION})")
        if cls.TARGET_REQUIRED and target == "-":  # it would be a file named "-", not standard output
            raise SpecError(f"'{name}' writes no standard output: {name}:TARGET ({cls.DESCRIPTION})")
        return cls(target)

    def enricher_instances(self, config: Any = None) -> list[Enricher]:
        """One instance of every registered enricher, for an ``Advisor``."""
        return [cls(config) for cls in self.enrichers.values()]

    def is_builtin(self, plugin_name: str) -> bool:
        """Whether a plugin ships with kamengine."""
        info = self.pm.infos.get(plugin_name)
        return bool(info and info.builtin)

    def hooks_of(self, plugin_name: str) -> list[str]:
        """Names of the hooks a plugin implements."""
        plugin = self.pm.get_plugin(plugin_name)
        return sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])

    def _results(self, hook_name: str) -> Iterator[tuple[str, Any]]:
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            try:
                result = impl.function()
            except Exception as exc:  # one plugin's crash must not take the run down
                self.warnings.append(f"plugin '{impl.plugin_name}' failed in {hook_name}: {plain(exc)}")
                continue
            if result is None:
                continue
            if not isinstance(result, list | tuple):
                self.warnings.append(
                    f"plugin '{impl.plugin_name}': {hook_name} must return a list, got {type(result).__name__}"
                )
                continue
            for item in result:
                yield impl.plugin_name, item

    def _named(self, hook_name: str, base: type[K], kind: str) -> dict[str, type[K]]:
        found: dict[str, tuple[str, type[K]]] = {}
        for plugin, cls in self._results(hook_name):
            if not (isinstance(cls, type) and issubclass(cls, base)) or not getattr(cls, "PLUGIN_NAME", ""):
                expected = f"a {base.__name__} subclass with a PLUGIN_NAME"
                self.warnings.append(f"plugin '{plugin}': {hook_name} returned {cls!r}, not {expected}")
                continue
            name = cls.PLUGIN_NAME  # type: ignore[attr-defined]
            if name in found:
                other_plugin, other = found[name]
                raise PluginError(
                    f"{kind} name '{name}' is registered twice: by {_qualname(other)} (plugin '{other_plugin}') "
                    f"and by {_qualname(cls)} (plugin '{plugin}')"
                )
            found[name] = (plugin, cls)
            self.provides[plugin].append(f"{kind} {name}")
        return {name: cls for name, (_, cls) in sorted(found.items())}

    def _action_types(self) -> list[ActionType]:
        found: dict[str, tuple[str, ActionType]] = {}
        for plugin, action_type in self._results("kamengine_register_actions"):
            if not isinstance(action_type, ActionType):
                self.warnings.append(
                    f"plugin '{plugin}': kamengine_register_actions returned {action_type!r}, not an ActionType"
                )
                continue
            if action_type.id in found:
                first = found[action_type.id][0]
                raise PluginError(
                    f"action id '{action_type.id}' is registered twice: by plugin '{first}' and by plugin '{plugin}'"
                )
            found[action_type.id] = (plugin, action_type)
            self.provides[plugin].append(f"action {action_type.id}")
        return [action_type for _, action_type in found.values()]

    def _kinds(self) -> dict[str, dict[str, FieldSpec]]:
        kinds = {kind: dict(fields) for kind, fields in KINDS.items()}
        owners: dict[tuple[str, str], str] = {}
        for name, enricher in self.enrichers.items():
            for kind, specs in enricher.FIELDS.items():
                targets = {
                    "contact": ("contact", "member"),
                    "opportunity": ("opportunity", "deal"),
                    "account": ("account",),
                }.get(kind)
                if targets is None:
                    raise PluginError(
                        f"enricher '{name}' adds fields to '{kind}'; expected contact, opportunity or account"
                    )
                for spec in specs:
                    if spec.name in kinds[kind]:
                        owner = owners.get((kind, spec.name), "kamengine")
                        raise PluginError(
                            f"enricher '{name}' adds {kind} field '{spec.name}', which {owner} already defines"
                        )
                    owners[(kind, spec.name)] = f"enricher '{name}'"
                    for target in targets:
                        kinds[target][spec.name] = spec
        return kinds


def split_spec(spec: str) -> tuple[str, str | None]:
    """``NAME[:TARGET]`` into its parts (``None`` without a colon)."""
    name, sep, target = spec.partition(":")
    return name, (target if sep else None)


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"
