"""Deliveries: emitters send from an outbox, only after the store has committed.

A run queues one delivery per ``--emit`` with the advice it gave; delivering tries every
pending delivery (this run's and earlier failed ones) and a failure stays pending for the
next run or ``kamengine deliver``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from .emitters import EmitContext
from .recommendation import Recommendation
from .registry import Registry
from .store import LIVE, Store


@dataclass(frozen=True)
class Delivery:
    id: int
    emitter: str
    run_id: str
    ok: bool
    message: str


def queue(store: Store, run_id: str, emitters: Sequence[str]) -> None:
    """One pending delivery per emitter spec; it sends its run's advice that is still live then."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with store.db.atomic():
        for spec in emitters:
            store.db.table("deliveries").insert(
                {"run_id": run_id, "emitter": spec, "status": "pending", "attempts": 0, "created_at": now}
            )


def deliver_pending(store: Store, registry: Registry, stdout: IO[str]) -> list[Delivery]:
    """Try every pending delivery, oldest first; each failure is recorded and stays pending."""
    results = []
    for row in store.db.table("deliveries").rows_where("status = ?", ["pending"], order_by="id"):
        name, _, target = row["emitter"].partition(":")
        try:
            emitter = registry.emitters[name](target or None)
            recs = [_recommendation(_document(r)) for r in store.run_recommendations(row["run_id"], LIVE)]
            message = emitter.emit(recs, EmitContext(stdout, registry.actions))
            update = {"status": "delivered", "delivered_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
            ok = True
        except Exception as exc:  # one emitter's failure must not stop the others
            message = f"{type(exc).__name__}: {exc}"
            update = {"last_error": message}
            ok = False
        with store.db.atomic():
            store.db.table("deliveries").update(row["id"], {**update, "attempts": row["attempts"] + 1})
        results.append(Delivery(row["id"], row["emitter"], row["run_id"], ok, message))
    return results


def _document(row: dict[str, object]) -> dict[str, object]:
    return {
        "id": row["id"], "account_id": row["account_id"], "action": row["action"],
        "subject": {"kind": row["subject_kind"], "id": row["subject_id"]}, "title": row["title"],
        "rationale": row["rationale"], "rule": row["rule"], "priority": row["priority"], "due": row["due"],
        "owner_role": row["owner_role"], "evidence": json.loads(str(row["evidence"])), "body": row["body"],
        "status": row["status"],
    }  # fmt: skip


def _recommendation(document: dict[str, object]) -> Recommendation:
    subject = document["subject"]
    assert isinstance(subject, dict)
    return Recommendation(
        id=str(document["id"]), account_id=str(document["account_id"]), action=str(document["action"]),
        subject_kind=str(subject["kind"]), subject_id=str(subject["id"]), title=str(document["title"]),
        rationale=str(document["rationale"]), rule=str(document["rule"]), priority=float(document["priority"]),  # type: ignore[arg-type]
        due=dt.date.fromisoformat(str(document["due"])), owner_role=str(document["owner_role"]),
        evidence=document["evidence"], body=document.get("body"),  # type: ignore[arg-type]
    )  # fmt: skip
