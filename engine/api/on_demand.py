"""One account on demand, as the service asks for it: advised from a request, refreshed into the store, logged."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ..model.limits import Limits
from ..model.recommendation import Recommendation
from ..model.snapshot import Snapshot
from ..plugin._registry import Registry
from ..plugin.emitters import EmitContext
from ..plugin.sources import Source, SourceRecord
from ..store.decisions import Pruning, log_decision, prune_decisions
from ..store.store import Store
from ..store.time_order import TimeOrder, TimeOrderError

if TYPE_CHECKING:
    from ..batch.single import Refreshed
    from .engine import Engine

__all__ = ["DecisionLog", "TimeOrderError", "as_json", "refresh", "refresh_document", "release", "snapshot_source"]


class _Given(Source):
    """The snapshot of a request, as a source of one account (so that advice goes the CLI's way)."""

    PLUGIN_NAME = "request"

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__("request")
        self.snapshot = snapshot

    def records(self) -> Iterator[SourceRecord]:
        yield SourceRecord("request", snapshot=self.snapshot)


def snapshot_source(snapshot: Snapshot) -> Source:
    """A source of the one account of ``snapshot``, for ``Engine.advise``."""
    return _Given(snapshot)


def as_json(
    registry: Registry, recommendations: Sequence[Recommendation], explanations: dict[str, list[str]], limits: Limits
) -> str:
    """The recommendations as ``advise --format json`` prints them: the json emitter itself, called here rather
    than through a delivery (rendering cannot hang, and a delivery's deadline would start a thread)."""
    out = io.StringIO()
    context = EmitContext(out, registry.actions, explanations, limits)
    registry.emitter("json:-").emit(recommendations, context)
    return out.getvalue()


class DecisionLog:
    """The decision log as a running service writes it: one entry per logged evaluation, pruned at most hourly."""

    def __init__(self, keep_days: int) -> None:
        self.pruning = Pruning(keep_days)

    def log(
        self,
        store: Store,
        kind: str,
        account_id: str,
        revision: str,
        principal: str,
        body: bytes,
        recommendation_ids: Sequence[str],
    ) -> str:
        """Record one evaluation (``kind``: ``advise``); returns its id (``dec-...``)."""
        return log_decision(store, kind, account_id, revision, principal, body, recommendation_ids)

    def prune_when_due(self, store: Store) -> None:
        """Prune the log ([retention] decision_log_days) when its hour has come (one pruning per service)."""
        if self.pruning.due():
            prune_decisions(store, self.pruning.keep_days)


def refresh(
    engine: Engine,
    request: tuple[Snapshot, Any, bytes],
    store: Store,
    principal: str,
    loaded_rules: frozenset[str],
    writing: AbstractContextManager[Any] | None = None,
    guard: Callable[[Callable[[], Any]], Any] | None = None,
) -> tuple[Refreshed, list[str]]:
    """``Engine.refresh`` of a request's snapshot (its data and body) on a pooled store connection, and what it
    warns of. The run keeps ``engine``'s revision and leaves alone advice of rules not in ``loaded_rules`` (a
    batch with the team's playbooks gave it: resolving it would flap with every night's batch). Raises
    ``TimeOrderError`` for a snapshot out of time order; the connection is left as the next request expects."""
    snapshot, data, body = request
    store.time_order = TimeOrder(future_days=engine.config.limits.future_days)
    store.revision, store.loaded_rules = engine.revision, loaded_rules
    try:
        refreshed = engine.refresh(snapshot, data, body, store, principal, writing=writing, guard=guard)
        return refreshed, _notices(store, snapshot.account.id)
    finally:
        store.revision, store.revision_notice, store.loaded_rules, store.left_alone = None, None, None, []


def _notices(store: Store, account_id: str) -> list[str]:
    """What the refresh warns of: other playbooks than the last run's, advice of rules not loaded left as it was."""
    notices = [store.revision_notice] if store.revision_notice else []
    for kept in store.left_alone:
        notices.append(
            f"{account_id}: {kept.id} ({kept.rule}) left {kept.status}, not resolved: this server has not loaded"
            f" its rule (start serve with the batch's playbooks: --rules, or [playbooks] paths in kamengine.toml)"
        )
    for notice in notices[1 if store.revision_notice else 0 :]:  # the revision's line the store has logged
        logging.getLogger("kamengine.store").warning("%s", notice)
    return notices


def refresh_document(account_id: str, refreshed: Refreshed, revision: str, notices: list[str]) -> dict[str, Any]:
    """The answer to ``PUT /v1/accounts/{id}/snapshot``: the run, the decision, the advice, the notices."""
    return {
        "account_id": account_id,
        "run_id": refreshed.run.run_id,
        "decision_id": refreshed.decision_id,
        "revision": revision,
        "outcome": vars(refreshed.run.outcome),
        "recommendations": [r.to_dict() for r in refreshed.recommendations],
        "notices": notices,
    }


def release(store: Store) -> None:
    """Leave a pooled connection as the next request expects it: a request that failed half-way leaves nothing open."""
    if store.db.conn.in_transaction:
        store.db.conn.rollback()
