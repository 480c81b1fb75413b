"""``kamengine schema``: the JSON Schema of the account snapshot, generated from its model."""

from __future__ import annotations

import json

import click


@click.command()
def schema() -> None:
    """Print the JSON Schema of an account snapshot (docs/snapshot.md explains every field).

    Editors and CRM integrations can validate snapshots with it before kamengine sees them.
    """
    from kamengine.engine.model.snapshot import Snapshot

    click.echo(json.dumps(Snapshot.model_json_schema(), indent=2, ensure_ascii=False))
