"""Built-in emitter ``ics``: an iCalendar file proposing an all-day event per meeting or invitation, on its date.

One event per approach: a meeting that carries several reasons (the executive visit that also
brings the birthday wishes) is one event, its companions listed in the description. A
meeting is a visit-type action; an invitation (the exhibition) is handed over in person on
its date, so it is an event too. The summary names the company. The owner, when the plan
named one, organises it and attends; the colleagues the approach brings along (its lead's and
companions' ``attendees``) are invited by their e-mail (``mailto:``, with their name), and one
the team has no e-mail for (or none that is an address) is named in the description instead.

In a nightly batch the file is still the whole calendar — a calendar subscribed to a file
shows what the file holds, so a file of tonight's changes alone would empty it — but it is
written row by row as the store streams them, and only when something in it changed. Each
event keeps its UID; SEQUENCE counts its changes, and a meeting that closed since the last
delivery is written once more with STATUS:CANCELLED, so a client that imported the file
before drops it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamengine import Change, EmitContext, Emitter, Event, Mode, Outgoing, Recommendation, hookimpl
from kamengine.toolkit import open_atomically

if TYPE_CHECKING:
    from kamengine.toolkit import Owner

HEADER = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kamengine//recommendations//EN\r\nMETHOD:PUBLISH\r\n"
FOOTER = b"END:VCALENDAR\r\n"
#: One e-mail address and nothing else: what may follow ``mailto:`` on a calendar line.
EMAIL = re.compile(r"[^@\s;:,<>\"\\]+@[^@\s;:,<>\"\\]+\.[^@\s;:,<>\"\\]+")


class IcsEmitter(Emitter):
    PLUGIN_NAME = "ics"
    DESCRIPTION = "an iCalendar (.ics) file at TARGET: one proposed event per meeting or invitation, on its due date"
    TARGET_REQUIRED = True

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        assert self.target
        # Sorted by meeting only: within one, the plan's order stays (its lead first).
        ordered = sorted(recommendations, key=_meeting)
        events, _ = _write(self.target, (Change(Event.NEW, r, "open", "", 0) for r in ordered), context)
        return f"{events} proposed meetings written to {self.target}"

    def emit_changes(self, outgoing: Outgoing, context: EmitContext) -> str:
        assert self.target
        if not outgoing.count and Path(self.target).exists():
            return f"nothing changed since the last delivery; {self.target} left as it was"
        events, cancelled = _write(self.target, outgoing.current(), context)
        return f"{events} proposed meetings ({cancelled} of them cancelled) written to {self.target}"


def _meeting(rec: Recommendation) -> tuple[str, str]:
    return rec.account_id, rec.approach or rec.id


def _write(target: str, changes: Iterable[Change], context: EmitContext) -> tuple[int, int]:
    """Write the calendar of ``changes`` (ordered by meeting); return how many events, and how many cancelled."""
    import icalendar  # only when a calendar is written: it costs every process that imports it

    stamp = dt.datetime.now(dt.UTC)
    events = cancelled = 0
    with open_atomically(target) as out:
        out.write(HEADER)
        for _, group in itertools.groupby(changes, key=lambda c: _meeting(c.recommendation)):
            members = list(group)
            live = [c for c in members if c.event != Event.CLOSED]
            lead, *companions = live or members
            if not _in_calendar(lead.recommendation, context):
                continue
            sequence = max(c.sequence for c in members)
            event = _event(icalendar, lead.recommendation, companions, stamp, sequence, not live)
            out.write(b"".join(fold(line.encode()) for line in event.content_lines() if line))
            events += 1
            cancelled += not live
        out.write(FOOTER)
    return events, cancelled


def fold(line: bytes) -> bytes:
    """One content line folded as RFC 5545 asks: at most 75 octets, then CRLF and a space; never inside a character.

    icalendar folds character by character, which is most of a large calendar's time: this
    cuts the encoded line instead, backing off from UTF-8 continuation bytes and from a
    backslash, so no client sees an escape split across lines.
    """
    if len(line) <= 75:
        return line + b"\r\n"
    pieces, start, limit = [], 0, 75
    while start < len(line):
        end = min(start + limit, len(line))
        while end < len(line) and end - start > 4 and (line[end] & 0xC0 == 0x80 or line[end - 1] == 0x5C):
            end -= 1
        pieces.append(line[start:end])
        start, limit = end, 74  # a continuation line starts with the space
    return b"\r\n ".join(pieces) + b"\r\n"


def _in_calendar(rec: Recommendation, context: EmitContext) -> bool:
    """A meeting in person, or an invitation handed over on its date."""
    action = context.actions.get(rec.action)
    return action is not None and (action.visit or action.kind == Mode.INVITATION)


def _event(
    icalendar: Any, lead: Recommendation, companions: list[Change], stamp: dt.datetime, sequence: int, closed: bool
) -> Any:
    event = icalendar.Event()
    event.add("uid", f"{lead.approach or lead.id}@kamengine")  # stable: re-importing updates, not duplicates
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", lead.due)
    event.add("dtend", lead.due + dt.timedelta(days=1))
    event.add("summary", f"{lead.account_name}: {lead.title}" if lead.account_name else lead.title)
    owner = f"{lead.owner.name} ({lead.owner.role})" if lead.owner else lead.owner_role
    company = f"{lead.account_name} ({lead.account_id})" if lead.account_name else lead.account_id
    along = _along(lead, [c.recommendation for c in companions])
    unreachable = [person for person in along if _mailto(person) is None]
    lines = [
        lead.rationale,
        *(f"Also: {c.recommendation.title}" for c in companions),
        "",
        f"Account: {company}",
        f"Rule: {lead.rule}. Owner: {owner}.",
        *([f"With: {', '.join(_named(person) for person in along)}."] if along else []),
        *([f"Not invited (no e-mail on the team): {', '.join(map(_named, unreachable))}."] if unreachable else []),
    ]
    event.add("description", "\n".join(lines))
    event.add("categories", [lead.action, *(c.recommendation.action for c in companions)])
    if lead.owner:
        event.add("organizer", _address(icalendar, lead.owner, None))
        event.add("attendee", _address(icalendar, lead.owner, "CHAIR"))
    for person in along:
        if _mailto(person) is not None:
            event.add("attendee", _address(icalendar, person, "REQ-PARTICIPANT"))
    event.add("status", "CANCELLED" if closed else "TENTATIVE")
    return event


def _along(lead: Recommendation, companions: Sequence[Recommendation]) -> list[Owner]:
    """The colleagues the approach brings besides its owner: its recommendations' attendees, each once."""
    found: dict[str, Owner] = {}
    for rec in (lead, *companions):
        for person in rec.attendees:
            if person.id not in found and (lead.owner is None or person.id != lead.owner.id):
                found[person.id] = person
    return list(found.values())


def _mailto(person: Owner) -> str | None:
    """``mailto:`` the member's e-mail, when it is one address (no space, no line break, no second @: a value
    that would end the calendar's line or add a parameter is no address)."""
    email = (person.email or "").strip()
    return f"mailto:{email}" if EMAIL.fullmatch(email) else None


def _address(icalendar: Any, person: Owner, role: str | None) -> Any:
    """The member as a calendar address: their e-mail, or (without one) their id in the team, with their name."""
    address = icalendar.vCalAddress(_mailto(person) or f"urn:kamengine:member:{person.id}")
    address.params["cn"] = icalendar.vText(person.name)
    if role is not None:
        address.params["role"] = icalendar.vText(role)
        address.params["cutype"] = icalendar.vText("INDIVIDUAL")
        if role != "CHAIR":
            address.params["partstat"] = icalendar.vText("NEEDS-ACTION")
            address.params["rsvp"] = icalendar.vText("TRUE")
    return address


def _named(person: Owner) -> str:
    return f"{person.name} ({person.role})"


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [IcsEmitter]
