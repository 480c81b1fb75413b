"""Deliveries: emitters send from an outbox, only after the store has committed.

A run queues one delivery per ``--emit`` with the advice it gave; delivering tries every
pending delivery (this run's and earlier failed ones) and a failure stays pending for the
next run or ``kamengine deliver``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from ..errors import KamengineError
from ..model.recommendation import Recommendation
from ..plugin.delivery import deliver
from ..plugin.emitters import EmitContext
from ..plugin.registry import Registry
from .statuses import LIVE
from .store import Store


@dataclass(frozen=True)
class Delivery:
    id: int
    emitter: str
    run_id: str
    ok: bool
    message: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def queue(store: Store, run_id: str, emitters: Sequence[str]) -> None:
    """One pending delivery per emitter spec; it sends its run's advice that is still live then."""
    now = _now()
    with store.db.atomic():
        for spec in emitters:
            store.db.table("deliveries").insert(
                {"run_id": run_id, "emitter": spec, "status": "pending", "attempts": 0, "created_at": now}
            )


def deliver_pending(store: Store, registry: Registry, stdout: IO[str], seconds: float | None = None) -> list[Delivery]:
    """Try every pending delivery, oldest first, each within ``seconds``; each failure is recorded and stays pending."""
    results = []
    for row in store.db.table("deliveries").rows_where("status = ?", ["pending"], order_by="id"):
        try:
            emitter = registry.emitter(row["emitter"])
        except KamengineError as exc:  # e.g. the plugin that made it is no longer installed
            ok, message = False, str(exc)
        else:
            recs = [Recommendation.from_row(r) for r in store.run_recommendations(row["run_id"], LIVE)]
            delivered = deliver(emitter, recs, EmitContext(stdout, registry.actions), seconds)
            ok, message = delivered.ok, delivered.message
        update = {"status": "delivered", "delivered_at": _now()} if ok else {"last_error": message}
        with store.db.atomic():
            store.db.table("deliveries").update(row["id"], {**update, "attempts": row["attempts"] + 1})
        results.append(Delivery(row["id"], row["emitter"], row["run_id"], ok, message))
    return results
