"""Which action leads an approach and what it can carry along: an occasion's carriers, best first."""

from __future__ import annotations

from ..model.actions import ActionType, Mode
from ..model.fields import SALES_ACTIONS_151 as SALES_151
from .draft import Draft

#: Which action leads an approach when several could: the first of this list present.
CARRIERS = (
    "executive_visit", "summit_dialogue", "executive_sponsor", "hq_tour", "reference_site_visit", "onsite_meeting",
    "technical_exchange", "project_celebration", "opportunity_discovery", "festival_visit", "regular_office_visit",
    "project_office_visit", "home_visit", "family_banquet", "private_activity", "team_activity", "coach_development",
    "rising_star_cultivation", "exhibition_invite", "key_resource_support", "compliant_gift", "birthday_greeting",
)  # fmt: skip
#: What an occasion of each kind can carry along.
CARRIES: dict[Mode, frozenset[Mode]] = {
    Mode.MEETING: frozenset({Mode.MEETING, Mode.EVENT, Mode.INVITATION, Mode.MESSAGE, Mode.GIFT, Mode.CARE}),
    Mode.EVENT: frozenset({Mode.MEETING, Mode.INVITATION, Mode.MESSAGE, Mode.GIFT, Mode.CARE}),
    Mode.INVITATION: frozenset({Mode.INVITATION, Mode.MESSAGE, Mode.GIFT}),
    Mode.PRIVATE: frozenset({Mode.MESSAGE, Mode.GIFT}),
    Mode.CARE: frozenset({Mode.MESSAGE, Mode.GIFT}),
    Mode.MESSAGE: frozenset({Mode.MESSAGE, Mode.GIFT}),
    Mode.GIFT: frozenset({Mode.MESSAGE, Mode.GIFT}),
    Mode.INTERNAL: frozenset({Mode.INTERNAL}),
}
_RANKS = {action_id: rank for rank, action_id in enumerate(CARRIERS)}  # asked for every pair a plan weighs
_EVENT = Mode.EVENT  # an enum's member read from its class costs a lookup each time, in loops over members


def carries(lead: ActionType, other: ActionType) -> bool:
    """Whether one occasion led by ``lead`` can also serve ``other``."""
    return lead.id == other.id or other.kind in CARRIES[lead.kind]


def carrier_rank(action_id: str) -> int:
    """How well an action leads an approach: lower leads."""
    return _RANKS.get(action_id, len(CARRIERS))


def leader(members: list[Draft]) -> Draft | None:
    """Of an occasion's members, the member that can carry all the others, best carrier first; None if no one can."""
    events: set[str] = set()
    sales: set[str] = set()
    for member in members:
        action = member.action
        if action.kind == _EVENT:
            events.add(action.id)
        if action.id in SALES_151 and member.rec.subject_kind == "opportunity":
            sales.add(action.id)
    if len(events) > 1:
        return None  # two events we host (an HQ tour and a reference site) are never one occasion
    if len(sales) > 1:
        return None  # a deal gets one of the five 151 sales actions at a time, each chosen for its doubts
    for candidate in sorted(members, key=_rank_of):
        lead = candidate.action
        carried = CARRIES[lead.kind]  # carries(), inlined: this is asked for every pair of every join
        if all(o.action.id == lead.id or o.action.kind in carried for o in members if o is not candidate):
            return candidate
    return None


def _rank_of(draft: Draft) -> int:
    return _RANKS.get(draft.action.id, len(CARRIERS))


def best_first(members: list[Draft]) -> list[Draft]:
    """The members, best carrier first and, among equals, the most urgent first."""
    return sorted(members, key=lambda d: (_RANKS.get(d.action.id, len(CARRIERS)), -d.priority))
