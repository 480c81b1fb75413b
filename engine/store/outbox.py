"""Deliveries: emitters send from an outbox, only after the store has committed.

A run queues one delivery per ``--emit``; delivering tries every pending delivery (this run's
and earlier failed ones), and each sends what changed for the run's accounts since that
emitter's last delivery that went through (``changes.py``). A failure stays pending for the
next run or ``kamengine deliver``, and its changes are compared again then: nothing is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from ..delivery.secrets import redact
from ..delivery.send import deliver_changes
from ..errors import KamengineError
from ..model.limits import Limits
from ..plugin._registry import Registry
from ..plugin.emitters import EmitContext
from .staged_changes import StoredChanges
from .store import Store


@dataclass(frozen=True)
class Delivery:
    id: int
    emitter: str
    run_id: str
    ok: bool
    message: str
    counts: dict[str, int] | None = None  # event (new, changed, closed) -> how many; None: not compared

    @property
    def changes(self) -> str:
        """``3 new, 1 changed, 0 closed`` (``not compared`` when the emitter could not be made)."""
        if self.counts is None:
            return "not compared"
        return ", ".join(f"{self.counts.get(event, 0)} {event}" for event in ("new", "changed", "closed"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def queue(store: Store, run_id: str, emitters: Sequence[str]) -> dict[str, str]:
    """One pending delivery per emitter spec, for the run's accounts.

    The store keeps each spec without its secrets; the returned map (stored spec -> spec as
    given) lets this run deliver with them.
    """
    now = _now()
    given: dict[str, str] = {}
    with store.writing():
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
    pending = list(store.db.table("deliveries").rows_where("status = ?", ["pending"], order_by="id"))
    for row in pending:
        counts: dict[str, int] | None = None
        try:
            emitter = registry.emitter((given or {}).get(row["emitter"], row["emitter"]))
        except KamengineError as exc:  # e.g. the plugin that made it is no longer installed
            ok, message = False, str(exc)
        else:
            outgoing = StoredChanges(store, row["id"], row["emitter"], row["run_id"])
            outgoing.stage()
            counts = outgoing.counts
            context = EmitContext(stdout, registry.actions, limits=limits or Limits())
            delivered = deliver_changes(emitter, outgoing, context, seconds)
            ok, message = delivered.ok, redact(delivered.message)
            outgoing.settle(ok)
        update = {"status": "delivered", "delivered_at": _now()} if ok else {"last_error": message}
        with store.writing():
            store.db.table("deliveries").update(row["id"], {**update, "attempts": row["attempts"] + 1})
        results.append(Delivery(row["id"], row["emitter"], row["run_id"], ok, message, counts))
    return results
