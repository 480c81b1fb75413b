"""The power map as an org chart: one card per contact, placed under the person they report to."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kamengine.engine.model.actions import BUILTIN_ACTIONS
from kamengine.engine.model.fields import INTIMACY_LADDER
from kamengine.engine.model.recommendation import Recommendation
from kamengine.engine.model.snapshot import Snapshot

ROLE_NAMES = {"A": "approver", "D": "decision maker", "S": "decision supporter", "E": "evaluator", "I": "influencer"}
STANCE_NAMES = {-1: "opposes us", 0: "neutral", 1: "supports us", 2: "supports us only", 3: "coach"}
RUNG_NAMES = tuple(BUILTIN_ACTIONS[action].label.lower() for action in INTIMACY_LADDER)


@dataclass(frozen=True)
class Advice:
    """One open recommendation as a line on a card or under a deal."""

    id: str
    action: str  # the action's name, e.g. "Executive visit": what a card has room for
    title: str
    due: dt.date
    owner: str  # who acts: a name, or the role when nobody on the team can
    priority: float
    compliance: str | None = None


@dataclass(frozen=True)
class Card:
    """What a person's card shows."""

    anchor: str  # p-1, p-2 ...: never the contact's own id, which is the user's text
    name: str
    title: str | None
    department: str | None
    role: str | None  # A D S E I, or None for no power role
    stance: int
    rung: int  # 0: never met; 1-5 the intimacy ladder
    owner: str | None
    last_touch: dt.date | None
    public_official: bool
    key_person: bool
    rising_star: bool
    backs_competitor: str | None
    advice: tuple[Advice, ...]

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role or "", "no power role")

    @property
    def stance_name(self) -> str:
        return STANCE_NAMES[self.stance]

    @property
    def stance_text(self) -> str:
        """The stance as a signed number: the colour is never the only sign of it."""
        return f"{self.stance:+d}" if self.stance else "0"

    @property
    def rung_name(self) -> str:
        return RUNG_NAMES[self.rung - 1] if self.rung else "never met"


@dataclass
class Node:
    """A card and the people who report to that person."""

    card: Card
    reports: list[Node] = field(default_factory=list)

    @property
    def branches(self) -> list[Node]:
        """Reports who have reports of their own: drawn side by side."""
        return [node for node in self.reports if node.reports]

    @property
    def leaves(self) -> list[Node]:
        """Reports with nobody under them: stacked in one column, which keeps a wide level narrow."""
        return [node for node in self.reports if not node.reports]


def advice_line(rec: Recommendation) -> Advice:
    owner = rec.owner.name if rec.owner else f"{rec.owner_role} (nobody yet)"
    known = BUILTIN_ACTIONS.get(rec.action)
    action = known.label if known else rec.action.replace("_", " ").capitalize()
    return Advice(rec.id, action, rec.title, rec.due, owner, rec.priority, rec.compliance)


def cards(
    snapshot: Snapshot, contacts: Sequence[Mapping[str, Any]], recommendations: Sequence[Recommendation]
) -> dict[str, Card]:
    """Every contact's card by contact id; ``contacts`` are the facts' contact records, in snapshot order."""
    team = {member.id: member.name for member in snapshot.team}
    advice: dict[str, list[Recommendation]] = defaultdict(list)
    for rec in recommendations:
        if rec.subject_kind == "contact" and rec.account_id == snapshot.account.id:
            advice[rec.subject_id].append(rec)
    made = {}
    for index, (contact, record) in enumerate(zip(snapshot.contacts, contacts, strict=True), start=1):
        days = record["days_since_last_activity"]
        theirs = sorted(advice[contact.id], key=lambda r: (r.due, -r.priority, r.id))
        made[contact.id] = Card(
            anchor=f"p-{index}",
            name=contact.name,
            title=contact.title,
            department=contact.department,
            role=contact.role,
            stance=contact.stance,
            rung=record["intimacy_level"],
            owner=team.get(contact.owner, contact.owner) if contact.owner else None,
            last_touch=snapshot.as_of - dt.timedelta(days=days) if days is not None else None,
            public_official=contact.public_official,
            key_person=record["key_person"],
            rising_star=contact.rising_star,
            backs_competitor=contact.backs_competitor,
            advice=tuple(advice_line(rec) for rec in theirs),
        )
    return made


def org_chart(snapshot: Snapshot, by_id: Mapping[str, Card]) -> list[Node]:
    """The org chart's roots, each with the people under them; every contact appears exactly once.

    A person whose manager is not in the snapshot is a root. A loop in ``reports_to`` (which a
    validated snapshot cannot have) is broken at its first person in snapshot order, never followed.
    """
    ids = list(dict.fromkeys(c.id for c in snapshot.contacts if c.id in by_id))  # an id twice is one card
    manager = {c.id: c.reports_to for c in snapshot.contacts}
    under: dict[str, list[str]] = defaultdict(list)
    for contact_id in ids:
        boss = manager[contact_id]
        if boss is not None and boss in by_id and boss != contact_id:
            under[boss].append(contact_id)
    placed: set[str] = set()

    def grow(contact_id: str) -> Node:
        placed.add(contact_id)
        node = Node(by_id[contact_id])
        stack = [(node, contact_id)]
        while stack:  # iterative: a deep hierarchy must not reach Python's recursion limit
            parent, parent_id = stack.pop()
            for report in under[parent_id]:
                if report not in placed:
                    placed.add(report)
                    child = Node(by_id[report])
                    parent.reports.append(child)
                    stack.append((child, report))
        return node

    roots = [grow(i) for i in ids if manager[i] is None or manager[i] not in by_id or manager[i] == i]
    roots.extend(grow(i) for i in ids if i not in placed)  # what is left sits in a loop
    return roots
