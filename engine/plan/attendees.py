"""One team goes (一支队伍): who comes along to an approach besides the colleague who leads it.

A companion whose work is another role's (the SR's technical exchange on our executive's visit)
keeps its owner, who comes along; the person's relationship owner comes when someone else leads.
When one of our people holds most of the people who sign (soil, not sorghum), their meetings with a
decider or key person bring a second colleague, so that the relationship is shared before it deepens.
Every attendee's time is counted by the week's plan as the lead's is.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model.actions import Mode
from ..model.fields import LEVELS
from ..model.recommendation import Owner
from .draft import Draft, Record

#: "Most" of the people who sign: a member holding more than this share of them is a single point.
MOST = 0.5
_MEETS = frozenset({Mode.MEETING, Mode.EVENT})  # meetings; a private occasion stays private
_SENIORITY = {level: rank for rank, level in enumerate(LEVELS)}


def member_owner(member: Record) -> Owner:
    """A team record as the plan names a person (with the e-mail a calendar invitation needs)."""
    email = member.get("email")
    return Owner(str(member["id"]), str(member["name"]), str(member["role"]), str(email) if email else None)


def role_specific(member: Draft, lead_role: str) -> bool:
    """Whether the member's work is its own role's: an action the lead's role cannot do (the SR's technical
    exchange), or one its rule asks of a role on purpose (the FR's kick-off of a won deal)."""
    asked = member.rec.owner_role
    on_purpose = asked != member.action.owner_role and member.owner is not None and member.owner.role == asked
    return lead_role not in member.action.fits or (on_purpose and lead_role != asked)


def set_attendees(approaches: Sequence[list[Draft]], team: Sequence[Record]) -> None:
    """Give every member of each customer approach the colleagues who come along (the lead's owner excluded)."""
    by_id = {str(m["id"]): m for m in team}
    first_by_id: dict[str, Record] = {}  # who ``next`` over the team finds for an id: its first member
    for member in team:
        first_by_id.setdefault(str(member["id"]), member)
    owners: dict[str, Owner] = {}  # one Owner per member (frozen), not one per approach
    for approach in approaches:
        lead = approach[0]
        if not lead.customer_facing or lead.owner is None:
            continue  # our own work, or nobody to go: no occasion to come along to
        coming: dict[str, Owner] = {}
        for draft in approach:
            if draft.owner is not None and draft.owner.id != lead.owner.id:
                coming.setdefault(draft.owner.id, draft.owner)
            keeper = (draft.subject or {}).get("owner") if draft.rec.subject_kind == "contact" else None
            key = str(keeper)
            if keeper is not None and key != lead.owner.id and key in by_id and key not in coming:
                if key not in owners:
                    owners[key] = member_owner(by_id[key])
                coming[key] = owners[key]
        second = _second_colleague(approach, team, coming, first_by_id)
        if second is not None:
            coming.setdefault(str(second["id"]), member_owner(second))
            lead.notes.append(
                f"attendees: {second['name']} ({second['role']}) comes as a second colleague: {lead.owner.name} "
                "holds most of the people who sign, and the relationship is shared before it deepens"
            )
        if not coming:
            continue
        attendees = tuple(coming.values())
        for draft in approach:
            draft.attendees = attendees
        lead.notes.append("attendees: " + ", ".join(f"{a.name} ({a.role})" for a in attendees))


def holds_the_signers(member: Record | None) -> bool:
    """Whether a salesperson holds most of the people who sign (our account director at the top is leverage)."""
    if member is None or member["role"] == "AD":
        return False
    return (member.get("decider_share") or 0) > MOST and (member.get("decider_count") or 0) >= 2


def _second_colleague(
    approach: list[Draft], team: Sequence[Record], coming: dict[str, Owner], first_by_id: dict[str, Record]
) -> Record | None:
    """A colleague for the star's meeting with someone who signs: the account director, else the most senior."""
    lead = approach[0]
    if lead.owner is None or lead.action.kind not in _MEETS:
        return None
    star = first_by_id.get(lead.owner.id)
    if not holds_the_signers(star):
        return None
    if not any(
        d.rec.subject_kind == "contact" and ((d.subject or {}).get("decider") or (d.subject or {}).get("key_person"))
        for d in approach
    ):
        return None
    if any(a != lead.owner.id for a in coming):
        return None  # a colleague already comes along
    others = sorted(
        (m for m in team if str(m["id"]) != lead.owner.id),
        key=lambda m: (m["role"] != "AD", _SENIORITY.get(str(m["level"]), 9), str(m["id"])),
    )
    return others[0] if others else None
