"""``kamengine recs``: the stored recommendations and people's decisions on them."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import click
from kamengine.engine.store.statuses import LIVE, Status

from .options import db_option, output_options
from .runtime import open_store, say

if TYPE_CHECKING:
    from .output import Output

_BY = click.option("--by", default=None, help="Who decided (default: $USER).")


#: What ``recs list --format json`` adds to the recommendation's own JSON document.
_LIFECYCLE = ("status", "status_by", "status_at", "status_reason", "snoozed_until", "first_run", "last_run", "as_of")


@click.group()
def recs() -> None:
    """List and show stored recommendations; accept, complete, dismiss, snooze or reopen them."""


@recs.command("list")
@db_option
@click.option("--account", help="Only this account.")
@click.option("--owner", help="Only what this team member should do (their id, e.g. u-ar).")
@click.option(
    "--status", "statuses", multiple=True, type=click.Choice([s.value for s in Status]),
    help="Only these statuses (repeatable; default: open, accepted, snoozed).",
)  # fmt: skip
@click.option(
    "-L", "--limit", type=click.IntRange(min=0), default=30, show_default=True,
    help="At most this many (0: all).",
)  # fmt: skip
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Which page of --limit rows.")
@output_options()
def list_recs(
    db_path: str | None, account: str | None, owner: str | None, statuses: tuple[str, ...], limit: int, page: int,
    output: Output,
) -> None:  # fmt: skip
    """List recommendations in the store: soonest due first, then most urgent."""
    from kamengine.engine.store.records import list_page

    found = list_page(open_store(db_path), account, statuses or LIVE, owner, limit, page)
    if not found.rows and found.total:
        click.echo(f"No page {page}: {found.total} in all.")
    else:
        _print(output, found.rows)
    if found.more:
        last = found.first + len(found.rows) - 1
        click.echo(
            f"Showing {found.first}-{last} of {found.total}; the next with --page {page + 1}, all with --limit 0.",
            err=True,
        )


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


@recs.command()
@click.argument("rec_id")
@db_option
@output_options()
def show(rec_id: str, db_path: str | None, output: Output) -> None:
    """Print one recommendation (its id or a unique start of it) with every field and its history."""
    from kamengine.engine.store.records import show as show_record

    item = show_record(open_store(db_path), rec_id)
    history = item.pop("history")
    document = {**_document(item), "history": history}
    if output.format in ("table", "markdown"):  # for people: the fields, then what happened to it
        fields = [{"field": key, "value": "" if value is None else value} for key, value in item.items()]
        output.print(fields, ("field", "value"))
        click.echo("\nhistory:" if output.format == "table" else "\n**history**\n")
        output.print(history, ("at", "status", "by", "reason"), empty="(none)")
    else:
        output.print([item], list(item), documents=document if output.format == "json" else [document])


def _document(row: dict[str, Any]) -> dict[str, Any]:
    """The recommendation's JSON document, as ``advise --format json`` gives it, with its lifecycle."""
    from kamengine.engine.model.recommendation import Recommendation

    return {**Recommendation.from_row(row).to_dict(), **{key: row[key] for key in _LIFECYCLE}}


_VERBS = {Status.ACCEPTED: "accept", Status.DONE: "done", Status.DISMISSED: "dismiss", Status.OPEN: "reopen"}


def _decide(status: Status, summary: str) -> click.Command:
    needed = " (required)" if status == Status.DISMISSED else " (optional)"

    @click.command(name=_VERBS[status], help=summary)
    @click.argument("rec_ids", nargs=-1, required=True, metavar="ID...")
    @click.option("--reason", default="", help=f"Why; kept in the history{needed}.")
    @_BY
    @db_option
    def command(rec_ids: tuple[str, ...], reason: str, by: str | None, db_path: str | None) -> None:
        _report(open_store(db_path), rec_ids, status, _who(by), reason)

    return command


def _report(store: Any, rec_ids: tuple[str, ...], status: Status, by: str, reason: str, until: Any = None) -> None:
    """Make one decision on each id, say what became of each, and exit 1 if any failed."""
    from kamengine.engine.store.records import decide

    decisions = decide(store, rec_ids, status, by, reason, until)
    for decision in decisions:
        if decision.row is None:
            say(str(decision.error))
            continue
        row = decision.row
        state = f"snoozed until {row['snoozed_until']}" if row["status"] == Status.SNOOZED else row["status"]
        click.echo(f"{row['id']}: {state} ({row['title']})")
    if any(d.row is None for d in decisions):
        raise click.exceptions.Exit(1)


def _who(by: str | None) -> str:
    import getpass

    return by or getpass.getuser()


recs.add_command(_decide(Status.ACCEPTED, "Accept recommendations: someone will do them."))
recs.add_command(_decide(Status.DONE, "Mark recommendations done; each stays closed for its action's cooldown."))
recs.add_command(_decide(Status.DISMISSED, "Dismiss recommendations; each stays closed for its action's cooldown."))
recs.add_command(_decide(Status.OPEN, "Reopen recommendations done or dismissed by mistake, or expired."))


@recs.command()
@click.argument("rec_ids", nargs=-1, required=True, metavar="ID...")
@click.option("--until", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Wake it on this date.")
@click.option("--reason", default="", help="Why; kept in the history (optional).")
@_BY
@db_option
def snooze(rec_ids: tuple[str, ...], until: dt.datetime, reason: str, by: str | None, db_path: str | None) -> None:
    """Snooze recommendations until a date (today to a year ahead); the first run on or after it wakes them."""
    _report(open_store(db_path), rec_ids, Status.SNOOZED, _who(by), reason, until.date())


@recs.command()
@db_option
@click.option("--account", help="Only this account.")
def activities(db_path: str | None, account: str | None) -> None:
    """Print done recommendations as snapshot activities (JSON), to feed into tomorrow's snapshot."""
    click.echo(json.dumps(open_store(db_path).done_activities(account), indent=2, ensure_ascii=False))
