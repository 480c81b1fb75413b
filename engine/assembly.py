"""Put an advisor together from a registry and a config: what the CLI and batch workers share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .advisor import Advisor, EngineName, combined_caps, load_playbooks, playbook_files, switch_off
from .config import Config
from .errors import PlaybookError
from .playbook import Playbook
from .registry import Registry


def playbook_paths(registry: Registry, rule_paths: Iterable[str] = (), no_builtin: bool = False) -> list[str]:
    """Registered playbooks (less the built-in ones with ``no_builtin``) plus extra paths."""
    registered = [
        path for plugin, path in registry.playbook_sources if not (no_builtin and registry.is_builtin(plugin))
    ]
    return playbook_files([*registered, *rule_paths])


def configured_playbooks(
    registry: Registry,
    config: Config,
    rule_paths: Iterable[str] = (),
    no_builtin: bool = False,
    params: Mapping[str, Any] | None = None,
) -> list[Playbook]:
    """Every playbook of a run: parameters from the config then ``params``; switched-off ones dropped."""
    paths = playbook_paths(registry, rule_paths, no_builtin)
    if not paths:
        raise PlaybookError(["no playbooks: drop --no-builtin or add --rules DIR"])
    playbooks = load_playbooks(paths, registry.actions, {**config.parameters, **(params or {})}, registry.kinds)
    return switch_off(playbooks, config.disabled_playbooks, config.disabled_rules)


def configured_advisor(
    registry: Registry,
    config: Config,
    playbooks: list[Playbook],
    engine: EngineName = "durable",
    caps: Mapping[str, int | None] | None = None,
    lang: str | None = None,
) -> Advisor:
    """An advisor with the registry's actions and enrichers and the config's settings."""
    return Advisor(
        playbooks,
        registry.actions,
        gift_cap=config.gift_cap,
        engine=engine,
        enrichers=registry.enricher_instances(config),
        caps=combined_caps(playbooks, caps),
        lang=lang or config.lang,
        gift_caps=config.gift_caps,
    )


def registered_advisor(registry: Registry | None = None, engine: EngineName = "durable") -> Advisor:
    """An advisor with every registered playbook, action type and enricher, and default settings."""
    registry = registry or Registry()
    config = Config()
    return configured_advisor(registry, config, configured_playbooks(registry, config), engine)
