"""The week plan through the Engine: from snapshots or from the store, and what front ends render of it.

``Engine.week_plan`` places fresh advice (``kamengine plan --source``); ``Engine.stored_week`` the store's live advice
(``plan --db``, ``GET /v1/plan``, the week pages, the calendar feed); ``Engine.deliver_week`` emits a week. A front end
that loads no playbooks plans the store's advice with ``planner(registry, config)``, the week's part of the Engine
alone. Beside the plan, the store's reads the service's views show: runs, the decision log, accounts, an account's
last snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from ..delivery.send import Delivered, deliver
from ..model.recommendation import Recommendation
from ..plan.items import Item, Unplanned, WeekPlan, iso_week, monday
from ..plan.load import PersonLoad, load
from ..plugin.emitters import EmitContext
from .base import EngineParts
from .stored_week import StoredWeek, may_lead, plan_week, status_label, stored_week, unowned_week

if TYPE_CHECKING:
    from ..model.config import Config
    from ..plugin._registry import Registry
    from ..plugin.sources import Source
    from ..store.holders import TokenHolder
    from ..store.store import Store

__all__ = [
    "Item", "PersonLoad", "StoredWeek", "Unplanned", "WeekAPI", "WeekPlan", "iso_week", "load", "monday",
    "noting_regions", "planner", "status_label",
]  # fmt: skip


class WeekAPI(EngineParts):
    """The Engine's part for the week plan (its plugins' actions, its settings' ``[plan]``)."""

    def week_plan(
        self, recommendations: Sequence[Recommendation], today: dt.date, *,
        regions: Mapping[str, str | None] | None = None,
    ) -> WeekPlan:  # fmt: skip
        """Fresh advice (``advise``'s) placed over people's weeks from ``today``; ``regions`` (account id -> region,
        ``noting_regions`` hears them) closes each account's public holidays."""
        return plan_week(recommendations, self.registry.actions, self.config.plan, today, regions)

    def stored_week(
        self, store: Store, today: dt.date, *, reader: TokenHolder | None = None, person: str | None = None,
        emails: bool = False, through: dt.date | None = None, account: str | None = None,
    ) -> StoredWeek:  # fmt: skip
        """The store's live advice placed over people's weeks from ``today`` (what was due before is due now).

        Without ``reader``, all of it; with one, the plan of ``person``'s weeks (None: of everyone the reader sees;
        an admin's: all, or with ``account`` what shares people with that account), and ``StoredWeek.sees`` says
        what the reader may see of it. ``emails``: owners and attendees carry their team's e-mails (the store keeps
        none with the advice). ``through`` (a week's Sunday): only the days up to it are planned, from the advice
        due by then (read on the (owner, due) and accounts' indexes); its items are the whole plan's on those days,
        and nothing is listed as unplanned; with ``person`` too, only their approaches and those that bear on their
        days are placed (``plan.week.bearing_on``): theirs are the whole plan's.
        """
        actions, settings = self.registry.actions, self.config.plan
        return stored_week(
            store, actions, settings, today, reader=reader, person=person, emails=emails, through=through,
            account=account,
        )  # fmt: skip

    def led_by_owner(
        self, store: Store, today: dt.date, through: dt.date, first: str = "", *, reader: TokenHolder | None = None
    ) -> Iterator[list[Item]]:
        """Everyone's plan up to ``through`` (a week's Sunday, or the horizon's last day), owner by owner in the
        order of their ids from ``first`` (itself included; "": the items nobody owns first, then every owner):
        each list the items that owner leads, as the whole plan places them, each owner's from their own bounded
        week (``stored_week(person=, through=)``). Read and planned as the caller asks for the next owner, so a page
        costs the owners it shows; only owners who may lead an item by ``through`` are planned (``may_lead``)."""
        from ..store.week_reads import live_owners

        actions, settings = self.registry.actions, self.config.plan
        if not first:
            unowned = unowned_week(store, actions, settings, today, through)
            yield [item for item in unowned.plan.items if item.owner_id is None]
        for owner in live_owners(store, first):
            if not may_lead(store, owner, through):
                yield []
                continue
            week = stored_week(store, actions, settings, today, reader=reader, person=owner, through=through)
            yield [item for item in week.plan.items if item.owner_id == owner]

    def deliver_week(
        self, recommendations: Sequence[Recommendation], emitter: str, stdout: IO[str] | None = None
    ) -> Delivered:
        """The recommendations of a week (each due on its planned day) through the emitter of a ``NAME[:TARGET]``
        spec (``ics:calendars/u-ad.ics``): how it went, never an exception of the emitter's."""
        context = EmitContext(stdout or sys.stdout, self.registry.actions)
        return deliver(self.registry.emitter(emitter), recommendations, context)

    @staticmethod
    def runs(store: Store, limit: int = 50) -> list[dict[str, Any]]:
        """The store's runs, newest first, each run's totals (``summary``) as an object."""
        rows = store.db.table("runs").rows_where(order_by="started_at desc, id desc", limit=limit)
        # The store keeps a run's totals as JSON text: the answer carries them as an object.
        return [{**row, "summary": json.loads(row["summary"]) if row["summary"] else None} for row in rows]

    @staticmethod
    def decision_log(store: Store, reader: TokenHolder, limit: int = 100) -> list[dict[str, Any]]:
        """The decision log, newest first: an admin's all of it; a member's that of their accounts and their own."""
        from ..store.decisions import decisions
        from ..store.snapshots import accounts

        mine = None if reader.may("admin") else [a["account_id"] for a in accounts(store, reader.member)]
        return decisions(store, mine, limit, principal=reader.token_id)

    @staticmethod
    def accounts_seen_by(store: Store, reader: TokenHolder) -> list[dict[str, Any]]:
        """Every account the reader sees (admin: all the store knows), with its live advice counted and the
        reader's role on its team."""
        from ..store.snapshots import accounts

        return accounts(store, None if reader.may("admin") else reader.member)

    @staticmethod
    def last_snapshot(store: Store, account_id: str) -> dict[str, Any] | None:
        """The account's latest snapshot row the store kept (``body`` parsed back), None if it has none."""
        from ..store.snapshots import last_snapshot

        return last_snapshot(store, account_id)


def planner(registry: Registry, config: Config) -> WeekAPI:
    """The week's part of the Engine alone, for a front end that plans the store's advice and loads no playbooks."""
    week = WeekAPI()
    week.registry, week.config = registry, config
    return week


def noting_regions(reader: Source, regions: dict[str, str | None]) -> Source:
    """``reader``, telling ``regions`` each account's region as its record passes (its holidays are the plan's
    closed days)."""
    records = reader.records

    def noted() -> Iterator[Any]:
        for record in records():
            if record.snapshot is not None:
                region = record.snapshot.account.extra.get("region")
                regions[record.snapshot.account.id] = str(region) if region else None
            yield record

    reader.records = noted  # type: ignore[method-assign]
    return reader
