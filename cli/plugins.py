"""``kamengine plugins``: the plugins loaded, where they come from, and what they provide."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from .options import format_option
from .runtime import load_registry


@click.command()
@format_option(("table", "json"), "table")
def plugins(output_format: str) -> None:
    """List the plugins loaded, built-in and installed, with their hooks and what they register."""
    registry = load_registry()
    if output_format == "json":
        rows = [
            {**asdict(info), "hooks": registry.hooks_of(name), "provides": registry.provides.get(name, [])}
            for name, info in registry.pm.infos.items()
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for name, info in registry.pm.infos.items():
        click.echo(f"{name}  ({'built-in' if info.builtin else f'{info.package} {info.version}'})")
        click.echo(f"    hooks: {', '.join(registry.hooks_of(name))}")
        if registry.provides.get(name):
            click.echo(f"    provides: {_summary(registry.provides[name])}")


def _summary(provides: list[str]) -> str:
    by_kind: dict[str, list[str]] = {}
    for item in provides:
        kind, _, name = item.partition(" ")
        by_kind.setdefault(kind, []).append(name)
    parts = [
        f"{len(names)} {kind}s" if len(names) > 4 else f"{kind} {', '.join(names)}" for kind, names in by_kind.items()
    ]
    return "; ".join(parts)
