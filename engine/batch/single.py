"""The nightly batch for one account, on demand: a snapshot in, its advice through the store's lifecycle at once.

The service calls this when a CRM sends a changed account. It is a run of its own (source
``api:ACCOUNT``) made of exactly what a batch does per account — earlier stances filled in from
the store, advice, ``Store.apply`` — and it is one ``begin immediate`` transaction: the snapshot,
the run, the lifecycle and the decision are all written or none is, and two processes
refreshing the same account queue for the store's write lock instead of interleaving.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from ..advise.advisor import Advisor
from ..evaluate.ranking import Advice
from ..model.recommendation import Recommendation
from ..model.rows import account_advice
from ..model.snapshot import Snapshot
from ..store.decisions import immediate, log_decision
from ..store.snapshots import save_snapshot
from ..store.stances import StanceHistory
from ..store.store import Store
from .run import BatchResult


@dataclass
class Refreshed:
    """One account's on-demand run: the run's totals, the advice it gave, the decision's id."""

    run: BatchResult
    recommendations: list[Recommendation]
    decision_id: str


def refresh_account(
    advisor: Advisor,
    snapshot: Snapshot,
    data: Any,
    body: bytes,
    store: Store,
    *,
    revision: str,
    principal: str,
    writing: AbstractContextManager[Any] | None = None,
    guard: Callable[[Callable[[], Advice]], Advice] | None = None,
    lang: str | None = None,
) -> Refreshed:
    """Keep ``snapshot`` (``data`` as received, ``body`` its bytes) and bring its account's stored advice in line.

    ``writing`` is held around the transaction only (the service's lock: its threads queue for the
    store in turn instead of polling SQLite's lock), not while the advice is worked out. ``guard`` runs
    the working out (the service's deadline); nothing is written until it has returned. ``lang``: the
    language of the advice (None: the advisor's).
    """
    source = f"api:{snapshot.account.id}"
    history = StanceHistory(str(store.path))
    try:
        filled = history.fill(snapshot)
    finally:
        history.close()
    advice = (guard or _at_once)(lambda: advisor.advise(filled, lang=lang))
    rows = account_advice(filled, advice.recommendations)
    with writing or contextlib.nullcontext(), immediate(store):
        run_id, _ = store.start_run(source)
        result = BatchResult(run_id, accounts=1, outcome=store.apply(run_id, rows, source))
        store.finish_run(run_id, result.summary)
        ids = [r.id for r in advice.recommendations]
        decision_id = log_decision(store, "refresh", snapshot.account.id, revision, principal, body, ids, run_id)
        save_snapshot(store, snapshot, data, decision_id)
    return Refreshed(result, advice.recommendations, decision_id)


def _at_once(call: Callable[[], Advice]) -> Advice:
    return call()
