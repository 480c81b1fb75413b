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
from typing import IO, Any

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
            recs = [_recommendation(r) for r in store.run_recommendations(row["run_id"], LIVE)]
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


def _recommendation(row: dict[str, Any]) -> Recommendation:
    return Recommendation(
        id=row["id"], account_id=row["account_id"], action=row["action"], subject_kind=row["subject_kind"],
        subject_id=row["subject_id"], title=row["title"], rationale=row["rationale"], rule=row["rule"],
        priority=row["priority"], due=dt.date.fromisoformat(row["due"]), owner_role=row["owner_role"],
        evidence=json.loads(row["evidence"]), body=row["body"],
    )  # fmt: skip
