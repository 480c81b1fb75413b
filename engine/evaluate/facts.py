"""Compute the flat records of ``fields.py`` from a snapshot, once, before any rule runs."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ..errors import EvaluationError
from ..model.actions import BUILTIN_ACTIONS
from ..model.fields import INTIMACY_LADDER, LEVELS, ROLES, SALES_ACTIONS_151, TEAM_ROLES
from ..model.snapshot import Activity, Contact, Opportunity, Snapshot
from ..plugin.enrichers import Enricher

Record = dict[str, Any]
_STANCE_NAMES = {-1: "m1", 0: "0", 1: "1", 2: "2", 3: "3"}
_SENIORITY = {level: rank for rank, level in enumerate(LEVELS)}  # executive first
_LADDER_LEVEL = {action: level for level, action in enumerate(INTIMACY_LADDER, start=1)}
_DAYS_SINCE = tuple(f"days_since_{action}" for action in BUILTIN_ACTIONS)  # field names, made once


@dataclass
class Facts:
    """Every record of one snapshot: subjects by kind, and the collections quantifiers walk."""

    as_of: dt.date
    account: Record
    contacts: list[Record]
    opportunities: list[Record]
    activities: list[Record]
    team: list[Record]
    # (subject kind, subject id, collection) -> item records
    collections: dict[tuple[str, str, str], list[Record]] = field(default_factory=dict)

    def subjects(self, kind: str) -> list[Record]:
        """The records a rule with this subject kind is tested on."""
        if kind == "contact":
            return self.contacts
        if kind == "opportunity":
            return self.opportunities
        return [self.account]

    def items(self, kind: str, subject_id: str, collection: str) -> list[Record]:
        """The items of one subject's collection (empty when it has none)."""
        return self.collections.get((kind, subject_id, collection), [])


def compute_facts(snap: Snapshot, enrichers: Sequence[Enricher] = ()) -> Facts:
    """Derive every field of ``fields.py`` for one snapshot, plus the enrichers' fields."""
    as_of = snap.as_of
    team_by_id = {m.id: m for m in snap.team}
    activities = [_activity(a, as_of) for a in snap.activities]
    by_contact: dict[str, list[Record]] = defaultdict(list)
    by_deal: dict[str, list[Record]] = defaultdict(list)
    for record, activity in zip(activities, snap.activities, strict=True):
        for contact_id in dict.fromkeys(activity.contact_ids):
            by_contact[contact_id].append(record)
        if activity.opportunity_id:
            by_deal[activity.opportunity_id].append(record)

    memberships = _memberships(snap.opportunities, {c.id: c.stance for c in snap.contacts})
    key_people = {m["contact_id"] for rows in memberships.values() for m in rows if m["live"] and m["group_key_person"]}
    live_deals: dict[str, set[str]] = defaultdict(set)
    for deal_id, rows in memberships.items():
        for row in rows:
            if row["live"]:
                live_deals[row["contact_id"]].add(deal_id)

    contacts = []
    for contact in snap.contacts:
        owner = team_by_id.get(contact.owner) if contact.owner else None
        record = _contact(contact, by_contact[contact.id], as_of)
        record["owner_level"] = owner.level if owner else None
        record["owner_role"] = owner.role if owner else None
        record["key_person"] = contact.id in key_people
        record["live_deal_count"] = len(live_deals[contact.id])
        _enrich(record, "contact", contact, snap, enrichers)
        contacts.append(record)
    contact_by_id = {record["id"]: record for record in contacts}
    _departments(contacts)

    opportunities = []
    for deal in snap.opportunities:
        record = _opportunity(deal, memberships[deal.id], contact_by_id, by_deal[deal.id], as_of)
        _enrich(record, "opportunity", deal, snap, enrichers)
        opportunities.append(record)
    team = _team(snap, contacts)
    account = _account(snap, contacts, opportunities, activities)
    _enrich(account, "account", snap.account, snap, enrichers)
    for record in contacts:
        record["owned_by_top_owner"] = account["top_owner"] is not None and record["owner"] == account["top_owner"]
    held = [c["name"] for c in contacts if c["owned_by_top_owner"] and c["stance"] >= 1]
    account["top_owner_contacts"] = ", ".join(held) if held else None
    facts = Facts(as_of, account, contacts, opportunities, activities, team)

    for record in contacts:
        facts.collections[("contact", record["id"], "activities")] = by_contact[record["id"]]
    deal_by_id = {record["id"]: record for record in opportunities}
    for deal_id, rows in memberships.items():
        members = []
        best = deal_by_id[deal_id]["best_stance"]
        for row in rows:
            membership = {k: row[k] for k in ("group", "proximity", "group_key_person", "group_supporters")}
            stance = contact_by_id[row["contact_id"]]["stance"]
            membership["strongest_supporter"] = stance >= 1 and stance == best
            members.append({**contact_by_id[row["contact_id"]], **membership})
            if row["live"]:
                facts.collections.setdefault(("contact", row["contact_id"], "deals"), []).append(
                    {**deal_by_id[deal_id], **membership}
                )
        facts.collections[("opportunity", deal_id, "members")] = members
        facts.collections[("opportunity", deal_id, "activities")] = by_deal[deal_id]
    account_id = snap.account.id
    for name, records in (
        ("contacts", contacts),
        ("opportunities", opportunities),
        ("activities", activities),
        ("team", team),
    ):
        facts.collections[("account", account_id, name)] = records
    return facts


