"""``kamengine store``: looking after the store file — ``prune`` removes what ``[retention]`` no longer keeps."""

from __future__ import annotations

import click

from .options import db_option
from .runtime import current_config, load_registry, open_store


@click.group()
def store() -> None:
    """Look after the store: remove what the [retention] settings of kamengine.toml no longer keep."""


@store.command()
@db_option
@click.option("--dry-run", is_flag=True, help="Count what would go, per table; remove nothing.")
@click.option(
    "--vacuum",
    is_flag=True,
    help="Then rebuild the file without its free space (VACUUM): only while no serve or batch uses the store.",
)
def prune(db_path: str | None, dry_run: bool, vacuum: bool) -> None:
    """Remove closed advice, old snapshots, runs and decision-log entries past their [retention] days.

    Rows go a few hundred at a time, so a service on the same store waits milliseconds, not the whole
    prune. What the store still needs stays: advice inside its action's cooldown, each account's latest
    snapshot, the latest run of each source, runs live advice came from. A setting left out keeps
    everything of its kind (docs/settings.md)."""
    from kamengine.engine.api.runs import TABLES, prune_store, vacuum_store

    retention = current_config().retention
    opened = open_store(db_path, load_registry())  # the plugins' actions too: their cooldowns decide what stays
    try:
        pruned = prune_store(opened, retention, dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        width = max(len(table) for table in TABLES)
        for table in TABLES:
            click.echo(f"{table:<{width}}  {verb} {pruned.removed[table]:>9,}")
        if dry_run:
            return
        if vacuum:
            click.echo(f"vacuum: the file shrank by {vacuum_store(opened) / 1_048_576:,.1f} MB")
        elif pruned.auto_vacuum == "incremental":
            click.echo("the file gave its free pages back (auto_vacuum = incremental)")
        else:
            click.echo(
                f"the file holds {pruned.free_bytes / 1_048_576:,.1f} MB free, which new nights reuse; to give it back"
                " to the disk, stop serve and batch and run kamengine store prune --vacuum"
            )
    finally:
        opened.close()
