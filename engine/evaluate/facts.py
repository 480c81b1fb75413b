"""Compute the flat records of ``fields.py`` from a snapshot, once, before any rule runs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from ..errors import EvaluationError, plain
from ..model.actions import ActionCatalogue
from ..model.snapshot import Opportunity, Snapshot
from ..plugin.enrichers import Enricher
from .account_facts import account_record, team_records
from .contact_facts import Record as Record
from .contact_facts import activity_record, add_departments, contact_record
from .deal_facts import deal_memberships, deal_stakes, opportunity_record
from .people_facts import add_people_events, count_departments_without_supporter, count_project_office


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
    region: str | None = None  # the account's region (extra.region): its holidays and festivals
    emails: dict[str, str] = field(default_factory=dict)  # team member id -> e-mail: the plan's calendar invitations

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


def compute_facts(snap: Snapshot, enrichers: Sequence[Enricher] = (), actions: ActionCatalogue | None = None) -> Facts:
    """Derive every field of ``fields.py`` for one snapshot, plus the enrichers' fields."""
    as_of = snap.as_of
    meetings = _meetings(actions or ActionCatalogue())
    activities = [activity_record(a, as_of) for a in snap.activities]
    by_contact, by_deal = _activities_by_subject(snap, activities)
    memberships = deal_memberships(snap.opportunities, {c.id: c.stance for c in snap.contacts})
    contacts = _contact_records(snap, memberships, by_contact, meetings, enrichers)
    contact_by_id = {record["id"]: record for record in contacts}
    add_departments(contacts)
    add_people_events(snap, contacts, {record["id"] for record in contacts if record["met"]})

    opportunities = []
    for deal in snap.opportunities:
        record = opportunity_record(deal, memberships[deal.id], contact_by_id, by_deal[deal.id], as_of)
        _enrich(record, "opportunity", deal, snap, enrichers)
        opportunities.append(record)
    team = team_records(snap, contacts)
    account = _account_facts(snap, contacts, opportunities, activities, enrichers)
    region = snap.account.extra.get("region")
    facts = Facts(as_of, account, contacts, opportunities, activities, team, region=str(region) if region else None)
    facts.emails = {m.id: m.email for m in snap.team if m.email}
    _add_collections(facts, snap.account.id, memberships, by_contact, by_deal)
    return facts


def _activities_by_subject(
    snap: Snapshot, activities: list[Record]
) -> tuple[defaultdict[str, list[Record]], defaultdict[str, list[Record]]]:
    """The activity records per contact (each once, however often listed) and per deal."""
    by_contact: defaultdict[str, list[Record]] = defaultdict(list)
    by_deal: defaultdict[str, list[Record]] = defaultdict(list)
    for record, activity in zip(activities, snap.activities, strict=True):
        for contact_id in dict.fromkeys(activity.contact_ids):
            by_contact[contact_id].append(record)
        if activity.opportunity_id:
            by_deal[activity.opportunity_id].append(record)
    return by_contact, by_deal


def _contact_records(
    snap: Snapshot,
    memberships: dict[str, list[Record]],
    by_contact: defaultdict[str, list[Record]],
    meetings: frozenset[str],
    enrichers: Sequence[Enricher],
) -> list[Record]:
    """One record per contact: their own fields, their owner's, and what the deals they help decide make of them."""
    as_of = snap.as_of
    team_by_id = {m.id: m for m in snap.team}
    nearest = {m["contact_id"] for rows in memberships.values() for m in rows if m["live"] and m["group_key_person"]}
    finals = {m["contact_id"] for rows in memberships.values() for m in rows if m["live"] and m["group"] == "final"}
    deals_of: dict[str, dict[str, Opportunity]] = defaultdict(dict)  # contact -> the deals they help decide
    for deal in snap.opportunities:
        for row in memberships[deal.id]:
            deals_of[row["contact_id"]][deal.id] = deal

    contacts = []
    for contact in snap.contacts:
        owner = team_by_id.get(contact.owner) if contact.owner else None
        record = contact_record(contact, by_contact[contact.id], as_of, meetings)
        record["owner_level"] = owner.level if owner else None
        record["owner_role"] = owner.role if owner else None
        theirs = deals_of.get(contact.id)
        every = list(theirs.values()) if theirs else []
        live = [deal for deal in every if deal.live]
        record["live_deal_count"] = len(live)
        record["fishbone_key_person"] = contact.id in nearest
        # Who signs: an approver or decision maker, or a member of a live deal's final decision group.
        record["decider"] = contact.role in ("A", "D") or contact.id in finals
        # Key beyond "nearest the axis": the approver or a decision maker on a live deal, or our coach on it.
        record["key_person"] = contact.id in nearest or bool(live and (contact.role in ("A", "D") or record["coach"]))
        record.update(deal_stakes(live, every, as_of))
        _enrich(record, "contact", contact, snap, enrichers)
        contacts.append(record)
    return contacts