def _enrich(record: Record, kind: str, model: BaseModel, snap: Snapshot, enrichers: Sequence[Enricher]) -> None:
    for enricher in enrichers:
        names = [spec.name for spec in enricher.FIELDS.get(kind, ())]
        if not names:
            continue
        try:
            values = enricher.values(kind, model, snap)
        except Exception as exc:  # the account fails, naming the plugin; other accounts go on
            raise EvaluationError(
                f"enricher '{enricher.PLUGIN_NAME}' failed on {kind} {record['id']!r}: {type(exc).__name__}: {exc}"
            ) from exc
        for name in names:
            record[name] = values.get(name)


def _days(later: dt.date, earlier: dt.date) -> int:
    return (later - earlier).days


def _activity(activity: Activity, as_of: dt.date) -> Record:
    days_ago = _days(as_of, activity.date)
    return {
        "id": activity.id,
        "type": activity.type,
        "date": activity.date,
        "days_ago": days_ago,
        "planned": days_ago < 0,
        "opportunity_id": activity.opportunity_id,
        "owner": activity.owner,
        "contact_count": len(activity.contact_ids),
    }


def _contact(contact: Contact, activities: list[Record], as_of: dt.date) -> Record:
    past = [a for a in activities if not a["planned"]]
    record: Record = {
        "id": contact.id,
        "name": contact.name,
        "title": contact.title,
        "department": contact.department,
        "level": contact.level,
        "role": contact.role,
        "stance": contact.stance,
        "rising_star": contact.rising_star,
        "public_official": contact.public_official,
        "birthday": contact.birthday,
        "owner": contact.owner,
        "contacted": bool(past),
        "activity_count": len(past),
        "days_since_last_activity": min((a["days_ago"] for a in past), default=None),
        "planned_count": len(activities) - len(past),
        "days_to_birthday": _days_to_birthday(contact.birthday, as_of),
    }
    latest = _latest_by_type(past)
    record.update(zip(_DAYS_SINCE, map(latest.get, BUILTIN_ACTIONS), strict=True))
    level = max((_LADDER_LEVEL.get(a["type"], 0) for a in past), default=0)
    record["intimacy_level"] = level
    record["next_intimacy_action"] = INTIMACY_LADDER[level] if level < len(INTIMACY_LADDER) else None
    return record


def _latest_by_type(activities: Iterable[Record]) -> dict[str, int]:
    """Days since the most recent activity of each type."""
    latest: dict[str, int] = {}
    for activity in activities:
        previous = latest.get(activity["type"])
        if previous is None or activity["days_ago"] < previous:
            latest[activity["type"]] = activity["days_ago"]
    return latest


def _days_to_birthday(birthday: dt.date | None, as_of: dt.date) -> int | None:
    if birthday is None:
        return None
    for year in (as_of.year, as_of.year + 1):
        try:
            candidate = birthday.replace(year=year)
        except ValueError:  # 29 February in a common year: celebrate on the 28th
            candidate = dt.date(year, 2, 28)
        if candidate >= as_of:
            return _days(candidate, as_of)
    raise AssertionError("unreachable: next year's birthday is always ahead")


def _departments(contacts: list[Record]) -> None:
    supporters: Counter[str] = Counter(c["department"] for c in contacts if c["department"] and c["stance"] >= 1)
    sizes: Counter[str] = Counter(c["department"] for c in contacts if c["department"])
    heads: dict[str, Record] = {}
    for record in contacts:
        department = record["department"]
        record["department_supporters"] = supporters[department] if department else None
        record["department_size"] = sizes[department] if department else None
        head = heads.get(department) if department else None
        if department and (head is None or _SENIORITY[record["level"]] < _SENIORITY[head["level"]]):
            heads[department] = record
    head_ids = {id(head) for head in heads.values()}
    for record in contacts:
        record["department_head"] = id(record) in head_ids


def _memberships(deals: list[Opportunity], stances: Mapping[str, int]) -> dict[str, list[Record]]:
    rows: dict[str, list[Record]] = {}
    for deal in deals:
        rows[deal.id] = []
        for group in deal.decision_groups:
            nearest = min((m.proximity for m in group.members), default=None)
            supporters = sum(1 for m in group.members if stances.get(m.contact_id, 0) >= 1)
            for member in group.members:
                rows[deal.id].append(
                    {
                        "contact_id": member.contact_id,
                        "group": group.group,
                        "proximity": member.proximity,
                        "group_key_person": member.proximity == nearest,
                        "group_supporters": supporters,
                        "live": deal.live,
                    }
                )
    return rows


