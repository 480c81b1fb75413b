"""One team goes (一支队伍): who comes along to an approach besides the colleague who leads it.

A companion whose work is another role's (the SR's technical exchange on our executive's visit)
keeps its owner, who comes along; the person's relationship owner comes when someone else leads.
Every attendee's time is counted by the week's plan as the lead's is.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model.recommendation import Owner
from .draft import Draft, Record


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
    for approach in approaches:
        lead = approach[0]
        if not lead.customer_facing or lead.owner is None:
            continue  # our own work, or nobody to go: no occasion to come along to
        coming: dict[str, Owner] = {}
        for draft in approach:
            if draft.owner is not None and draft.owner.id != lead.owner.id:
                coming.setdefault(draft.owner.id, draft.owner)
            keeper = (draft.subject or {}).get("owner") if draft.rec.subject_kind == "contact" else None
            if keeper is not None and str(keeper) != lead.owner.id and str(keeper) in by_id:
                coming.setdefault(str(keeper), member_owner(by_id[str(keeper)]))
        if not coming:
            continue
        attendees = tuple(coming.values())
        for draft in approach:
            draft.attendees = attendees
        lead.notes.append("attendees: " + ", ".join(f"{a.name} ({a.role})" for a in attendees))
