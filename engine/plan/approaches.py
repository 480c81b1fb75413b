"""One approach per person (or deal) at a time: the reasons that point at one subject within a window
become one occasion, led by the action that can carry the others.

Which action leads is decided by what can carry what: a formal meeting carries another meeting's
purpose, an invitation, birthday wishes, a gift or care (the executive visit carries the birthday
wishes); an event we host carries meetings and invitations; a private occasion carries only wishes
and a gift; two events we host, or a formal meeting and a private one, do not share a window. An
occasion already scheduled with the person (an HQ tour next week) takes along what it can carry, on
its date. What cannot be carried (or repeats a companion) is dropped, with the reason, and comes back
on a later run; two approaches to one subject are never within the window of each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence

from ..model.actions import Mode
from ..model.recommendation import Recommendation
from .attendees import role_specific
from .calendar import Calendar
from .carriers import best_first, carries, leader
from .carriers import carrier_rank as carrier_rank  # week.py and the stored week read it from here
from .companions import one_of_each, own_work_key
from .dates import UNREADY as _UNREADY
from .dates import after_window as _after_window
from .dates import occasion_day as _date
from .dates import own_day
from .draft import Draft
from .occasions import Approach, Scheduled

_EVENT = Mode.EVENT  # an enum's member read from its class costs a lookup each time, in loops over members
_INTERNAL = Mode.INTERNAL


def make_approach_id(account_id: str, subject_id: str, seed: str) -> str:
    """An approach's stable id: its account, its lead's subject and its lead (or the scheduled activity)."""
    return "apr-" + hashlib.sha256("\x1f".join((account_id, subject_id, seed)).encode()).hexdigest()[:16]


def leads(rec: Recommendation) -> bool:
    """Whether ``rec`` is the lead of its approach (an approach riding on a scheduled activity has none)."""
    return rec.approach is not None and rec.approach == make_approach_id(rec.account_id, rec.subject_id, rec.id)


def form_approaches(
    drafts: Sequence[Draft],
    window_days: int,
    account_id: str,
    as_of: dt.date,
    scheduled: Mapping[str, Sequence[Scheduled]] | None = None,
    calendar: Calendar | None = None,
) -> tuple[list[list[Draft]], list[tuple[Draft, str]]]:
    """Group drafts into approaches (lead first); return them and the drafts dropped, with why.

    Customer-facing drafts group by subject; of our own work, a deal's review and the account's are one meeting.
    """
    groups: dict[tuple[str, str], list[Draft]] = defaultdict(list)
    for draft in drafts:
        rec = draft.rec
        # customer_facing, inlined: asked of every draft
        key = (rec.subject_kind, rec.subject_id) if draft.action.kind != _INTERNAL else ("own", own_work_key(draft))
        groups[key].append(draft)
    dropped: list[tuple[Draft, str]] = []
    formed: dict[tuple[str, str], list[Approach]] = {}
    for (kind, subject), group in groups.items():
        fixed = scheduled.get(subject, ()) if scheduled is not None and kind == "contact" else ()
        formed[(kind, subject)] = _form(group, window_days, as_of, fixed, dropped, calendar)
    _invite_to_deal_events(formed, window_days)
    _account_work_with_people(formed, window_days)
    approaches = [approach for found in formed.values() for approach in found if approach.members]
    for approach in approaches:
        if len(approach.members) > 1:  # one member (most approaches): no companions to weed out
            one_of_each(approach, dropped)
        _settle(approach, account_id)
    return [approach.members for approach in approaches], dropped


def _invite_to_deal_events(formed: dict[tuple[str, str], list[Approach]], window: int) -> None:
    """A person's invitation to an event we host for their deal (the deal team's HQ tour) is that event."""
    events = [a for (kind, _), found in formed.items() if kind == "opportunity" for a in found if _hosts(a)]
    for (kind, _), found in formed.items():
        if kind != "contact":
            continue
        for approach in found:
            lead = approach.members[0] if approach.members else None
            if lead is None or lead.deal is None or approach.scheduled is not None:
                continue
            event = next(
                (e for e in events if e.members[0].rec.subject_id == str(lead.deal["id"])
                 and e.members[0].action.id == lead.action.id and abs((e.day - approach.day).days) <= window),
                None,
            )  # fmt: skip
            if event is not None and all(carries(event.members[0].action, m.action) for m in approach.members):
                event.members.extend(approach.members)
                approach.members = []


def _account_work_with_people(formed: dict[tuple[str, str], list[Approach]], window: int) -> None:
    """Account-wide work of the kind a person's approach already is (an outing with the working level)
    rides on that approach rather than being a second outing in the same fortnight."""
    people = [a for (kind, _), found in formed.items() if kind == "contact" for a in found if a.members]
    for (kind, _), found in formed.items():
        if kind != "account":
            continue
        for approach in found:
            if not approach.members or approach.scheduled is not None:
                continue
            lead = approach.members[0]
            host = next(
                (p for p in people if any(m.action.id == lead.action.id for m in p.members)
                 and abs((p.day - approach.day).days) <= window
                 and all(carries(p.members[0].action, m.action) for m in approach.members)),
                None,
            )  # fmt: skip
            if host is not None:
                host.members.extend(approach.members)
                approach.members = []


def _hosts(approach: Approach) -> bool:
    return bool(approach.members) and approach.members[0].action.kind == _EVENT


def _form(
    group: list[Draft], window: int, as_of: dt.date, fixed: Sequence[Scheduled], dropped: list[tuple[Draft, str]],
    calendar: Calendar | None = None,
) -> list[Approach]:  # fmt: skip
    """One subject's approaches, the most urgent first, never two within ``window`` days."""
    if len(group) == 1 and not fixed:  # a subject with one reason: one approach, nothing to weigh
        return [Approach(group, group[0].due)]  # the occasion's day of one member is its own (occasion_day)
    group.sort(key=lambda d: (-d.priority, d.due, d.rec.rule, d.action.id))
    formed = [Approach([], occasion.day, occasion) for occasion in fixed if occasion.day >= as_of]
    for draft in group:
        approach = _nearest(formed, draft.due, window)
        if approach is None:
            formed.append(Approach([draft], draft.due))  # one member's occasion is on its own day (occasion_day)
            continue
        why = _join(approach, draft, as_of)
        later = _after_window(approach, draft, window, calendar) if why and _UNREADY in why else None
        if why is not None and own_day(draft) is not None:  # a day of its own: it keeps it, on its own
            draft.notes.append(f"approach: on its own day, {draft.due} ({why})")
            formed.append(Approach([draft], draft.due, dated=True))
        elif later is not None:  # it cannot ride on the occasion: it follows after the fortnight, on its own
            draft.notes.append(f"due: {later}, after the fortnight of the occasion on {approach.day} ({why})")
            draft.due = later
            formed.append(Approach([draft], later))
        elif why is not None:
            dropped.append((draft, why))
    while (pair := _too_close(formed, window)) is not None:  # a lead's lead time moved a date
        first, second = pair
        formed.remove(second)
        for draft in second.members:
            why = _join(first, draft, as_of)
            if why is not None and own_day(draft) is not None:
                draft.notes.append(f"approach: on its own day, {draft.due} ({why})")
                formed.append(Approach([draft], draft.due, dated=True))
            elif why is not None:
                dropped.append((draft, why))
    return [a for a in formed if a.members]


