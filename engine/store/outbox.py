"""Deliveries: emitters send from an outbox, only after the store has committed.

A run queues one delivery per ``--emit`` with the advice it gave; delivering tries every
pending delivery (this run's and earlier failed ones) and a failure stays pending for the
next run or ``kamengine deliver``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from ..errors import KamengineError
from ..model.limits import Limits
from ..model.recommendation import Recommendation
from ..plugin.delivery import deliver
from ..plugin.emitters import EmitContext
from ..plugin.registry import Registry
from ..plugin.secrets import redact
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


def queue(store: Store, run_id: str, emitters: Sequence[str]) -> dict[str, str]:
    """One pending delivery per emitter spec; it sends its run's advice that is still live then.

    The store keeps each spec without its secrets; the returned map (stored spec -> spec as
    given) lets this run deliver with them.
    """
    now = _now()
    given: dict[str, str] = {}
    with store.db.atomic():
        for spec in emitters:
            kept = redact(spec)
            given[kept] = spec
            store.db.table("deliveries").insert(
                {"run_id": run_id, "emitter": kept, "status": "pending", "attempts": 0, "created_at": now}
            )
    return given


def deliver_pending(
    store: Store,
    registry: Registry,
    stdout: IO[str],
    seconds: float | None = None,
    given: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> list[Delivery]:
    """Try every pending delivery, oldest first, each within ``seconds``; each failure is recorded and stays pending."""
    results = []
    for row in store.db.table("deliveries").rows_where("status = ?", ["pending"], order_by="id"):
        try:
            emitter = registry.emitter((given or {}).get(row["emitter"], row["emitter"]))
        except KamengineError as exc:  # e.g. the plugin that made it is no longer installed
            ok, message = False, str(exc)
        else:
            recs = [Recommendation.from_row(r) for r in store.run_recommendations(row["run_id"], LIVE)]
            context = EmitContext(stdout, registry.actions, limits=limits or Limits())
            delivered = deliver(emitter, recs, context, seconds)
            ok, message = delivered.ok, redact(delivered.message)
        update = {"status": "delivered", "delivered_at": _now()} if ok else {"last_error": message}
        with store.db.atomic():
            store.db.table("deliveries").update(row["id"], {**update, "attempts": row["attempts"] + 1})
        results.append(Delivery(row["id"], row["emitter"], row["run_id"], ok, message))
    return results
