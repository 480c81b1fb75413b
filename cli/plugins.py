"""``kamengine plugins``: the plugins loaded, where they come from, and what they provide."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from .options import output_options
from .runtime import load_registry

if TYPE_CHECKING:
    from .output import Output


@click.command()
@output_options()
def plugins(output: Output) -> None:
    """List the plugins loaded, built-in and installed, with their hooks and what they register."""
    registry = load_registry()
    documents = [
        {**asdict(info), "hooks": registry.hooks_of(name), "provides": registry.provides.get(name, [])}
        for name, info in registry.pm.infos.items()
    ]
    rows = [{**d, "from": "built-in" if d["builtin"] else f"{d['package']} {d['version']}"} for d in documents]
    notes = [[f"provides {_summary(doc['provides'])}"] if doc["provides"] else [] for doc in documents]
    output.print(
        rows, ("name", "package", "version", "builtin", "hooks", "provides"), documents=documents,
        shown=("name", "from", "hooks"), notes=notes, empty="No plugins loaded.",
    )  # fmt: skip


def _summary(provides: list[str]) -> str:
    by_kind: dict[str, list[str]] = {}
    for item in provides:
        kind, _, name = item.partition(" ")
        by_kind.setdefault(kind, []).append(name)
    parts = [
        f"{len(names)} {kind}s" if len(names) > 4 else f"{kind} {', '.join(names)}" for kind, names in by_kind.items()
    ]
    return "; ".join(parts)