def _nearest(formed: list[Approach], due: dt.date, window: int) -> Approach | None:
    """The occasion closest to ``due`` within ``window`` days (the first of equals), or None."""
    nearest, gap = None, window + 1
    for approach in formed:
        days = abs((due - approach.day).days)
        if days < gap:
            nearest, gap = approach, days
    return nearest


def _join(approach: Approach, draft: Draft, as_of: dt.date) -> str | None:
    """Add ``draft`` if the occasion can carry it (or it can lead them all); else say why not."""
    members = [*approach.members, draft]
    if approach.scheduled is not None:
        occasion = approach.scheduled
        if not carries(occasion.action, draft.action):
            return f"the {occasion.action.id} already scheduled for {occasion.day} cannot also carry {draft.action.id}"
        if (day := own_day(draft)) is not None and occasion.day > day:
            return f"{draft.action.id} is for {day}; the {occasion.action.id} already scheduled is on {occasion.day}"
        if draft.action.lead_days and occasion.day < as_of + dt.timedelta(draft.action.lead_days):
            days = draft.action.lead_days
            return f"{draft.action.id} takes {days} days{_UNREADY} {occasion.day}"
        approach.members = best_first(members)
        return None
    lead = leader(members)
    if lead is None:
        first = approach.members[0]
        return f"cannot share one occasion with {first.action.id} due {approach.day}"
    ordered = [lead, *(m for m in members if m is not lead)]
    day = _date(ordered, as_of)
    # What takes weeks to organise (an exhibition invitation: 21 days) never rides on an earlier occasion.
    for member in ordered:
        lead_days = member.action.lead_days
        if lead_days and day < as_of + dt.timedelta(lead_days):
            return f"{member.action.id} takes {lead_days} days{_UNREADY} {day}"
    # A greeting, a festival visit or gift has a day of its own: it never rides on an occasion after it.
    for member in ordered:
        if (own := own_day(member)) is not None and day > own:
            return f"{member.action.id} is for {member.due}; the occasion would be on {day}"
    approach.members, approach.day = ordered, day
    return None


