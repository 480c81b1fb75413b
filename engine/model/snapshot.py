"""The account snapshot (docs/snapshot.md) as pydantic models with integrity checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, WithJsonSchema

from ..errors import did_you_mean
from .actions import ActionCatalogue

FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _not_a_boolean(value: Any) -> Any:
    # pydantic's lax mode reads true as 1: a stance of true is a mistake to report, not a 1.
    if isinstance(value, bool):
        raise ValueError(f"expected a number, found {str(value).lower()}")
    return value


def _date_as_text(value: Any) -> Any:
    # ... and 86400 as 1970-01-02 (seconds since 1970): a date is written as YYYY-MM-DD.
    if isinstance(value, bool):
        raise ValueError(f"expected a date as YYYY-MM-DD, found {str(value).lower()}")
    if isinstance(value, int | float):
        raise ValueError(f"expected a date as YYYY-MM-DD, found the number {value!r}")
    return value


def _in_range(day: dt.date) -> dt.date:
    # Dates near year 9999 overflow the arithmetic on them (days to a birthday, a due date).
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"expected a date from {FIRST_DAY} to {LAST_DAY}, found {day}")
    return day


#: The range in the schema too (a pattern on the year, as JSON Schema has no range of dates): a client generated from
#: the service's OpenAPI document was refused 0527-07-22 with nothing in the document saying why.
DATE_SCHEMA = {"type": "string", "format": "date", "pattern": r"^(19\d\d|2[01]\d\d)-\d\d-\d\d$"}
Date = Annotated[dt.date, BeforeValidator(_date_as_text), AfterValidator(_in_range), WithJsonSchema(DATE_SCHEMA)]
#: true or false, as the schema says: pydantic's lax mode read 0, 1 and "yes" as booleans (YAML reads yes itself).
Flag = Annotated[bool, Strict()]
Number = Annotated[float, BeforeValidator(_not_a_boolean)]
Level = Literal["executive", "senior", "middle", "staff"]
PowerRole = Literal["A", "D", "S", "E", "I"]
Stance = Annotated[Literal[-1, 0, 1, 2, 3], BeforeValidator(_not_a_boolean)]
Stage = Literal["lead", "qualified", "bidding", "negotiation", "won", "lost"]
GroupName = Literal["commercial", "technical", "selection", "final"]
TeamRole = Literal["AR", "SR", "FR", "AD"]
Tier = Literal["strategic", "key", "standard"]
Strength = Annotated[Literal[0, 1, 2, 3], BeforeValidator(_not_a_boolean)]
AccountStage = Literal["expansion", "growth", "mature"]

CLOSED_STAGES = ("won", "lost")
#: An activity of a kind no action is (a call, a CRM "Meeting"): contact happened, the person was met (first rung).
OTHER_ACTIVITY = "other"
FieldPath = tuple[str | int, ...]


class _Strict(BaseModel):
    # Unknown keys are errors: a typo must not pass silently (contract section 1).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class OrgRelationship(_Strict):
    """The four elements of the organisational relationship, 0 none .. 3 strong."""

    communication: Strength = 0
    matching: Strength = 0
    joint: Strength = 0
    recognition: Strength = 0


class Account(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    industry: str | None = None
    tier: Tier = "standard"
    strategic_partner: Flag = False
    crisis: Flag = False  # the customer's own crisis; ours or the market's is declared in kamengine.toml
    stage: AccountStage | None = None  # staffs the iron triangle: expansion, growth or mature
    currency: str = "EUR"
    org_relationship: OrgRelationship = OrgRelationship()
    extra: dict[str, Any] = Field(default_factory=dict)


class PreviousRole(_Strict):
    """The role a contact held before the one they hold now (role history, contract section 5)."""

    title: str | None = None
    until: Date | None = None  # the last day in that role


class OpenQuestion(_Strict):
    """A question the customer asked us (151: every question gets an answer, even an offhand one)."""

    asked: Date
    by: str | None = None  # the contact who asked; on a contact, that contact
    text: str = Field(min_length=1)
    answered: Date | None = None  # when we answered it; null: still open


class Contact(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    title: str | None = None
    department: str | None = None
    level: Level = "staff"
    role: PowerRole | None = None
    stance: Stance = 0
    rising_star: Flag = False
    public_official: Flag = False
    birthday: Date | None = None
    interests: list[str] = Field(default_factory=list)
    owner: str | None = None
    reports_to: str | None = None  # the contact this person reports to (the org chart)
    in_role_since: Date | None = None  # when they took this role: a new executive is an event
    previous_stance: Stance | None = None  # the stance before the last change: a drop is an event
    backs_competitor: str | None = None  # a rival this person backs or coaches: never our coach
    previous_role: PreviousRole | None = None  # the role before this one: they moved (role history)
    replaced_by: str | None = None  # the contact who took over the role this person held (their successor)
    moved_to: str | None = None  # where this person went, in words (a new role, another company): they left it
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)


class GroupMember(_Strict):
    contact_id: str
    # Field first: after a BeforeValidator pydantic wrote the bound as 'ge', a word JSON Schema does not have.
    proximity: Annotated[int, Field(ge=1), BeforeValidator(_not_a_boolean)]


class DecisionGroup(_Strict):
    group: GroupName
    members: list[GroupMember] = Field(default_factory=list)


class Opportunity(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    stage: Stage = "lead"
    # A deal is worth something, and at most 10^18 in any currency: -5e300 crashed the plan's urgency (log10).
    # Field before the validator: after one, pydantic writes the bounds into the schema as 'ge' and 'le'.
    value: Annotated[float, Field(ge=0, le=1e18), BeforeValidator(_not_a_boolean)] | None = None
    close_date: Date | None = None
    decision_groups: list[DecisionGroup] = Field(default_factory=list)

    @property
    def live(self) -> bool:
        """A deal still to be won: neither won nor lost."""
        return self.stage not in CLOSED_STAGES


class Activity(_Strict):
    id: str = Field(min_length=1)
    type: str
    date: Date
    contact_ids: list[str] = Field(default_factory=list)
    opportunity_id: str | None = None
    owner: str | None = None
    open_questions: list[OpenQuestion] = Field(default_factory=list)  # asked during it, by whom, answered when


class TeamMember(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    role: TeamRole
    level: Level = "middle"
    email: str | None = Field(default=None, min_length=3)  # where a calendar invitation reaches them


class Snapshot(_Strict):
    """One account as of one date."""

    schema_version: Literal[1] = 1
    as_of: Date
    account: Account
    contacts: list[Contact] = Field(default_factory=list)
    opportunities: list[Opportunity] = Field(default_factory=list)
    activities: list[Activity] = Field(default_factory=list)
    team: list[TeamMember] = Field(default_factory=list)


def integrity_problems(snap: Snapshot, actions: ActionCatalogue) -> Iterable[tuple[FieldPath, str]]:
    """Yield ``(field path, message)`` for every duplicate id and broken reference."""
    for name in ("contacts", "opportunities", "activities", "team"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(snap, name)):
            if item.id in seen:
                yield (name, index, "id"), f"duplicate id '{item.id}'"
            seen.add(item.id)
    contacts = {c.id for c in snap.contacts}
    team = {m.id for m in snap.team}
    deals = {o.id for o in snap.opportunities}
    for index, contact in enumerate(snap.contacts):
        if contact.owner is not None and contact.owner not in team:
            yield (
                ("contacts", index, "owner"),
                f"unknown team member '{contact.owner}'{did_you_mean(contact.owner, team)}",
            )
        if contact.reports_to is not None and contact.reports_to not in contacts:
            hint = did_you_mean(contact.reports_to, contacts)
            yield ("contacts", index, "reports_to"), f"unknown contact '{contact.reports_to}'{hint}"
        if contact.replaced_by == contact.id:
            yield ("contacts", index, "replaced_by"), "a contact cannot be their own successor"
        elif contact.replaced_by is not None and contact.replaced_by not in contacts:
            hint = did_you_mean(contact.replaced_by, contacts)
            yield ("contacts", index, "replaced_by"), f"unknown contact '{contact.replaced_by}'{hint}"
        for q, question in enumerate(contact.open_questions):
            if question.by is not None and question.by != contact.id:
                asker: FieldPath = ("contacts", index, "open_questions", q, "by")
                yield asker, f"a contact's own questions are asked by them: expected '{contact.id}' or no 'by'"
    yield from _reporting_loops(snap.contacts)
    for index, deal in enumerate(snap.opportunities):
        for g, group in enumerate(deal.decision_groups):
            for m, member in enumerate(group.members):
                if member.contact_id not in contacts:
                    path = ("opportunities", index, "decision_groups", g, "members", m, "contact_id")
                    yield path, f"unknown contact '{member.contact_id}'{did_you_mean(member.contact_id, contacts)}"
    for index, activity in enumerate(snap.activities):
        if activity.type not in actions and activity.type != OTHER_ACTIVITY:
            yield (
                ("activities", index, "type"),
                f"unknown action id '{activity.type}'{did_you_mean(activity.type, actions.ids())}",
            )
        for c, contact_id in enumerate(activity.contact_ids):
            if contact_id not in contacts:
                yield (
                    ("activities", index, "contact_ids", c),
                    f"unknown contact '{contact_id}'{did_you_mean(contact_id, contacts)}",
                )
        if activity.opportunity_id is not None and activity.opportunity_id not in deals:
            yield ("activities", index, "opportunity_id"), f"unknown opportunity '{activity.opportunity_id}'"
        if activity.owner is not None and activity.owner not in team:
            yield (
                ("activities", index, "owner"),
                f"unknown team member '{activity.owner}'{did_you_mean(activity.owner, team)}",
            )
        for q, question in enumerate(activity.open_questions):
            if question.by is not None and question.by not in activity.contact_ids:
                asked_by: FieldPath = ("activities", index, "open_questions", q, "by")
                hint = did_you_mean(question.by, activity.contact_ids)
                yield asked_by, f"'{question.by}' is not among the activity's contact_ids{hint}"


def _reporting_loops(contacts: list[Contact]) -> Iterable[tuple[FieldPath, str]]:
    """An org chart has no loops: nobody reports to themselves, directly or up the line.

    Each person is walked up once (a walk stops at anyone already walked), so a long chain costs
    its length, not its square; a loop is reported once, from its first contact in the file."""
    boss = {c.id: c.reports_to for c in contacts}
    loop_of: dict[str, list[str]] = {}
    walked: set[str] = set()
    for start in boss:
        path: list[str] = []
        on_path: dict[str, int] = {}
        current: str | None = start
        while current is not None and current in boss and current not in walked and current not in on_path:
            on_path[current] = len(path)
            path.append(current)
            current = boss[current]
        if current is not None and current in on_path:
            loop = path[on_path[current] :]
            loop_of.update((member, loop) for member in loop)
        walked.update(path)
    reported: set[str] = set()
    for index, contact in enumerate(contacts):
        found = loop_of.get(contact.id)
        if found is None or contact.id in reported:
            continue
        reported.update(found)
        at = found.index(contact.id)
        line = found[at:] + found[:at]
        yield ("contacts", index, "reports_to"), "reports_to makes a loop: " + " -> ".join([*line, contact.id])
