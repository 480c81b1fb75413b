"""References a CRM export names but does not hold, left out (``references = "prune"`` in a ``--map``).

A Salesforce contact's owner is any user, not always one of the account's team; a task's WhoId may be a
deleted contact. Strict reading fails the whole account for one such reference; a map for a CRM's own
export prunes them instead and says how many, so the account is advised on what is there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

#: What a notice of references left out says after the account it names.
LEFT_OUT = ": left out, as the export does not have what they name: "


def prune_references(data: dict[str, Any]) -> list[str]:
    """Leave out of one account's document (before validation) the references to contacts, deals and team
    members it does not have; what was left out, once per reference."""
    contacts = {c.get("id") for c in data["contacts"]}
    team = {m.get("id") for m in data["team"]}
    deals = {o.get("id") for o in data["opportunities"]}
    left: Counter[str] = Counter()
    for contact in data["contacts"]:
        if contact.get("owner") is not None and contact["owner"] not in team:
            left["contact owner(s) not on the account team"] += 1
            del contact["owner"]
        if contact.get("reports_to") is not None and contact["reports_to"] not in contacts:
            left["reports_to of a contact not in the export"] += 1
            del contact["reports_to"]
    for activity in data["activities"]:
        people = activity.get("contact_ids") or []
        known = [person for person in people if person in contacts]
        if len(known) < len(people):
            left["activity contact(s) not among the account's contacts (a lead, a deleted contact)"] += 1
            activity["contact_ids"] = known
        if activity.get("opportunity_id") is not None and activity["opportunity_id"] not in deals:
            left["activity deal(s) not among the account's"] += 1
            del activity["opportunity_id"]
        if activity.get("owner") is not None and activity["owner"] not in team:
            left["activity owner(s) not on the account team"] += 1
            del activity["owner"]
    return list(left.elements())


def left_out(pruned: list[str]) -> str:
    """What ``prune_references`` and ``member_known`` left out, counted: ``2 contact owner(s) ...; 1 ...``."""
    return "; ".join(f"{count} {what}" for what, count in sorted(Counter(pruned).items()))


def member_known(data: Mapping[str, Any], row: Mapping[str, Any], pruned: list[str]) -> bool:
    """Whether a decision-group row names a contact of the account (else it is left out and counted)."""
    if any(contact.get("id") == row.get("contact_id") for contact in data["contacts"]):
        return True
    pruned.append("decision-group member(s) not among the account's contacts")
    return False