def _too_close(formed: list[Approach], window: int) -> tuple[Approach, Approach] | None:
    if len(formed) < 2:
        return None  # one occasion (a subject's reasons all joined): no pair to be too close
    live = sorted((a for a in formed if (a.members or a.scheduled) and not a.dated), key=lambda a: a.day)
    for first, second in itertools.pairwise(live):
        if (second.day - first.day).days <= window and second.scheduled is None:
            return first, second
    return None


def _settle(approach: Approach, account_id: str) -> None:
    """One occasion: one date, one id, one owner (the lead's); its members say what carries them.

    Its urgency is its subject's most urgent reason: the deal team's HQ tour does not rank by the
    invitation of the one person on it who matters most, or every event would outrank its guests.
    """
    lead = approach.members[0]
    occasion = approach.scheduled
    seed = occasion.activity_id if occasion else lead.rec.id
    approach_id = make_approach_id(account_id, lead.rec.subject_id, seed)
    if occasion is None and len(approach.members) == 1:  # most approaches: one reason, nothing to merge
        lead.due, lead.approach = approach.day, approach_id
        return
    urgency = max(d.priority for d in approach.members if d.rec.subject_id == lead.rec.subject_id)
    led_by = _who(lead)  # said in most members' notes: worked out once per approach
    for member in approach.members:
        if occasion is not None:
            member.notes.append(f"approach: rides on the {occasion.action.id} already scheduled for {occasion.day}")
        elif member is not lead:
            member.notes.append(f"approach: carried by {lead.action.id} ({approach_id}), led by {led_by}")
        if member.owner != lead.owner and lead.owner is not None:
            if member.owner is not None and role_specific(member, lead.owner.role):
                # Role-specific work (the SR's technical exchange) is never handed to whoever leads: its
                # owner comes along to the occasion (attendees.py).
                member.notes.append(f"owner: {_who(member)}, who comes along; {led_by} leads the approach")
            else:
                member.notes.append(f"owner: {led_by}, who leads the approach (not {_who(member)})")
                member.owner = lead.owner
        if abs(member.priority - urgency) >= 0.005:
            member.notes.append(f"urgency: {urgency:.2f}, the most urgent reason of its approach")
        member.due, member.priority, member.approach = approach.day, urgency, approach_id
    if len(approach.members) > 1 and occasion is None:
        lead.notes.append(f"approach: leads {approach_id} with " + ", ".join(m.action.id for m in approach.members[1:]))


def _who(draft: Draft) -> str:
    return f"{draft.owner.name} ({draft.owner.role})" if draft.owner else "nobody yet"
