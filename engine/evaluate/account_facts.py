"""Derived fields of the account and our team: the layers, soil fertility, counts by role and stance."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..model.actions import BUILTIN_ACTIONS
from ..model.fields import ROLES, TEAM_ROLES
from ..model.snapshot import Account, Snapshot
from .contact_facts import DAYS_SINCE, latest_by_type

Record = dict[str, Any]
_STANCE_NAMES = {-1: "m1", 0: "0", 1: "1", 2: "2", 3: "3"}


def team_records(snap: Snapshot, contacts: list[Record]) -> list[Record]:
    """One record per team member: the people they own, how many support us, and their share of the signers."""
    owned = Counter(c["owner"] for c in contacts)
    supportive = Counter(c["owner"] for c in contacts if c["stance"] >= 1)
    total = sum(supportive.values())
    # Soil, not sorghum: who holds the people who sign (deciders and key people) matters more than head-count.
    signing = Counter(c["owner"] for c in contacts if c.get("decider") or c.get("key_person"))
    signers = sum(signing.values())
    return [
        {
            "id": m.id,
            "name": m.name,
            "role": m.role,
            "level": m.level,
            "contact_count": owned[m.id],
            "supportive_count": supportive[m.id],
            "supportive_share": supportive[m.id] / total if total else None,
            "decider_count": signing[m.id],
            "decider_share": signing[m.id] / signers if signers else None,
        }
        for m in snap.team
    ]


def account_record(snap: Snapshot, contacts: list[Record], deals: list[Record], activities: list[Record]) -> Record:
    """The account's fields: its profile and relationship, its people, team and deals in numbers, how long since
    each kind of activity, and who on our team holds its supporters and the people who sign."""
    stances = Counter(c["stance"] for c in contacts)
    supportive = Counter(c["owner"] for c in contacts if c["stance"] >= 1 and c["owner"])
    total_supportive = sum(1 for c in contacts if c["stance"] >= 1)
    top = min(supportive.items(), key=lambda item: (-item[1], item[0]), default=None)
    past = [a["days_ago"] for a in activities if not a["planned"]]
    record: Record = {
        **_profile(snap.account),
        "contact_count": len(contacts),
        "supporter_count": sum(n for s, n in stances.items() if s >= 1),
        "opposer_count": stances[-1],
        "coach_count": sum(1 for c in contacts if c["coach"]),
        "uncontacted_count": sum(1 for c in contacts if not c["contacted"]),
        "live_deal_count": sum(1 for d in deals if d["live"]),
        "team_count": len(snap.team),
        "top_owner": top[0] if top else None,
        "top_owner_share": top[1] / total_supportive if top else None,
        "days_since_last_activity": min(past, default=None),
        "stage": snap.account.stage,
        **_deal_outcomes(deals),
    }
    roles = Counter(c["role"] for c in contacts)
    for role in ROLES:
        record[f"count_role_{role}"] = roles[role]
    team_roles: Counter[str] = Counter(member.role for member in snap.team)
    for team_role in TEAM_ROLES:
        record[f"team_count_{team_role}"] = team_roles[team_role]
    latest = latest_by_type(a for a in activities if not a["planned"])
    record.update(zip(DAYS_SINCE, map(latest.get, BUILTIN_ACTIONS), strict=True))
    top_level = [latest[a] for a in ("summit_dialogue", "executive_visit") if a in latest]
    record["days_since_top_level_dialogue"] = min(top_level, default=None)
    names = {member.id: member.name for member in snap.team}
    record["top_owner_name"] = names.get(top[0]) if top else None
    record.update(_layers(contacts))
    record.update(_decider_holder(contacts, names))
    for value, name in _STANCE_NAMES.items():
        record[f"count_stance_{name}"] = stances[value]
    return record


def _profile(account: Account) -> Record:
    """What the snapshot says of the account itself and of our organisations' relationship."""
    org = account.org_relationship
    return {
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
    }


def _deal_outcomes(deals: list[Record]) -> Record:
    """The live pipeline's value and how long since the last won and the last lost deal."""

    def days_since_last(stage: str) -> int | None:
        closed = (d["days_since_close"] for d in deals if d["stage"] == stage and d["days_since_close"] is not None)
        return min(closed, default=None)

    return {
        "live_pipeline_value": sum(d["value"] or 0 for d in deals if d["live"]),
        "days_since_last_win": days_since_last("won"),
        "days_since_last_loss": days_since_last("lost"),
    }


def _layers(contacts: list[Record]) -> Record:
    """The three layers in numbers: supporters among senior people, working-level contacts and their supporters,
    and supporters among those who sign (approvers and decision makers)."""
    senior = [c for c in contacts if c["level"] in ("executive", "senior")]
    working = [c for c in contacts if c["level"] in ("middle", "staff")]
    return {
        "senior_supporters": sum(1 for c in senior if c["stance"] >= 1),
        "working_contacts": len(working),
        "working_supporters": sum(1 for c in working if c["stance"] >= 1),
        "decider_supporters": sum(1 for c in contacts if c["role"] in ("A", "D") and c["stance"] >= 1),
    }


def _decider_holder(contacts: list[Record], names: dict[str, str]) -> Record:
    """The team member holding most of the people who sign (deciders and key people), and their share."""
    signing = [c for c in contacts if c.get("decider") or c.get("key_person")]
    held = Counter(c["owner"] for c in signing if c["owner"])
    top = min(held.items(), key=lambda item: (-item[1], item[0]), default=None)
    people = [c["name"] for c in signing if top and c["owner"] == top[0]]
    return {
        "decider_holder": top[0] if top else None,
        "decider_holder_name": names.get(top[0]) if top else None,
        "decider_holder_share": top[1] / len(signing) if top else None,
        "decider_holder_contacts": ", ".join(people) if people else None,
    }