def _opportunity(
    deal: Opportunity, rows: list[Record], contacts: dict[str, Record], activities: list[Record], as_of: dt.date
) -> Record:
    people = {row["contact_id"]: contacts[row["contact_id"]] for row in rows}
    stances = [person["stance"] for person in people.values()]
    supported_groups = {row["group"] for row in rows if contacts[row["contact_id"]]["stance"] >= 1}
    past = [a["days_ago"] for a in activities if not a["planned"]]
    done = {a["type"] for a in activities} & set(SALES_ACTIONS_151)  # scheduled counts: it is under way
    return {
        "id": deal.id,
        "name": deal.name,
        "stage": deal.stage,
        "value": deal.value,
        "close_date": deal.close_date,
        "live": deal.live,
        "days_to_close": _days(deal.close_date, as_of) if deal.close_date else None,
        "member_count": len(people),
        "supporter_count": sum(1 for s in stances if s >= 1),
        "opposer_count": sum(1 for s in stances if s == -1),
        "coach_count": sum(1 for s in stances if s == 3),
        "best_stance": max(stances, default=None),
        "groups_without_supporter": len({g.group for g in deal.decision_groups} - supported_groups),
        "days_since_last_activity": min(past, default=None),
        "sales_actions_done": len(done),
        "next_151_action": next((a for a in SALES_ACTIONS_151 if a not in done), None),
    }


def _team(snap: Snapshot, contacts: list[Record]) -> list[Record]:
    owned = Counter(c["owner"] for c in contacts)
    supportive = Counter(c["owner"] for c in contacts if c["stance"] >= 1)
    total = sum(supportive.values())
    return [
        {
            "id": m.id,
            "name": m.name,
            "role": m.role,
            "level": m.level,
            "contact_count": owned[m.id],
            "supportive_count": supportive[m.id],
            "supportive_share": supportive[m.id] / total if total else None,
        }
        for m in snap.team
    ]


def _account(snap: Snapshot, contacts: list[Record], deals: list[Record], activities: list[Record]) -> Record:
    account = snap.account
    org = account.org_relationship
    stances = Counter(c["stance"] for c in contacts)
    roles = Counter(c["role"] for c in contacts)
    supportive = Counter(c["owner"] for c in contacts if c["stance"] >= 1 and c["owner"])
    total_supportive = sum(1 for c in contacts if c["stance"] >= 1)
    top = min(supportive.items(), key=lambda item: (-item[1], item[0]), default=None)
    past = [a["days_ago"] for a in activities if not a["planned"]]
    record: Record = {
        "id": account.id,
        "name": account.name,
        "industry": account.industry,
        "tier": account.tier,
        "strategic_partner": account.strategic_partner,
        "crisis": account.crisis,
        "currency": account.currency,
        "communication": org.communication,
        "matching": org.matching,
        "joint": org.joint,
        "recognition": org.recognition,
        "contact_count": len(contacts),
        "supporter_count": sum(n for s, n in stances.items() if s >= 1),
        "opposer_count": stances[-1],
        "coach_count": stances[3],
        "uncontacted_count": sum(1 for c in contacts if not c["contacted"]),
        "live_deal_count": sum(1 for d in deals if d["live"]),
        "team_count": len(snap.team),
        "top_owner": top[0] if top else None,
        "top_owner_share": top[1] / total_supportive if top else None,
        "days_since_last_activity": min(past, default=None),
    }
    for role in ROLES:
        record[f"count_role_{role}"] = roles[role]
    team_roles: Counter[str] = Counter(member.role for member in snap.team)
    for team_role in TEAM_ROLES:
        record[f"team_count_{team_role}"] = team_roles[team_role]
    latest = _latest_by_type(a for a in activities if not a["planned"])
    record.update(zip(_DAYS_SINCE, map(latest.get, BUILTIN_ACTIONS), strict=True))
    top_level = [latest[a] for a in ("summit_dialogue", "executive_visit") if a in latest]
    record["days_since_top_level_dialogue"] = min(top_level, default=None)
    names = {member.id: member.name for member in snap.team}
    record["top_owner_name"] = names.get(top[0]) if top else None
    senior = [c for c in contacts if c["level"] in ("executive", "senior")]
    working = [c for c in contacts if c["level"] in ("middle", "staff")]
    record["senior_supporters"] = sum(1 for c in senior if c["stance"] >= 1)
    record["working_contacts"] = len(working)
    record["working_supporters"] = sum(1 for c in working if c["stance"] >= 1)
    record["decider_supporters"] = sum(1 for c in contacts if c["role"] in ("A", "D") and c["stance"] >= 1)
    for value, name in _STANCE_NAMES.items():
        record[f"count_stance_{name}"] = stances[value]
    return record
