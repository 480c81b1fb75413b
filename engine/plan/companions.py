"""No duplicate companions in one occasion (one coach hunt, one outing per approach); our own work grouped by
what it decides (a deal's review and the account's are one meeting; staffing, one line per role)."""

from __future__ import annotations

from .draft import Draft
from .occasions import Approach

#: Our own work that is one meeting: a deal's win or loss review is held in the account review.
OWN_WORK = {"win_review": "review", "loss_review": "review", "account_review": "review"}


def own_work_key(draft: Draft) -> str:
    """What a piece of our own work decides: the review, the role a staffing line staffs, else itself."""
    if draft.action.id in OWN_WORK:
        return OWN_WORK[draft.action.id]
    if draft.action.id == "staff_iron_triangle":
        evidence = draft.rec.evidence
        fields = evidence.get("fields") or {}
        roles = [str(evidence["role"])] if "role" in evidence else []
        roles += sorted(
            name[len("team_count_") :]
            for name, value in fields.items()
            if name.startswith("team_count_") and value == 0
        )
        if roles:
            return "staff " + ",".join(dict.fromkeys(roles))
    return draft.rec.id


def one_of_each(approach: Approach, dropped: list[tuple[Draft, str]]) -> None:
    """No duplicate companions: one occasion carries one coach hunt, one outing, one care visit. Only the
    guests of a deal's event share its action (each person invited to the deal team's HQ tour)."""
    lead = approach.members[0]
    seen: dict[str, Draft] = {}
    kept = [lead]
    for member in approach.members[1:]:
        guest = member.action.id == lead.action.id and lead.rec.subject_kind == "opportunity"
        first = seen.get(member.action.id) or (lead if member.action.id == lead.action.id and not guest else None)
        if first is not None:
            dropped.append((member, f"the occasion already carries a {member.action.id} ({first.rec.title})"))
            continue
        if not guest:
            seen[member.action.id] = member
        kept.append(member)
    approach.members = kept
