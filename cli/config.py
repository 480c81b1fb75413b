"""``kamengine config``: the effective settings of this directory, and where each came from."""

from __future__ import annotations

import click

from .runtime import current_config, load_registry


@click.group()
def config() -> None:
    """Inspect kamengine.toml settings."""


@config.command()
def show() -> None:
    """Print the effective settings — language, gift caps, parameters, switched-off playbooks
    and rules, a crisis, the plan, festivals — each with where it came from (default, a playbook,
    or kamengine.toml)."""
    from kamengine.engine.advise.setup import playbook_paths
    from kamengine.engine.playbooks.loader import load_playbooks

    settings = current_config()
    origins = settings.origins
    click.echo(f"lang = {settings.lang!r}  # {origins['lang']}")
    click.echo(f"compliance.gift_cap = {settings.gift_cap:g}  # {origins['gift_cap']}")
    for currency, cap in sorted(settings.gift_caps.items()):
        click.echo(f"compliance.gift_caps.{currency} = {cap:g}  # {origins[f'gift_caps.{currency}']}")
    registry = load_registry()
    playbooks = load_playbooks(
        playbook_paths(registry, [], False), registry.actions, settings.parameters, registry.kinds
    )
    for playbook in playbooks:
        for name in playbook.parameters:
            origin = origins.get(f"parameters.{name}", f"default in {playbook.source}")
            click.echo(f"parameters.{name} = {playbook.values[name]!r}  # {origin}")
    for section, ids in (("playbooks", settings.disabled_playbooks), ("rules", settings.disabled_rules)):
        if ids:
            click.echo(f"{section}.disabled = {sorted(ids)!r}  # {origins[f'{section}.disabled']}")
    click.echo(f"crisis = {settings.crisis!r}  # {origins['crisis']}")
    plan = settings.plan
    for name, value in vars(settings.limits).items():
        click.echo(f"limits.{name} = {value:g}  # {origins['limits']}")
    click.echo(f"plan.window_days = {plan.window_days}  # {origins['plan']}")
    click.echo(f"plan.weekly_capacity = {plan.weekly_capacity}  # {origins['plan']}")
    for member, capacity in sorted(plan.capacity.items()):
        click.echo(f"plan.capacity.{member} = {capacity}  # {origins['plan']}")
    added = len(settings.festivals)
    click.echo(f"festivals: each region's holidays calendar, and {added} added  # {origins['festivals']}")
    for festival in sorted(settings.festivals, key=lambda f: f.date):
        click.echo(f"  {festival.date.isoformat()}  {festival.name}  ({', '.join(festival.regions) or 'everywhere'})")
