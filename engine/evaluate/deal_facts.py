"""Derived fields of opportunities: the fishbone's decision groups, supporters, the 151 sales actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..model.actions import BUILTIN_ACTIONS
from ..model.fields import SALES_ACTIONS_151
from ..model.snapshot import Opportunity
from .contact_facts import DAYS_SINCE, days_between, latest_by_type

Record = dict[str, Any]


def deal_memberships(deals: list[Opportunity], stances: Mapping[str, int]) -> dict[str, list[Record]]:
    """Per deal, one row per member of each of its decision groups (the fishbone)."""
    rows: dict[str, list[Record]] = {}
    for deal in deals:
        rows[deal.id] = []
        for group in deal.decision_groups:
            nearest = min((m.proximity for m in group.members), default=None)
            supporters = sum(1 for m in group.members if stances.get(m.contact_id, 0) >= 1)
            for member in group.members:
                rows[deal.id].append(
                    {
                        "contact_id": member.contact_id,
                        "group": group.group,
                        "proximity": member.proximity,
                        "group_key_person": member.proximity == nearest,
                        "group_supporters": supporters,
                        "live": deal.live,
                    }
                )
    return rows


def opportunity_record(
    deal: Opportunity, rows: list[Record], contacts: dict[str, Record], activities: list[Record], as_of: dt.date
) -> Record:
    people = {row["contact_id"]: contacts[row["contact_id"]] for row in rows}
    stances = [person["stance"] for person in people.values()]
    closed = deal.close_date is not None and not deal.live and deal.close_date <= as_of
    supported_groups = {row["group"] for row in rows if contacts[row["contact_id"]]["stance"] >= 1}
    past = [a["days_ago"] for a in activities if not a["planned"]]
    done = {a["type"] for a in activities} & set(SALES_ACTIONS_151)  # scheduled counts: it is under way
    latest = latest_by_type(a for a in activities if not a["planned"])
    record = {
        "id": deal.id,
        "name": deal.name,
        "stage": deal.stage,
        "value": deal.value,
        "close_date": deal.close_date,
        "live": deal.live,
        "days_to_close": days_between(deal.close_date, as_of) if deal.close_date else None,
        "member_count": len(people),
        "supporter_count": sum(1 for s in stances if s >= 1),
        "opposer_count": sum(1 for s in stances if s == -1),
        "coach_count": sum(1 for person in people.values() if person["coach"]),
        "best_stance": max(stances, default=None),
        "groups_without_supporter": len({g.group for g in deal.decision_groups} - supported_groups),
        "days_since_last_activity": min(past, default=None),
        "sales_actions_done": len(done),
        "next_151_action": next((a for a in SALES_ACTIONS_151 if a not in done), None),
        "days_since_close": days_between(as_of, deal.close_date) if closed and deal.close_date else None,
        # A live deal whose close date passed has slipped: the forecast is wrong until the customer confirms a date.
        "close_date_passed": deal.live and deal.close_date is not None and deal.close_date < as_of,
    }
    record.update(zip(DAYS_SINCE, map(latest.get, BUILTIN_ACTIONS), strict=True))
    return record


#: What a person who helps decide no deal has at stake.
NO_STAKES: Record = {
    "top_deal": None,
    "deal_value": None,
    "deal_days_to_close": None,
    "deal_close_date_passed": False,
    "days_since_won_deal": None,
    "days_since_lost_deal": None,
}


def deal_stakes(live: list[Opportunity], every: list[Opportunity], as_of: dt.date) -> Record:
    """What a person has at stake: the most valuable live deal they help decide, and recent closes (to add to
    their record: one helping decide nothing gets ``NO_STAKES`` itself)."""
    if not every:
        return NO_STAKES
    top = max(live, key=lambda d: (d.value or 0, -(d.close_date or dt.date.max).toordinal(), d.id), default=None)

    def since(stage: str) -> int | None:
        closes = [d.close_date for d in every if d.stage == stage and d.close_date and d.close_date <= as_of]
        return days_between(as_of, max(closes)) if closes else None

    return {
        "top_deal": top.id if top else None,
        "deal_value": top.value if top else None,
        "deal_days_to_close": days_between(top.close_date, as_of) if top and top.close_date else None,
        "deal_close_date_passed": bool(top and top.close_date and top.close_date < as_of),
        "days_since_won_deal": since("won"),
        "days_since_lost_deal": since("lost"),
    }
