"""The fields rules can test, one place with a line of documentation each (rule authors read this).

Every subject a rule looks at (a contact, an opportunity, the account) and every item a
quantifier walks over (activities, decision-group members, deals, team members) is a flat
record of these fields. Values are computed once per snapshot by ``evaluate/facts.py``; a field whose
value is unknown is ``null`` (missing), and every comparison with ``null`` is false: test it
with ``exists``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .actions import BUILTIN_ACTIONS
from .people_fields import PEOPLE_FIELDS
from .snapshot import CLOSED_STAGES

LEVELS = ("executive", "senior", "middle", "staff")
ROLES = ("A", "D", "S", "E", "I")
STAGES = ("lead", "qualified", "bidding", "negotiation", *CLOSED_STAGES)
GROUPS = ("commercial", "technical", "selection", "final")
TIERS = ("strategic", "key", "standard")
TEAM_ROLES = ("AR", "SR", "FR", "AD")
#: Huawei's five sales actions of "151", in the order a new deal should get them.
SALES_ACTIONS_151 = ("technical_exchange", "reference_site_visit", "onsite_meeting", "hq_tour", "executive_visit")
#: Close contact that counts as the ladder's first rung: past "getting in at all".
FIRST_RUNG_CONTACT = ("executive_visit", "reference_site_visit", "onsite_meeting")
INTIMACY_LADDER = (
    "project_office_visit",
    "regular_office_visit",
    "private_activity",
    "family_banquet",
    "home_visit",
)


@dataclass(frozen=True)
class FieldSpec:
    """One field: its name, type (int, number, str, bool, date, action) and meaning.

    ``action`` is a string that must be a known action id; ``always``: never missing (null).
    """

    name: str
    type: str
    doc: str
    choices: tuple[object, ...] | None = None
    always: bool = False


def _f(name: str, type_: str, doc: str, choices: tuple[object, ...] | None = None) -> FieldSpec:
    return FieldSpec(name, type_, doc, choices)


_CONTACT = [
    _f("id", "str", "the contact's id"),
    _f("name", "str", "full name"),
    _f("title", "str", "job title"),
    _f("department", "str", "department"),
    _f("level", "str", "seniority", LEVELS),
    _f("role", "str", "power role: A approver, D decision maker, S supporter, E evaluator, I influencer", ROLES),
    _f("stance", "int", "stance toward us: -1 opposes, 0 neutral, 1 supports, 2 exclusive, 3 coach", (-1, 0, 1, 2, 3)),
    _f("rising_star", "bool", "an ordinary contact today who may become a key person"),
    _f("public_official", "bool", "a state employee: compliance limits apply"),
    _f("birthday", "date", "date of birth (the year may be any)"),
    _f("owner", "str", "id of the team member who owns this relationship"),
    _f("owner_level", "str", "seniority of the relationship owner", LEVELS),
    _f("owner_role", "str", "iron-triangle role of the relationship owner", TEAM_ROLES),
    _f("contacted", "bool", "has any past activity (tells 'neutral' from 'never contacted' at stance 0)"),
    _f("activity_count", "int", "number of past activities with this contact"),
    _f("days_since_last_activity", "int", "days since the last past activity; null if never contacted"),
    _f(
        "intimacy_level",
        "int",
        "highest rung of the intimacy ladder reached: 0 none, 1 project office visit (or an executive visit,"
        " reference-site visit or on-site meeting) .. 5 home visit",
        tuple(range(len(INTIMACY_LADDER) + 1)),
    ),
    _f("next_intimacy_action", "action", "the action id of the next rung above the highest reached; null at the top"),
    _f("days_to_birthday", "int", "days until the next birthday (0 = today); null without a birthday"),
    _f(
        "key_person",
        "bool",
        "decides a live deal: nearest the axis in one of its decision groups, its approver or a decision maker"
        " in its groups, or our coach in them",
    ),
    _f("fishbone_key_person", "bool", "nearest the axis in a decision group of a live deal"),
    _f("live_deal_count", "int", "number of live deals whose decision groups include this contact"),
    _f("planned_count", "int", "number of scheduled (future-dated) activities with this contact"),
    _f(
        "department_supporters",
        "int",
        "contacts of the same department (this one included) at stance >= 1; null without a department",
    ),
    _f("department_head", "bool", "the most senior contact of their department (ties: the first listed)"),
    _f("department_size", "int", "contacts in the same department (this one included); null without a department"),
    _f("owned_by_top_owner", "bool", "this relationship is owned by the account's top owner (soil fertility)"),
    _f("met", "bool", "someone of ours has met this person (a past visit-type or `other` activity); false: never met"),
    _f("decider", "bool", "who signs: an approver or decision maker, or in a live deal's final decision group"),
    _f("days_since_last_meeting", "int", "days since we last met this person; null if never met"),
    _f("reports_to", "str", "id of the contact this person reports to"),
    _f("in_role_since", "date", "when they took this role"),
    _f("days_in_role", "int", "days since they took this role; null if unknown"),
    _f("previous_stance", "int", "the stance before the last change; null if unknown"),
    _f("stance_change", "int", "stance minus previous_stance (negative: a drop); null if unknown"),
    _f("backs_competitor", "str", "a rival this person backs or coaches; null if none known"),
    _f("coach", "bool", "stance 3 and backing no rival: our coach"),
    _f("top_deal", "str", "id of the most valuable live deal this person helps decide; null if none"),
    _f("deal_value", "number", "value of that deal"),
    _f("deal_days_to_close", "int", "days until that deal closes"),
    _f("days_since_won_deal", "int", "days since a deal this person helped decide was won; null if none"),
    _f("days_since_lost_deal", "int", "days since a deal this person helped decide was lost; null if none"),
]
_CONTACT += [
    _f(f"days_since_{action}", "int", f"days since the last past {action}; null if none") for action in BUILTIN_ACTIONS
]

_OPPORTUNITY = [
    _f("id", "str", "the opportunity's id"),
    _f("name", "str", "deal name"),
    _f("stage", "str", "sales stage", STAGES),
    _f("value", "number", "deal value in the account's currency"),
    _f("close_date", "date", "expected close date"),
    _f("live", "bool", "neither won nor lost"),
    _f("days_to_close", "int", "days until the close date (negative: overdue); null without one"),
    _f("member_count", "int", "people in its decision groups (each person once)"),
    _f("supporter_count", "int", "decision-group members at stance >= 1"),
    _f("opposer_count", "int", "decision-group members at stance -1"),
    _f("coach_count", "int", "decision-group members who are our coach (stance 3, backing no rival)"),
    _f("best_stance", "int", "highest stance among its decision-group members; null without members"),
    _f("groups_without_supporter", "int", "decision groups with no member at stance >= 1"),
    _f("days_since_last_activity", "int", "days since the last past activity on this deal; null if none"),
    _f("sales_actions_done", "int", "how many of the five 151 sales actions were done on this deal"),
    _f(
        "next_151_action", "action", "the first 151 sales action not yet done on this deal, in order; null when all are"
    ),
    _f("days_since_close", "int", "a won or lost deal: days since its close date; null while live"),
]
_OPPORTUNITY += [
    _f(f"days_since_{action}", "int", f"days since the last past {action} on this deal; null if none")
    for action in BUILTIN_ACTIONS
]

_ACCOUNT = [
    _f("id", "str", "the account's id"),
    _f("name", "str", "account name"),
    _f("industry", "str", "industry"),
    _f("tier", "str", "tier (分层分级)", TIERS),
    _f("strategic_partner", "bool", "a strategic partner (战略合作伙伴)"),
    _f("crisis", "bool", "the account or its market is in a crisis"),
    _f("currency", "str", "currency of values and the gift cap"),
    _f("communication", "int", "organisational relationship: communication 沟通, 0..3"),
    _f("matching", "int", "organisational relationship: matching 匹配, 0..3"),
    _f("joint", "int", "organisational relationship: joint action 联合, 0..3"),
    _f("recognition", "int", "organisational relationship: recognition 认同, 0..3"),
    _f("contact_count", "int", "number of contacts"),
    _f("supporter_count", "int", "contacts at stance >= 1"),
    _f("opposer_count", "int", "contacts at stance -1"),
    _f("coach_count", "int", "contacts who are our coach (stance 3, backing no rival)"),
    _f("uncontacted_count", "int", "contacts with no past activity"),
    _f("live_deal_count", "int", "live opportunities"),
    _f("team_count", "int", "members of our account team"),
    _f("top_owner", "str", "the team member holding most supportive (stance >= 1) relationships"),
    _f("top_owner_share", "number", "share (0..1) of supportive relationships held by the top owner; null if none"),
    _f("days_since_last_activity", "int", "days since the last past activity in the account; null if none"),
    _f("days_since_top_level_dialogue", "int", "days since the last summit dialogue or executive visit; null if none"),
    _f("top_owner_name", "str", "the name of the top owner"),
    _f("top_owner_contacts", "str", "names of the supportive contacts the top owner holds, comma-separated"),
    _f("senior_supporters", "int", "executive and senior contacts at stance >= 1 (the pillars and the roof)"),
    _f("working_contacts", "int", "middle and staff contacts (the foundation)"),
    _f("working_supporters", "int", "middle and staff contacts at stance >= 1"),
    _f("decider_supporters", "int", "approvers and decision makers at stance >= 1"),
    _f("decider_holder", "str", "the team member owning most of the deciders and key people (soil fertility)"),
    _f("decider_holder_name", "str", "the name of the decider holder"),
    _f("decider_holder_share", "number", "share (0..1) of the deciders and key people the decider holder owns"),
    _f("decider_holder_contacts", "str", "names of the deciders and key people the decider holder owns"),
    _f("stage", "str", "the account's stage, which staffs the iron triangle", ("expansion", "growth", "mature")),
    _f("live_pipeline_value", "number", "sum of the values of the live deals"),
    _f("days_since_last_win", "int", "days since the most recent won deal closed; null if none"),
    _f("days_since_last_loss", "int", "days since the most recent lost deal closed; null if none"),
]
_ACCOUNT += [_f(f"team_count_{role}", "int", f"members of our account team in the {role} role") for role in TEAM_ROLES]
_ACCOUNT += [
    _f(f"days_since_{action}", "int", f"days since the last past {action} in the account; null if none")
    for action in BUILTIN_ACTIONS
]
_ACCOUNT += [_f(f"count_role_{role}", "int", f"contacts with power role {role}") for role in ROLES]
_ACCOUNT += [
    _f(f"count_stance_{name}", "int", f"contacts at stance {value}")
    for name, value in (("m1", -1), ("0", 0), ("1", 1), ("2", 2), ("3", 3))
]

# People events (role history, the project office), 151's open questions and slipped deals: issue 22.
_CONTACT += [_f(*spec) for spec in PEOPLE_FIELDS["contact"]]
_OPPORTUNITY += [_f(*spec) for spec in PEOPLE_FIELDS["opportunity"]]
_ACCOUNT += [_f(*spec) for spec in PEOPLE_FIELDS["account"]]

_ACTIVITY = [
    _f("id", "str", "the activity's id"),
    _f("type", "action", "action id of what was done"),
    _f("date", "date", "when it happened or is scheduled"),
    _f("days_ago", "int", "days before the snapshot date (negative: scheduled in the future)"),
    _f("planned", "bool", "dated after the snapshot date (scheduled, not yet done)"),
    _f("opportunity_id", "str", "the deal it served, if any"),
    _f("owner", "str", "the team member who did it"),
    _f("contact_count", "int", "number of contacts it involved"),
]

_MEMBERSHIP = [
    _f("group", "str", "the decision group (fishbone bone)", GROUPS),
    _f("proximity", "int", "distance from the axis: 1 is nearest (most influence)"),
    _f("group_key_person", "bool", "nearest the axis in this group"),
    _f("group_supporters", "int", "members of this group at stance >= 1"),
    _f("strongest_supporter", "bool", "the one member at the highest stance >= 1 backing no rival (ties: nearest)"),
]

_TEAM_MEMBER = [
    _f("id", "str", "the team member's id"),
    _f("name", "str", "name"),
    _f("role", "str", "iron-triangle role", TEAM_ROLES),
    _f("level", "str", "seniority", LEVELS),
    _f("contact_count", "int", "contacts whose relationship this member owns"),
    _f("supportive_count", "int", "owned contacts at stance >= 1"),
    _f("supportive_share", "number", "share (0..1) of the account's supportive contacts owned; null if none"),
    _f("decider_count", "int", "owned contacts who are deciders or key people"),
    _f("decider_share", "number", "share (0..1) of the account's deciders and key people owned; null if none"),
]


#: Fields every record of its kind has, computed from required or defaulted snapshot fields: a decision
#: table's checks need not ask "and when it is missing?" of them.
_ALWAYS = {
    "contact": {
        "level", "stance", "rising_star", "public_official", "contacted", "activity_count", "planned_count",
        "intimacy_level", "key_person", "fishbone_key_person", "live_deal_count", "department_head",
        "owned_by_top_owner", "met", "coach", "decider",
    },
    "opportunity": {"stage", "live", "close_date_passed"},
    "account": {"tier", "strategic_partner", "crisis", "communication", "matching", "joint", "recognition"},
}  # fmt: skip


def _always(specs: list[FieldSpec], kind: str) -> list[FieldSpec]:
    return [replace(spec, always=True) if spec.name in _ALWAYS[kind] else spec for spec in specs]


_CONTACT, _OPPORTUNITY, _ACCOUNT = (
    _always(s, k) for s, k in ((_CONTACT, "contact"), (_OPPORTUNITY, "opportunity"), (_ACCOUNT, "account"))
)


def _index(specs: list[FieldSpec]) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in specs}


#: Fields of each kind of record, by kind.
KINDS: dict[str, dict[str, FieldSpec]] = {
    "contact": _index(_CONTACT),
    "opportunity": _index(_OPPORTUNITY),
    "account": _index(_ACCOUNT),
    "activity": _index(_ACTIVITY),
    "member": _index(_CONTACT + _MEMBERSHIP),
    "deal": _index(_OPPORTUNITY + _MEMBERSHIP),
    "team_member": _index(_TEAM_MEMBER),
}

#: The kinds a rule may take as its subject.
SUBJECT_KINDS = ("contact", "opportunity", "account")

#: Collections a quantifier can walk, per subject kind: name -> (item kind, meaning).
COLLECTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "contact": {
        "activities": ("activity", "past and scheduled activities with this contact"),
        "deals": ("deal", "live deals whose decision groups include this contact, once per group"),
    },
    "opportunity": {
        "members": ("member", "the people in its decision groups, once per group"),
        "activities": ("activity", "activities on this deal"),
    },
    "account": {
        "contacts": ("contact", "every contact"),
        "opportunities": ("opportunity", "every opportunity, live or closed"),
        "activities": ("activity", "every activity"),
        "team": ("team_member", "our account team"),
    },
}
