"""What an advisor is made of, loaded once from the plugins and the settings, and shipped to workers as is.

The CLI, the batch workers, a Dask cluster and the service all build their advisor from one
``AdvisorSpec``: the loaded playbooks and the effective configuration travel with it, so a
worker never looks for files or a ``kamengine.toml`` of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from ..errors import UsageError, did_you_mean
from ..model.actions import ActionCatalogue
from ..model.config import Config
from ..playbooks.loader import combined_caps, load_playbooks, playbook_files, switch_off
from ..playbooks.playbook import Playbook, Rule
from ..plugin._registry import Registry
from ..plugin.enrichers import Enricher
from .advisor import Advisor, EngineName, durable_available
from .options import RunOptions

NO_DURABLE = "durable_rules does not run on this Python; evaluating with the compiled evaluator instead"


@dataclass(frozen=True)
class AdvisorSpec:
    """Everything an ``Advisor`` is built from; it pickles, so workers receive it whole."""

    playbooks: tuple[Playbook, ...]
    actions: ActionCatalogue
    config: Config
    enrichers: tuple[type[Enricher], ...] = ()
    engine: EngineName = "durable"
    caps: Mapping[str, int] = field(default_factory=dict)
    lang: str | None = None  # None: the config's language
    notices: tuple[str, ...] = ()  # things a person should know about this run (one line each)
    as_of: dt.date | None = None  # evaluate every snapshot as of this date (``--as-of``); None: each its own
    switched_off: tuple[tuple[Rule, str], ...] = ()  # rules kamengine.toml switches off, and where (for explain)

    def advisor(self) -> Advisor:
        """A new advisor (its own compiled rulesets: one per process)."""
        return Advisor(
            self.playbooks,
            self.actions,
            gift_cap=self.config.gift_cap,
            engine=self.engine,
            enrichers=[cls(self.config) for cls in self.enrichers],
            caps=self.caps,
            lang=self.lang or self.config.lang,
            gift_caps=self.config.gift_caps,
            plan_settings=self.config.plan,
        )


def playbook_paths(registry: Registry, rule_paths: Iterable[str] = (), no_builtin: bool = False) -> list[str]:
    """Registered playbooks (less the built-in ones with ``no_builtin``) plus extra paths."""
    registered = [
        path for plugin, path in registry.playbook_sources if not (no_builtin and registry.is_builtin(plugin))
    ]
    return playbook_files([*registered, *rule_paths])


def loaded_playbooks(
    registry: Registry,
    config: Config,
    rule_paths: Iterable[str] = (),
    no_builtin: bool = False,
    params: Mapping[str, Any] | None = None,
) -> list[Playbook]:
    """Every playbook of a run, parameters from the config then ``params``, before kamengine.toml switches any off."""
    paths = playbook_paths(registry, rule_paths, no_builtin)
    if not paths:
        raise UsageError("no playbooks: drop --no-builtin or add --rules DIR")
    if params:  # a mistake in --param is the caller's, named as such (kamengine.toml's are the file's)
        _check_params(load_playbooks(paths, registry.actions, config.parameters, registry.kinds), params)
    return load_playbooks(paths, registry.actions, {**config.parameters, **(params or {})}, registry.kinds)


def _check_params(playbooks: Iterable[Playbook], params: Mapping[str, Any]) -> None:
    # validate.py (the playbook file's pydantic shapes) loads only when a file is validated, or here
    from ..playbooks.validate import kind_of, same_type

    defaults = {name: p.default for playbook in playbooks for name, p in playbook.parameters.items()}
    for name, value in params.items():
        if name not in defaults:
            raise UsageError(f"--param {name}: no loaded playbook declares it{did_you_mean(name, defaults)}")
        if not same_type(defaults[name], value):
            raise UsageError(
                f"--param {name}={value}: expected {kind_of(defaults[name])}, like its default {defaults[name]}"
            )


def switched_off(loaded: Iterable[Playbook], kept: Iterable[Playbook], config: Config) -> list[tuple[Rule, str]]:
    """The rules of ``loaded`` missing from ``kept``, each with the setting that switched it off and its file."""
    on = {rule.qualified_id for playbook in kept for rule in playbook.rules}
    found = []
    for playbook in loaded:
        for rule in playbook.rules:
            if rule.qualified_id in on:
                continue
            section = "playbooks" if playbook.id in config.disabled_playbooks else "rules"
            where = config.origins.get(f"{section}.disabled", "kamengine.toml")
            found.append((rule, f"switched off in {where} ({section}.disabled)"))
    return found


def prepare(registry: Registry, options: RunOptions | Config, *, engine: EngineName | None = None) -> AdvisorSpec:
    """Load the playbooks of a run and settle its settings: the spec every advisor of the run is built from.

    ``options`` may be bare settings (a ``Config``): a run with them, no other option and no
    ``[playbooks] paths``. The evaluator is ``engine`` if given, else the options', else the
    settings' ``engine`` (durable by default).
    """
    if isinstance(options, Config):
        options = RunOptions(rules=(), config=options)
    config = options.settings()
    loaded = loaded_playbooks(registry, config, options.playbook_paths(), options.no_builtin, options.params)
    playbooks = switch_off(loaded, config.disabled_playbooks, config.disabled_rules)
    notices: tuple[str, ...] = ()
    # config.engine was checked against the same three names when kamengine.toml was read
    engine = engine or options.engine or cast(EngineName, config.engine)
    if engine == "durable" and not durable_available():
        engine, notices = "compiled", (NO_DURABLE,)
    return AdvisorSpec(
        tuple(playbooks),
        registry.actions,
        config,
        tuple(registry.enrichers.values()),
        engine,
        combined_caps(playbooks, options.caps),
        options.lang,
        notices,
        options.as_of,
        switched_off=tuple(switched_off(loaded, playbooks, config)),
    )


def registered_advisor(registry: Registry | None = None, engine: EngineName = "durable") -> Advisor:
    """An advisor with every registered playbook, action type and enricher, and default settings."""
    return prepare(registry or Registry(), RunOptions(rules=(), engine=engine)).advisor()
