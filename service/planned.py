"""The plan as the service shows it: the store's live advice placed over people's weeks, cut to what a reader sees."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from kamengine.engine.model.recommendation import Recommendation
from kamengine.engine.plan.week import Item, WeekPlan, schedule
from kamengine.engine.store.kept_teams import kept_teams
from kamengine.engine.store.records import plan_advice
from kamengine.engine.store.snapshots import team_accounts
from kamengine.engine.store.statuses import LIVE, Status
from kamengine.engine.store.store import Store
from kamengine.engine.store.tokens import TokenHolder

from .plan_view import ALL, shown_week
from .state import Service


@dataclasses.dataclass(frozen=True)
class Planned:
    """The week shown (or ``all``), its items, what people decided of each recommendation (if not open), and the
    whole plan they come from (its horizon, what it could not place)."""

    week: str
    items: list[Item]
    statuses: dict[str, str]
    plan: WeekPlan


def plan_items(service: Service, holder: TokenHolder, owner: str | None, week: str | None) -> Planned:
    """The live advice the holder may see, spread over people's weeks; one week (default this one, or ``all``) of
    one person (None: everyone the holder sees), the meetings they lead and those they attend. The plan is the one
    of every account that shares someone with theirs (the same people's time), so a person's week reads the same
    whoever looks; then only what the reader may see is kept."""
    today = dt.date.today()
    shown = shown_week(week, today)
    with service.store() as store:
        rows = shared_work(store, holder, owner)
        seen = seen_by(store, holder)
        plan = plan_of(store, service, rows, today)
    chosen = [i for i in plan.items if shown in (ALL, i.week) and owner in (None, *i.people) and seen(i.lead)]
    return Planned(shown, chosen, {row["id"]: label for row in rows if (label := status_label(row))}, plan)


def shared_work(store: Store, holder: TokenHolder, person: str | None) -> list[dict[str, Any]]:
    """The live advice whose plan decides ``person``'s weeks (None: those of everyone the holder sees; admin: the
    whole store): every account of everyone who works with them, and with those, until nobody new comes in. Other
    accounts book other people's time only, so they change nothing of these weeks."""
    if person is None and holder.may("admin"):
        return store.find(None, LIVE)
    seeds = {person} if person is not None else {holder.member}
    own = [row for who in seeds for row in store.find(None, LIVE, who)]  # advice they own off any team, too
    accounts = _sharing(store, seeds, {row["account_id"] for row in own})
    rows = [row for account in sorted(accounts) for row in store.find(account, LIVE)]
    return rows + [row for row in own if row["account_id"] not in accounts]


def _sharing(store: Store, people: set[str], accounts: set[str]) -> set[str]:
    """The accounts reachable from ``people`` and ``accounts`` through the stored teams (person - account - person)."""
    by_member: dict[str, set[str]] = {}
    by_account: dict[str, set[str]] = {}
    for account, member in store.db.execute("select account_id, member_id from account_team"):
        by_member.setdefault(str(member), set()).add(str(account))
        by_account.setdefault(str(account), set()).add(str(member))
    found, met = set(accounts), set(people)
    todo = [*people, *(m for a in accounts for m in by_account.get(a, ()))]
    while todo:
        for account in by_member.get(todo.pop(), ()):
            if account not in found:
                found.add(account)
                fresh = by_account.get(account, set()) - met
                met |= fresh
                todo.extend(fresh)
    return found


def plan_of(store: Store, service: Service, rows: list[dict[str, Any]], today: dt.date) -> WeekPlan:
    """``rows`` (stored live advice) placed from ``today`` over the horizon, each account's holidays closed."""
    regions = kept_teams(store, {row["account_id"] for row in rows}).regions
    actions, settings = service.registry.actions, service.config.plan
    return schedule(plan_advice(rows), actions, settings, today, overdue_on=today, regions=regions)


def seen_by(store: Store, holder: TokenHolder) -> Callable[[Recommendation], bool]:
    """Whether the holder may see a recommendation: admin all; a member those of their accounts and their own."""
    if holder.may("admin"):
        return lambda rec: True
    theirs = team_accounts(store, holder.member)
    return lambda rec: rec.account_id in theirs or (rec.owner is not None and rec.owner.id == holder.member)


def status_label(row: dict[str, Any]) -> str:
    """What people decided of a live recommendation, in words ("" while it is open)."""
    if row["status"] == Status.SNOOZED:
        return f"snoozed until {row['snoozed_until']}"
    return "" if row["status"] == Status.OPEN else str(row["status"])
