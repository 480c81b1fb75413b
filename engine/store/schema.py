"""The store's schema: sqlite-utils migrations, applied when a store is opened."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("kamengine")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("runs").create(
        {"id": str, "started_at": str, "finished_at": str, "source": str, "status": str, "summary": str}, pk="id"
    )
    db.table("run_accounts").create(
        {"run_id": str, "account_id": str, "origin": str, "status": str, "error": str, "at": str},
        pk=("run_id", "account_id"),
    )
    db.table("recommendations").create(
        {
            "id": str, "account_id": str, "action": str, "subject_kind": str, "subject_id": str, "rule": str,
            "title": str, "rationale": str, "priority": float, "due": str, "owner_role": str, "evidence": str,
            "body": str, "status": str, "status_by": str, "status_at": str, "status_reason": str,
            "snoozed_until": str, "first_run": str, "last_run": str, "as_of": str,
        },
        pk="id",
    )  # fmt: skip
    db.table("recommendations").create_index(["account_id", "status"])
    db.table("status_history").create(
        {"id": int, "recommendation_id": str, "status": str, "by": str, "at": str, "reason": str, "run_id": str},
        pk="id",
    )
    db.table("status_history").create_index(["recommendation_id"])
    db.table("deliveries").create(
        {"id": int, "run_id": str, "emitter": str, "status": str, "attempts": int, "last_error": str,
         "payload": str, "created_at": str, "delivered_at": str},
        pk="id",
    )  # fmt: skip
    db.table("stance_history").create(
        {"account_id": str, "contact_id": str, "as_of": str, "stance": int},
        pk=("account_id", "contact_id", "as_of"),
    )


@migrations()
def m002_plan(db: sqlite_utils.Database) -> None:
    """Who acts, the approach a recommendation belongs to, the deal it serves, a compliance note."""
    for column in ("owner_id", "owner_name", "approach", "opportunity_id", "compliance", "account_name"):
        db.table("recommendations").add_column(column, str)
    db.table("recommendations").create_index(["owner_id", "status"])


@migrations()
def m003_delivered(db: sqlite_utils.Database) -> None:
    """What each emitter was last sent, so a nightly delivery sends only what changed (outbox.py)."""
    db.table("delivered").create(
        {"emitter": str, "recommendation_id": str, "version": str, "live": int, "sequence": int, "at": str},
        pk=("emitter", "recommendation_id"),
    )
    db.table("delivery_items").create(
        {"delivery_id": int, "recommendation_id": str, "event": str, "version": str, "sequence": int},
        pk=("delivery_id", "recommendation_id"),
    )


@migrations()
def m004_service(db: sqlite_utils.Database) -> None:
    """What ``kamengine serve`` keeps: snapshots sent to it, each account's team, the decision log, API tokens."""
    db.table("snapshots").create(
        {"id": int, "account_id": str, "account_name": str, "tier": str, "as_of": str, "received_at": str,
         "body": str, "decision_id": str},
        pk="id",
    )  # fmt: skip
    db.table("snapshots").create_index(["account_id", "id"])
    # The team of each account's last snapshot: who may see the account through the service.
    db.table("account_team").create({"account_id": str, "member_id": str, "role": str}, pk=("account_id", "member_id"))
    db.table("account_team").create_index(["member_id"])
    db.table("decisions").create(
        {"id": str, "at": str, "kind": str, "account_id": str, "revision": str, "principal": str,
         "input_sha256": str, "run_id": str, "recommendations": str},
        pk="id",
    )  # fmt: skip
    db.table("decisions").create_index(["account_id", "at"])
    db.table("tokens").create(
        {"id": str, "hash": str, "member": str, "scope": str, "created_at": str, "revoked_at": str}, pk="id"
    )


@migrations()
def m005_decisions_by_principal(db: sqlite_utils.Database) -> None:
    """A member's decision log has their own requests too (``GET /v1/decisions``): found by their token."""
    db.table("decisions").create_index(["principal"])


@migrations()
def m006_attendees(db: sqlite_utils.Database) -> None:
    """The colleagues an approach brings along besides its owner (JSON text), so the plan counts their time too."""
    db.table("recommendations").add_column("attendees", str)


@migrations()
def m007_run_revision(db: sqlite_utils.Database) -> None:
    """The playbooks' revision each run used (a batch, a refresh): a run with other playbooks than the last is told."""
    db.table("runs").add_column("revision", str)


@migrations()
def m008_stance_changes(db: sqlite_utils.Database) -> None:
    """Stance history keeps changes only, and each account's nights apart (stances.py): a store's existing rows
    that repeat the contact's previous stance go, so an aged store reads and weighs as a new one would."""
    db.table("stance_nights").create({"account_id": str, "as_of": str}, pk=("account_id", "as_of"))
    db.execute("insert into stance_nights (account_id, as_of) select distinct account_id, as_of from stance_history")
    db.execute(
        "delete from stance_history where rowid in (select rowid from (select rowid, stance, lag(stance) over"
        " (partition by account_id, contact_id order by as_of) as previous from stance_history)"
        " where stance is previous)"
    )


@migrations()
def m009_portfolio_summary(db: sqlite_utils.Database) -> None:
    """Each account's summary the store keeps by triggers (summaries.py), and the indexes the pages' reads use: the
    portfolio page, a recommendations page and a person's advice read a page, not the store."""
    from .summaries import create_summary  # the summary's own module: its triggers and reads in one place

    create_summary(db)


@migrations()
def m010_service_secret(db: sqlite_utils.Database) -> None:
    """The service's secrets, drawn once and kept (secrets_kept.py): every process serving the store, and each
    after a restart, keys the pages' form tokens alike."""
    db.table("service_secrets").create({"name": str, "value": str, "created_at": str}, pk="name")


@migrations()
def m012_owner_due_index(db: sqlite_utils.Database) -> None:
    """A person's advice by its due day (week_reads.py): a week reads what its owner has due by its Sunday, not all
    they ever had."""
    db.execute("create index if not exists recommendations_owner_due on recommendations (owner_id, due)")


@migrations()
def m011_snapshot_digest(db: sqlite_utils.Database) -> None:
    """Each kept snapshot's digest (kept.py): a nightly run tells the snapshot it kept last night by it, without reading
    its text back. Rows kept before have none and are compared by their text, as they were."""
    db.table("snapshots").add_column("digest", str)


@migrations()
def m013_summary_held_while_written(db: sqlite_utils.Database) -> None:
    """The summary's counting triggers skip an account a batch is writing as a whole (summary_writes.py): it is
    counted once after its rows, not after each one."""
    from .summary_writes import hold_summaries  # beside the summary's other writes

    hold_summaries(db)


@migrations()
def m014_summary_triggers_lean(db: sqlite_utils.Database) -> None:
    """The summary's triggers fire on fewer of a batch's rows (summary_writes.lean_summaries): the writer says itself
    whether an account it held needs counting again, and a night's run-only update fires no counting trigger."""
    from .summary_writes import lean_summaries  # beside the summary's other writes

    lean_summaries(db)
