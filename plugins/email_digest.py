"""One e-mail digest per person: what changed for them since the last digest, and their week.

Who gets what: a recommendation goes to its owner and to each colleague it brings along
(``attendees``), at the ``email`` of their team entry, or at the address the settings table's
``addresses`` gives their id. Documents are the recommendations' JSON (``to_dict``): the
digest reads fields, never objects, and works whether a team entry has an e-mail or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

LIVE = ("open", "accepted")  # what a person acts on this week (a snoozed one waits for its date)
SHOWN = 100  # lines a section lists: a first night's thousands are counted, not all written out


def today() -> dt.date:
    """The day the digest is written for (a function: tests set the day)."""
    return dt.date.today()


@dataclass
class Digest:
    """One person's digest: who, their changes (event, document) and their week's documents."""

    person: str  # their team id
    name: str
    address: str
    changes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    week: list[dict[str, Any]] = field(default_factory=list)


def people(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The owner and attendees of a recommendation (id, name, role, maybe email)."""
    found = [document["owner"]] if document.get("owner") else []
    return found + [a for a in document.get("attendees") or [] if a.get("id") not in {p["id"] for p in found}]


class Addressbook:
    """Each person's e-mail address: their team entry's, else the settings' ``addresses``; who has none is kept."""

    def __init__(self, addresses: Mapping[str, str]) -> None:
        self.addresses = addresses
        self.digests: dict[str, Digest] = {}
        self.unreachable: dict[str, str] = {}  # id -> name of people with no address anywhere

    def digests_of(self, document: Mapping[str, Any]) -> list[Digest]:
        found = []
        for person in people(document):
            address = person.get("email") or self.addresses.get(person["id"])
            if not address:
                self.unreachable[person["id"]] = person.get("name") or person["id"]
                continue
            if address not in self.digests:
                self.digests[address] = Digest(person["id"], person.get("name") or person["id"], address)
            found.append(self.digests[address])
        return found


def gather(
    changes: Iterable[tuple[str, dict[str, Any]]], current: Iterable[tuple[str, dict[str, Any]]], book: Addressbook
) -> list[Digest]:
    """The digests of everyone with a change: their changes, and their live recommendations due by Sunday."""
    for event, document in changes:
        for digest in book.digests_of(document):
            digest.changes.append((event, document))
    sunday = week_end(today())
    for status, document in current:
        if status in LIVE and dt.date.fromisoformat(document["due"]) <= sunday:
            for digest in book.digests_of(document):
                digest.week.append(document)
    return [digest for digest in book.digests.values() if digest.changes]


def week_end(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=6 - day.weekday())


def _line(document: Mapping[str, Any]) -> str:
    company = document.get("account_name") or document["account_id"]
    return f"{document['due']}  {company} — {document['title']}"


def compose(digest: Digest, sender: str) -> EmailMessage:
    """The e-mail of one digest: plain text, UTF-8, one section for the changes and one for the week."""
    day = today()
    year, week, _ = day.isocalendar()
    counts = {event: sum(1 for e, _ in digest.changes if e == event) for event in ("new", "changed", "closed")}
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((digest.name, digest.address))
    message["Subject"] = (
        f"kamengine — your week {year}-W{week:02d}: {len(digest.week)} to do, "
        f"{counts['new']} new, {counts['changed']} changed, {counts['closed']} closed"
    )
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    lines = [f"Hello {digest.name},", "", "What changed since the last digest:"]
    lines += [f"  [{event}] {_line(document)}" for event, document in digest.changes[:SHOWN]]
    lines += [f"  and {len(digest.changes) - SHOWN} more"] if len(digest.changes) > SHOWN else []
    lines += ["", f"Your week, to Sunday {week_end(day).isoformat()} (overdue ones first):"]
    ordered = sorted(digest.week, key=lambda d: (d["due"], -float(d.get("priority") or 0)))
    for document in ordered[:SHOWN]:
        late = "  overdue" if dt.date.fromisoformat(document["due"]) < day else ""
        lines.append(f"  {_line(document)}{late}")
        lines += [f"      {document['rationale']}"] if document.get("rationale") else []
    if not ordered:
        lines.append("  nothing due")
    elif len(ordered) > SHOWN:
        lines.append(f"  and {len(ordered) - SHOWN} more")
    lines += ["", "— kamengine"]
    message.set_content("\n".join(lines) + "\n", charset="utf-8")
    return message
