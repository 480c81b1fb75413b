"""``kamengine recs``: the stored recommendations and people's decisions on them."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import click
from kamengine.engine.model.statuses import VERBS, Status

from .options import db_option, output_options
from .runtime import open_store, say

if TYPE_CHECKING:
    from kamengine.engine.api.stores import Store

    from .output import Output

_BY = click.option("--by", default=None, help="Who decided (default: $USER).")


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
    from kamengine.engine.api import Engine

    found = Engine.recommendations(
        open_store(db_path), account=account, statuses=statuses, owner=owner, limit=limit, page=page
    )
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
    from kamengine.engine.api.documents import LIFECYCLE, lifecycle, stored_document
    from kamengine.engine.model.recommendation import Recommendation
    from kamengine.plugins.text_emitters import CSV_COLUMNS, flat_row

    flat = [{**flat_row(Recommendation.from_row(row)), **lifecycle(row)} for row in rows]
    for row in flat:
        snoozed = row["status"] == Status.SNOOZED
        row["shown_status"] = f"{row['status']} until {row['snoozed_until']}" if snoozed else row["status"]
    documents = [stored_document(row) for row in rows]
    output.print(
        flat, (*CSV_COLUMNS, *LIFECYCLE), documents=documents, empty="No recommendations.",
        shown=("id", "account_id", "shown_status", "due", "owner", "title"), headers={"shown_status": "status"},
    )  # fmt: skip


@recs.command()
@click.argument("rec_id")
@db_option
@output_options()
def show(rec_id: str, db_path: str | None, output: Output) -> None:
    """Print one recommendation (its id or a unique start of it) with every field and its history."""
    from kamengine.engine.api import Engine
    from kamengine.engine.api.documents import shown_document

    item = Engine.recommendation(open_store(db_path), rec_id)
    history = item.pop("history")
    document = shown_document(item, history)
    if output.format in ("table", "markdown"):  # for people: the fields, then what happened to it
        fields = [{"field": key, "value": "" if value is None else value} for key, value in item.items()]
        output.print(fields, ("field", "value"))
        click.echo("\nhistory:" if output.format == "table" else "\n**history**\n")
        output.print(history, ("at", "status", "by", "reason"), empty="(none)")
    else:
        output.print([item], list(item), documents=document if output.format == "json" else [document])


def _decide(verb: str, summary: str) -> click.Command:
    """``recs VERB ID...``: one decision (``VERBS``) on each id, with an optional reason (a dismissal's is needed)."""
    needed = " (required)" if VERBS[verb] == Status.DISMISSED else " (optional)"

    @click.command(name=verb, help=summary)
    @click.argument("rec_ids", nargs=-1, required=True, metavar="ID...")
    @click.option("--reason", default="", help=f"Why; kept in the history{needed}.")
    @_BY
    @db_option
    def command(rec_ids: tuple[str, ...], reason: str, by: str | None, db_path: str | None) -> None:
        _report(open_store(db_path), rec_ids, verb, _who(by), reason)

    return command


def _report(
    store: Store, rec_ids: tuple[str, ...], verb: str, by: str, reason: str, until: dt.date | None = None
) -> None:
    """Make one decision on each id, say what became of each, and exit 1 if any failed."""
    from kamengine.engine.api import Engine

    decisions = Engine.decide_each(store, rec_ids, verb, by=by, reason=reason, until=until)
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


recs.add_command(_decide("accept", "Accept recommendations: someone will do them."))
recs.add_command(_decide("done", "Mark recommendations done; each stays closed for its action's cooldown."))
recs.add_command(_decide("dismiss", "Dismiss recommendations; each stays closed for its action's cooldown."))
recs.add_command(_decide("reopen", "Reopen recommendations done or dismissed by mistake, or expired."))


@recs.command()
@click.argument("rec_ids", nargs=-1, required=True, metavar="ID...")
@click.option("--until", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Wake it on this date.")
@click.option("--reason", default="", help="Why; kept in the history (optional).")
@_BY
@db_option
def snooze(rec_ids: tuple[str, ...], until: dt.datetime, reason: str, by: str | None, db_path: str | None) -> None:
    """Snooze recommendations until a date (today to a year ahead); the first run on or after it wakes them."""
    _report(open_store(db_path), rec_ids, "snooze", _who(by), reason, until.date())


@recs.command()
@db_option
@click.option("--account", help="Only this account.")
def activities(db_path: str | None, account: str | None) -> None:
    """Print done recommendations as snapshot activities (JSON), to feed into tomorrow's snapshot."""
    from kamengine.engine.api import Engine

    activities = Engine.done_activities(open_store(db_path), account)
    click.echo(json.dumps(activities, indent=2, ensure_ascii=False))
