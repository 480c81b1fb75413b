"""``kamengine config``: the effective settings of this directory, and where each came from."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import click

from .options import output_options
from .runtime import current_config, load_registry

if TYPE_CHECKING:
    from .output import Output


@click.group()
def config() -> None:
    """Inspect kamengine.toml settings."""


@config.command()
@output_options()
def show(output: Output) -> None:
    """Print the effective settings — language, evaluator, gift caps, parameters, switched-off playbooks
    and rules, a crisis, limits, the plan, retention, festivals — each with where it came from (default,
    a playbook, or kamengine.toml)."""
    from kamengine.engine.api.playbooks import parameter_playbooks

    settings = current_config()
    origins = settings.origins
    rows: list[dict[str, Any]] = []
    shown: list[dict[str, Any]] = []  # as people read them

    def setting(key: str, value: Any, origin: str, text: Any = None) -> None:
        rows.append({"key": key, "value": value, "origin": origin})
        shown.append({**rows[-1], "value": value if text is None else text})

    setting("lang", settings.lang, origins["lang"])
    setting("engine", settings.engine, origins["engine"])
    setting("compliance.gift_cap", settings.gift_cap, origins["gift_cap"])
    for currency, cap in sorted(settings.gift_caps.items()):
        setting(f"compliance.gift_caps.{currency}", cap, origins[f"gift_caps.{currency}"])
    for playbook in parameter_playbooks(load_registry(), settings):
        for name in playbook.parameters:
            origin = origins.get(f"parameters.{name}", f"default in {playbook.source}")
            setting(f"parameters.{name}", playbook.values[name], origin)
    for section, ids in (("playbooks", settings.disabled_playbooks), ("rules", settings.disabled_rules)):
        if ids:
            setting(f"{section}.disabled", sorted(ids), origins[f"{section}.disabled"])
    if settings.playbook_paths:  # the team's own playbooks, which every command loads unless --rules
        setting("playbooks.paths", list(settings.playbook_paths), origins["playbooks.paths"])
    setting("crisis", settings.crisis, origins["crisis"])
    for section in ("limits", "plan", "retention"):  # every field, the nested urgency weights and per-id tables too
        for key, value in _flattened(section, getattr(settings, section)):
            shown_as = ", ".join(value) if isinstance(value, tuple) else None  # closed days, quiet stages
            setting(key, list(value) if isinstance(value, tuple) else value, origins[section], shown_as)
    for festival in sorted(settings.festivals, key=lambda f: f.date):
        where = {"name": festival.name, "regions": list(festival.regions)}
        text = f"{festival.name} ({', '.join(festival.regions) or 'everywhere'})"
        setting(f"festivals.{festival.date.isoformat()}", where, origins["festivals"], text)
    output.print(rows, ("key", "value", "origin"), display=shown)
    if output.format == "table":  # what no key says: the calendars the holidays library keeps
        click.echo(f"festivals: each region's holidays calendar, and {len(settings.festivals)} added")


def _flattened(prefix: str, settings: Any) -> Iterator[tuple[str, Any]]:
    """Every field of a settings dataclass as ``prefix.field``; a nested one and a table per id (capacity per
    member, lead days per action, urgency per tier) one row per entry, so each says what it holds."""
    for field in dataclasses.fields(settings):
        value, key = getattr(settings, field.name), f"{prefix}.{field.name}"
        if dataclasses.is_dataclass(value):
            yield from _flattened(key, value)
        elif isinstance(value, Mapping):
            yield from ((f"{key}.{name}", entry) for name, entry in sorted(value.items()))
        else:
            yield key, value
