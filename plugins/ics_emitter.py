"""Built-in emitter ``ics``: an iCalendar file proposing an all-day event per meeting or invitation, on its date.

One event per approach: a meeting that carries several reasons (the executive visit that also
brings the birthday wishes) is one event, its companions listed in the description. A
meeting is a visit-type action; an invitation (the exhibition) is handed over in person on
its date, so it is an event too. The summary names the company; the owner, when the plan
named one, is the attendee.

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
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kamengine.engine.plugin import (
    Change,
    EmitContext,
    Emitter,
    Event,
    Mode,
    Outgoing,
    Recommendation,
    hookimpl,
    open_atomically,
)

HEADER = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kamengine//recommendations//EN\r\nMETHOD:PUBLISH\r\n"
FOOTER = b"END:VCALENDAR\r\n"


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
    lines = [
        lead.rationale,
        *(f"Also: {c.recommendation.title}" for c in companions),
        "",
        f"Account: {company}",
        f"Rule: {lead.rule}. Owner: {owner}.",
    ]
    event.add("description", "\n".join(lines))
    event.add("categories", [lead.action, *(c.recommendation.action for c in companions)])
    if lead.owner:
        attendee = icalendar.vCalAddress(f"urn:kamengine:member:{lead.owner.id}")
        attendee.params["cn"] = icalendar.vText(lead.owner.name)
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    event.add("status", "CANCELLED" if closed else "TENTATIVE")
    return event


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [IcsEmitter]