def _account_facts(
    snap: Snapshot,
    contacts: list[Record],
    opportunities: list[Record],
    activities: list[Record],
    enrichers: Sequence[Enricher],
) -> Record:
    """The account's record, and each contact's ``owned_by_top_owner``, which needs the account's top owner."""
    account = account_record(snap, contacts, opportunities, activities)
    account["project_office_contacts"] = count_project_office(contacts)
    account["departments_without_supporter"] = count_departments_without_supporter(contacts)
    _enrich(account, "account", snap.account, snap, enrichers)
    for record in contacts:
        record["owned_by_top_owner"] = account["top_owner"] is not None and record["owner"] == account["top_owner"]
    held = [c["name"] for c in contacts if c["owned_by_top_owner"] and c["stance"] >= 1]
    account["top_owner_contacts"] = ", ".join(held) if held else None
    return account


def _add_collections(
    facts: Facts,
    account_id: str,
    memberships: dict[str, list[Record]],
    by_contact: defaultdict[str, list[Record]],
    by_deal: defaultdict[str, list[Record]],
) -> None:
    """The collections quantifiers walk: a contact's activities and live deals, a deal's members and activities,
    the account's contacts, deals, activities and team."""
    for record in facts.contacts:
        facts.collections[("contact", record["id"], "activities")] = by_contact[record["id"]]
    contact_by_id = {record["id"]: record for record in facts.contacts}
    deal_by_id = {record["id"]: record for record in facts.opportunities}
    for deal_id, rows in memberships.items():
        members = []
        # A person who backs a rival is not who we grow into our coach, however friendly.
        strongest = strongest_supporter(rows, contact_by_id)
        for row in rows:
            membership = {k: row[k] for k in ("group", "proximity", "group_key_person", "group_supporters")}
            membership["strongest_supporter"] = row["contact_id"] == strongest
            members.append({**contact_by_id[row["contact_id"]], **membership})
            if row["live"]:
                facts.collections.setdefault(("contact", row["contact_id"], "deals"), []).append(
                    {**deal_by_id[deal_id], **membership}
                )
        facts.collections[("opportunity", deal_id, "members")] = members
        facts.collections[("opportunity", deal_id, "activities")] = by_deal[deal_id]
    for name, records in (
        ("contacts", facts.contacts),
        ("opportunities", facts.opportunities),
        ("activities", facts.activities),
        ("team", facts.team),
    ):
        facts.collections[("account", account_id, name)] = records


def strongest_supporter(rows: list[Record], contacts: dict[str, Record]) -> str | None:
    """The one member a deal grows into its coach: the highest stance (>= 1), backing no rival; ties go to
    the nearest the axis, then the first listed (one coach hunt per deal, not one per tied supporter)."""
    best: tuple[int, int, int] | None = None
    chosen = None
    for index, row in enumerate(rows):
        person = contacts[row["contact_id"]]
        if person["stance"] < 1 or person["backs_competitor"]:
            continue
        rank = (-person["stance"], row["proximity"], index)
        if best is None or rank < best:
            best, chosen = rank, str(row["contact_id"])
    return chosen


def _meetings(actions: ActionCatalogue) -> frozenset[str]:
    """The action types in which we meet a person (visits), so that a person can be "never met"."""
    return frozenset(action_id for action_id in actions.ids() if actions[action_id].visit)


def _enrich(record: Record, kind: str, model: BaseModel, snap: Snapshot, enrichers: Sequence[Enricher]) -> None:
    for enricher in enrichers:
        specs = enricher.FIELDS.get(kind)
        if not specs:
            continue
        try:
            values = enricher.values(kind, model, snap)
        except Exception as exc:  # the account fails, naming the plugin; other accounts go on
            raise EvaluationError(
                f"enricher '{enricher.PLUGIN_NAME}' failed on {kind} {record['id']!r}: {plain(exc)}"
            ) from exc
        for spec in specs:
            record[spec.name] = values.get(spec.name)
