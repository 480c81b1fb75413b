"""The stored recommendations through the Engine: list, show, decide, reopen.

A person's decision goes through the store's one rule book (``Store.change``: which status may go to which,
a dismissal's reason, a snooze's end, its history entry, under the write lock), whether the command line or
the service asks. Reading and deciding need no playbooks: those methods are static, so ``kamengine recs``
calls them on the class, ``Engine.recommendations(store)``; only a decision kept in the decision log names
the playbooks' revision. ``store`` is the handle of ``engine.api.stores``. The store's modules are imported
when a method is first called: advising through the Engine loads neither SQLite's libraries nor click.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ..store.record_shapes import DEFAULT_LIMIT, KEY_SHAPE, Decided, Logged, Page, Slice
from ..store.statuses import API, COMMAND_LINE, LIVE, VERBS, Asked, Status
from .base import EngineParts

if TYPE_CHECKING:
    from ..store.holders import TokenHolder
    from ..store.store import Store

__all__ = [
    "API", "COMMAND_LINE", "DEFAULT_LIMIT", "KEY_SHAPE", "LIVE", "VERBS", "Asked", "Decided", "Page",
    "RecommendationsAPI", "Slice", "Status",
]  # fmt: skip


class RecommendationsAPI(EngineParts):
    """The Engine's part for stored recommendations: list them, show one, decide on them."""

    if TYPE_CHECKING:  # the Engine's own (engine.py): the playbooks' revision, kept with each logged decision

        @property
        def revision(self) -> str:
            """The loaded playbooks' revision."""

    @staticmethod
    def recommendations(
        store: Store,
        *,
        account: str | None = None,
        statuses: Iterable[str] = (),
        owner: str | None = None,
        limit: int = DEFAULT_LIMIT,
        page: int = 1,
    ) -> Page:
        """The ``page``-th ``limit`` stored recommendations (``limit`` 0: all) by account, statuses (none: the
        live ones, open, accepted and snoozed) and owner (a team member's id): soonest due, then most urgent."""
        from ..store import records

        return records.list_page(store, account, list(statuses) or LIVE, owner, limit, page)

    @staticmethod
    def recommendations_seen(
        store: Store,
        holder: TokenHolder,
        *,
        account: str | None = None,
        statuses: Iterable[str] = (),
        owner: str | None = None,
        after: Sequence[Any] | None = None,
        limit: int = 50,
    ) -> Slice:
        """The ``limit`` stored recommendations the holder may see (admin: all; else their own and those of the
        accounts they are on) after the key ``after`` (a ``Slice``'s ``next_after``, of ``KEY_SHAPE``; None: from
        the first), by account, statuses (none: the live ones) and owner: by account, most urgent first."""
        from ..store import records

        return records.seen_slice(store, holder, owner, account, statuses, after, limit)

    @staticmethod
    def recommendation(store: Store, ref: str) -> dict[str, Any]:
        """One stored recommendation by its id or a unique start of it (``rec-`` may be left out): every stored
        field, and its ``history``, oldest first; a ``StoreError`` names the ids an ambiguous start may be."""
        from ..store import records

        return records.show(store, ref)

    @staticmethod
    def stored_recommendation(store: Store, rec_id: str) -> dict[str, Any]:
        """One stored recommendation by its whole id: every stored field; a ``StoreError`` if there is none."""
        return store.get(rec_id)

    @staticmethod
    def history(store: Store, rec_id: str) -> list[dict[str, Any]]:
        """What became of a stored recommendation (its whole id), oldest first: status, by, at, reason, run_id."""
        return store.history(rec_id)

    @staticmethod
    def decide_each(
        store: Store,
        refs: Sequence[str],
        verb: str,
        *,
        by: str,
        reason: str = "",
        until: dt.date | None = None,
        today: dt.date | None = None,
    ) -> list[Decided]:
        """One decision (a ``VERBS`` key: accept, done, dismiss, snooze, reopen) by ``by`` on several stored
        recommendations (ids or unique starts): each is made, or says why not, whatever became of the others. A
        mistake in the decision itself (a dismissal without a reason) is a ``UsageError`` before any is made."""
        from ..store import records

        return records.decide(store, refs, VERBS[verb], by, reason, until, today)

    def decide(
        self,
        store: Store,
        rec_id: str,
        verb: str,
        *,
        by: str,
        principal: str,
        said: bytes,
        reason: str = "",
        until: dt.date | None = None,
        asked: Asked = COMMAND_LINE,
        writing: AbstractContextManager[Any] | None = None,
    ) -> dict[str, Any]:
        """One decision (a ``VERBS`` key) by ``by`` on one stored recommendation (its whole id), kept in the
        decision log with the playbooks' revision, ``principal`` (who asked: a token's id) and ``said`` (the
        request's bytes): the recommendation as it is now. ``asked`` words the refusals (``API``: the request's
        field names); ``writing`` is held around the transaction (the service's lock). A decision wins over that
        night's refresh (``records.decide_logged``). A ``UsageError`` for a decision asked wrongly, a
        ``StoreError`` for a change its status does not allow: nothing is written then."""
        logged = Logged(self.revision, principal, said)
        from ..store import records

        return records.decide_logged(
            store, rec_id, verb, by, reason, until, logged=logged, asked=asked, writing=writing
        )

    @staticmethod
    def done_activities(store: Store, account: str | None = None) -> list[dict[str, Any]]:
        """The recommendations marked done (of ``account``; None: all), as a snapshot's ``activities`` entries."""
        return store.done_activities(account)
