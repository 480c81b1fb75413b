"""The week of the store's live advice: one plan for ``kamengine plan --db`` and the service's plan, pages and feed.

A reader's week is the plan of every account that shares someone with theirs (the same people's time), so it reads
the same whoever looks; the reader then sees only what they may (admin all; a member their accounts' and their own).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..model.actions import ActionCatalogue
from ..model.plan_settings import PlanSettings
from ..model.recommendation import Recommendation
from ..plan.items import WeekPlan
from ..store.statuses import LIVE, Status

# The store's modules (and sqlite-utils) are imported when the store's week is asked for: advising through the
# Engine never loads them.
if TYPE_CHECKING:
    from ..store.holders import TokenHolder
    from ..store.kept_teams import KeptTeams
    from ..store.store import Store


@dataclasses.dataclass(frozen=True)
class StoredWeek:
    """The store's live advice placed over people's weeks, and what a front end shows with it.

    ``recommendations`` are those planned; ``statuses`` what people decided of each (absent while open), in words;
    ``teams`` each account's region and team e-mails; ``seen`` the accounts the reader sees (None: every one) and
    ``reader`` who reads (their own advice they see anywhere).
    """

    plan: WeekPlan
    recommendations: list[Recommendation]
    statuses: dict[str, str]
    teams: KeptTeams
    seen: frozenset[str] | None = None
    reader: str | None = None

    def sees(self, rec: Recommendation) -> bool:
        """Whether the reader may see ``rec``: admin all; a member those of their accounts and their own."""
        if self.seen is None:
            return True
        return rec.account_id in self.seen or (rec.owner is not None and rec.owner.id == self.reader)


def plan_week(
    recommendations: Iterable[Recommendation], actions: ActionCatalogue, settings: PlanSettings, today: dt.date,
    regions: Mapping[str, str | None] | None = None, *, stored: bool = False, through: dt.date | None = None,
    person: str | None = None,
) -> WeekPlan:  # fmt: skip
    """``recommendations`` placed over people's weeks from ``today``, each account's holidays closed (``regions``).
    ``stored``: advice a store kept since an earlier night, whose past due is due now (and says since when).
    ``through``: the plan of the days up to it only; ``person``: of what bears on their days only (``schedule``)."""
    from ..plan.week import schedule  # when a week is planned: advising never needs it

    overdue_on = today if stored else None
    return schedule(
        recommendations, actions, settings, today, overdue_on=overdue_on, regions=regions, through=through,
        person=person,
    )  # fmt: skip


def stored_week(
    store: Store, actions: ActionCatalogue, settings: PlanSettings, today: dt.date, *,
    reader: TokenHolder | None = None, person: str | None = None, emails: bool = False,
    through: dt.date | None = None, account: str | None = None,
) -> StoredWeek:  # fmt: skip
    """The plan of the store's live advice from ``today``: all of it (no ``reader``, or admin's everyone), else the
    advice that shares people with ``person``'s weeks (None: the reader's own). ``emails``: owners and attendees
    carry the e-mail their account's team gives them, as advice fresh from a snapshot does.

    ``through`` (a week's Sunday): the plan of the days up to it only, from the advice that can land by then
    (``week_reads``): its items on those days are the whole plan's; what is not placed by then is left out. With
    ``person`` too, only their approaches and those bearing on their days are placed.
    ``account``: for everyone's plan (no ``person``, an admin's), the advice that shares people with that account's
    team instead of the whole store."""
    from ..store.snapshots import team_accounts

    rows = _shared_work(store, reader, person, through, account)
    # One person's bounded week places their approaches and those bearing on them; the rest of it is nobody's view.
    alone = person if through is not None else None
    week = _planned(store, rows, (actions, settings, today), emails=emails, through=through, person=alone)
    if reader is None or reader.may("admin"):
        return week
    return dataclasses.replace(week, seen=frozenset(team_accounts(store, reader.member)), reader=reader.member)


def unowned_week(
    store: Store, actions: ActionCatalogue, settings: PlanSettings, today: dt.date, through: dt.date
) -> StoredWeek:
    """The plan up to ``through`` of the accounts that have live advice nobody owns (an account without a team's
    staffing): its items nobody leads are the whole plan's, as such an item takes nobody's time (no meeting) and
    lands on the first open day from its own due day, whatever else is placed."""
    from ..store.week_reads import unowned_accounts, week_rows

    rows = week_rows(store, unowned_accounts(store), (), through)
    return _planned(store, rows, (actions, settings, today), through=through)


def _planned(
    store: Store, rows: list[dict[str, Any]], how: tuple[ActionCatalogue, PlanSettings, dt.date], *,
    emails: bool = False, through: dt.date | None = None, person: str | None = None,
) -> StoredWeek:  # fmt: skip
    """The stored ``rows`` placed (``how``: the actions, the plan's settings and today) with their accounts' teams."""
    from ..store.kept_teams import kept_teams
    from ..store.records import plan_advice

    actions, settings, today = how
    teams = kept_teams(store, {row["account_id"] for row in rows})
    advice = plan_advice(rows)
    if emails:
        advice = [teams.with_emails(rec) for rec in advice]
    plan = plan_week(advice, actions, settings, today, teams.regions, stored=True, through=through, person=person)
    statuses = {row["id"]: label for row in rows if (label := status_label(row))}
    return StoredWeek(plan, advice, statuses, teams)


def status_label(row: Mapping[str, Any]) -> str:
    """What people decided of a live recommendation, in words ("" while it is open)."""
    if row["status"] == Status.SNOOZED:
        return f"snoozed until {row['snoozed_until']}"
    return "" if row["status"] == Status.OPEN else str(row["status"])


def _shared_work(
    store: Store, reader: TokenHolder | None, person: str | None, through: dt.date | None, account: str | None
) -> list[dict[str, Any]]:
    """The live advice whose plan decides ``person``'s weeks (None: those of everyone the reader sees; admin or no
    reader: the whole store, or what shares people with ``account``): every account of everyone who works with
    them, and with those, until nobody new comes in. Other accounts book other people's time only, so they change
    nothing of these weeks. ``through``: only the advice that can land by then (``week_reads.week_rows``)."""
    from ..store.records import live_of
    from ..store.snapshots import sharing
    from ..store.week_reads import advised_accounts, week_rows

    everyone = person is None and (reader is None or reader.may("admin"))
    if everyone and account is None:
        return store.find(None, LIVE)
    seeds: set[str] = set()
    if not everyone:
        seeds = {person} if person is not None else {reader.member} if reader is not None else set()
    asked = {account} if account is not None else set()
    if through is not None:  # the accounts of all their advice share their people, as below; the rows are bounded
        owned = {found for who in seeds for found in advised_accounts(store, who)}
        return week_rows(store, sorted(sharing(store, seeds, owned | asked)), seeds, through)
    own = [row for who in seeds for row in store.find(None, LIVE, who)]  # advice they own off any team, too
    accounts = sharing(store, seeds, {row["account_id"] for row in own} | asked)
    rows = live_of(store, sorted(accounts))
    return rows + [row for row in own if row["account_id"] not in accounts]


def _sharing(links: Sequence[tuple[str, str]], people: set[str], accounts: set[str]) -> set[str]:
    """The accounts reachable from ``people`` and ``accounts`` through the teams' ``links`` (person - account -
    person): ``snapshots.sharing``'s walk over links already read (what it is checked against)."""
    by_member: dict[str, set[str]] = {}
    by_account: dict[str, set[str]] = {}
    for account, member in links:
        by_member.setdefault(member, set()).add(account)
        by_account.setdefault(account, set()).add(member)
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


