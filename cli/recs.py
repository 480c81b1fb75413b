"""``kamengine recs``: the stored recommendations and people's decisions on them."""

from __future__ import annotations

import datetime as dt
import json

import click
from kamengine.engine.store import ACCEPTED, DISMISSED, DONE, SNOOZED, STATUSES, Store

from .runtime import format_option

_DB = click.option("--db", "db_path", metavar="PATH", help="The store (default: $KAMENGINE_HOME/kamengine.db).")
_BY = click.option("--by", default=None, help="Who decided (default: $USER).")


@click.group()
def recs() -> None:
    """List stored recommendations; accept, complete, dismiss or snooze them."""


@recs.command("list")
@_DB
@click.option("--account", help="Only this account.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only these statuses (repeatable; default: open, accepted, snoozed).",
)
@format_option(("table", "json"), "table")
def list_recs(db_path: str | None, account: str | None, statuses: tuple[str, ...], output_format: str) -> None:
    """List recommendations in the store, most urgent first per account."""
    store = Store(db_path)
    rows = store.find(account, statuses or (ACCEPTED, "open", SNOOZED))
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No recommendations.")
    for row in rows:
        status = f"{row['status']} until {row['snoozed_until']}" if row["status"] == SNOOZED else row["status"]
        click.echo(f"{row['id']}  {row['account_id']}  {status}  due {row['due']}  {row['owner_role']}  {row['title']}")


def _decide(status: str, summary: str) -> click.Command:
    @click.command(name={ACCEPTED: "accept", DONE: "done", DISMISSED: "dismiss"}[status], help=summary)
    @click.argument("rec_id")
    @click.option("--reason", required=True, help="Why; kept in the recommendation's history.")
    @_BY
    @_DB
    def command(rec_id: str, reason: str, by: str | None, db_path: str | None) -> None:
        row = Store(db_path).change(rec_id, status, _who(by), reason)
        click.echo(f"{row['id']}: {row['status']} ({row['title']})")

    return command


def _who(by: str | None) -> str:
    import getpass

    return by or getpass.getuser()


recs.add_command(_decide(ACCEPTED, "Accept a recommendation: someone will do it."))
recs.add_command(_decide(DONE, "Mark a recommendation done; it stays closed for its action's cooldown."))
recs.add_command(_decide(DISMISSED, "Dismiss a recommendation; it stays closed for its action's cooldown."))


@recs.command()
@click.argument("rec_id")
@click.option("--until", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Wake it on this date.")
@click.option("--reason", required=True, help="Why; kept in the recommendation's history.")
@_BY
@_DB
def snooze(rec_id: str, until: dt.datetime, reason: str, by: str | None, db_path: str | None) -> None:
    """Snooze a recommendation until a date; the first run on or after it wakes it."""
    row = Store(db_path).change(rec_id, SNOOZED, _who(by), reason, until=until.date())
    click.echo(f"{row['id']}: snoozed until {row['snoozed_until']} ({row['title']})")


@recs.command()
@_DB
@click.option("--account", help="Only this account.")
def activities(db_path: str | None, account: str | None) -> None:
    """Print done recommendations as snapshot activities (JSON), to feed into tomorrow's snapshot."""
    click.echo(json.dumps(Store(db_path).done_activities(account), indent=2, ensure_ascii=False))
