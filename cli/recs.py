"""``kamengine recs``: the stored recommendations and people's decisions on them."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import click
from kamengine.engine.store.statuses import LIVE, Status

from .options import db_option, output_options

if TYPE_CHECKING:
    from .output import Output

_BY = click.option("--by", default=None, help="Who decided (default: $USER).")


def Store(path: str | None) -> Any:
    from kamengine.engine.store.store import Store as Opened

    return Opened(path)


#: What ``recs list --format json`` adds to the recommendation's own JSON document.
_LIFECYCLE = ("status", "status_by", "status_at", "status_reason", "snoozed_until", "first_run", "last_run", "as_of")


@click.group()
def recs() -> None:
    """List stored recommendations; accept, complete, dismiss or snooze them."""


@recs.command("list")
@db_option
@click.option("--account", help="Only this account.")
@click.option("--owner", help="Only what this team member should do (their id, e.g. u-ar).")
@click.option(
    "--status", "statuses", multiple=True, type=click.Choice([s.value for s in Status]),
    help="Only these statuses (repeatable; default: open, accepted, snoozed).",
)  # fmt: skip
@output_options()
def list_recs(
    db_path: str | None, account: str | None, owner: str | None, statuses: tuple[str, ...], output: Output
) -> None:
    """List recommendations in the store, most urgent first per account."""
    rows = Store(db_path).find(account, statuses or LIVE, owner)
    _print(output, rows)


def _print(output: Output, rows: list[dict[str, Any]]) -> None:
    """Stored recommendations: JSON as ``advise`` gives it with the lifecycle, and its flat form for the rest."""
    from kamengine.engine.model.recommendation import Recommendation
    from kamengine.plugins.text_emitters import CSV_COLUMNS, flat_row

    flat = [{**flat_row(Recommendation.from_row(row)), **{key: row[key] for key in _LIFECYCLE}} for row in rows]
    for row in flat:
        snoozed = row["status"] == Status.SNOOZED
        row["shown_status"] = f"{row['status']} until {row['snoozed_until']}" if snoozed else row["status"]
    output.print(
        flat, (*CSV_COLUMNS, *_LIFECYCLE), documents=[_document(row) for row in rows], empty="No recommendations.",
        shown=("id", "account_id", "shown_status", "due", "owner", "title"), headers={"shown_status": "status"},
    )  # fmt: skip


def _document(row: dict[str, Any]) -> dict[str, Any]:
    """The recommendation's JSON document, as ``advise --format json`` gives it, with its lifecycle."""
    from kamengine.engine.model.recommendation import Recommendation

    return {**Recommendation.from_row(row).to_dict(), **{key: row[key] for key in _LIFECYCLE}}


_VERBS = {Status.ACCEPTED: "accept", Status.DONE: "done", Status.DISMISSED: "dismiss", Status.OPEN: "reopen"}


def _decide(status: Status, summary: str) -> click.Command:
    @click.command(name=_VERBS[status], help=summary)
    @click.argument("rec_id")
    @click.option("--reason", required=True, help="Why; kept in the recommendation's history.")
    @_BY
    @db_option
    def command(rec_id: str, reason: str, by: str | None, db_path: str | None) -> None:
        row = Store(db_path).change(rec_id, status, _who(by), reason)
        click.echo(f"{row['id']}: {row['status']} ({row['title']})")

    return command


def _who(by: str | None) -> str:
    import getpass

    return by or getpass.getuser()


recs.add_command(_decide(Status.ACCEPTED, "Accept a recommendation: someone will do it."))
recs.add_command(_decide(Status.DONE, "Mark a recommendation done; it stays closed for its action's cooldown."))
recs.add_command(_decide(Status.DISMISSED, "Dismiss a recommendation; it stays closed for its action's cooldown."))
recs.add_command(_decide(Status.OPEN, "Reopen a recommendation done or dismissed by mistake, or one that expired."))


@recs.command()
@click.argument("rec_id")
@click.option("--until", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Wake it on this date.")
@click.option("--reason", required=True, help="Why; kept in the recommendation's history.")
@_BY
@db_option
def snooze(rec_id: str, until: dt.datetime, reason: str, by: str | None, db_path: str | None) -> None:
    """Snooze a recommendation until a date; the first run on or after it wakes it."""
    row = Store(db_path).change(rec_id, Status.SNOOZED, _who(by), reason, until=until.date())
    click.echo(f"{row['id']}: snoozed until {row['snoozed_until']} ({row['title']})")


@recs.command()
@db_option
@click.option("--account", help="Only this account.")
def activities(db_path: str | None, account: str | None) -> None:
    """Print done recommendations as snapshot activities (JSON), to feed into tomorrow's snapshot."""
    click.echo(json.dumps(Store(db_path).done_activities(account), indent=2, ensure_ascii=False))