def may_lead(store: Store, owner: str, through: dt.date) -> bool:
    """Whether ``owner`` may lead an item placed by ``through`` (an item lands on its lead's due day or later): they
    own live advice due by then that stands alone, is an occasion (placed alone on its own day when its approach
    moves later), or leads its approach (the live member the plan chooses: its own lead, else the best carrier),
    itself due by then. Two indexed reads; an owner whose advice due by then all rides with others' leads is
    passed over unplanned."""
    from ..plan.approaches import carrier_rank, make_approach_id
    from ..plan.dates import ON_DATE
    from ..store.week_reads import members_of, owned_by

    def chosen(row: Mapping[str, Any]) -> tuple[bool, int, float, str]:  # plan.week._items' order of a group
        leads = row["approach"] == make_approach_id(row["account_id"], row["subject_id"], row["id"])
        return not leads, carrier_rank(str(row["action"])), -float(row["priority"]), str(row["id"])

    rows = owned_by(store, owner, through)
    if any(not row["approach"] or row["action"] in ON_DATE for row in rows):
        return True
    groups: dict[str, list[dict[str, Any]]] = {}
    for member in members_of(store, {row["account_id"] for row in rows}, {row["approach"] for row in rows}):
        groups.setdefault(str(member["approach"]), []).append(member)
    leads = (min(group, key=chosen) for group in groups.values())
    return any(lead["owner_id"] == owner and str(lead["due"]) <= through.isoformat() for lead in leads)
