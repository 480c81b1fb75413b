"""A portfolio the way a KAM team works: one team (an AD, three ARs, two SRs, two FRs) serving many accounts.

``portfolio(40)`` is issue 21's case: forty accounts, as of a December Friday, in the euro area, so the
plan meets weekends, public holidays and the year-end break. Deterministic: the same arguments give
the same snapshots. ``benchmarks/plan_bench.py`` imports it too.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from kamengine.engine.model.actions import BUILTIN_ACTIONS
from kamengine.engine.model.plan_settings import PlanSettings
from kamengine.engine.plan.calendar import calendar_for
from kamengine.engine.plan.week import MEETINGS

AS_OF = dt.date(2026, 12, 11)  # a Friday, two weeks before the year-end break

TEAM: list[dict[str, Any]] = [
    {"id": "u-ad", "name": "Chen Jing", "role": "AD", "level": "executive", "email": "chen.jing@example.com"},
    {"id": "u-ar1", "name": "Li Wei", "role": "AR", "level": "senior", "email": "li.wei@example.com"},
    {"id": "u-ar2", "name": "Lukas Weber", "role": "AR", "level": "middle", "email": "lukas.weber@example.com"},
    {"id": "u-ar3", "name": "Zhou Min", "role": "AR", "level": "middle"},
    {"id": "u-sr1", "name": "Sofia Marin", "role": "SR", "level": "senior", "email": "sofia.marin@example.com"},
    {"id": "u-sr2", "name": "Nadia Petrova", "role": "SR", "level": "middle"},
    {"id": "u-fr1", "name": "Omar Haddad", "role": "FR", "level": "middle"},
    {"id": "u-fr2", "name": "Grace Ho", "role": "FR", "level": "middle"},
]

_TITLES = [
    ("Chief Executive Officer", "executive", "A"), ("Chief Technology Officer", "executive", "D"),
    ("Chief Financial Officer", "executive", "D"), ("Head of Procurement", "senior", "E"),
    ("Head of Engineering", "senior", "E"), ("Lead Architect", "middle", "I"), ("Project Manager", "middle", "S"),
    ("Operations Engineer", "staff", "I"), ("Director of Operations", "senior", "D"), ("IT Manager", "middle", "E"),
]  # fmt: skip
_STAGES = ["lead", "qualified", "bidding", "negotiation", "won", "lost"]
_ACTIVITIES = ["regular_office_visit", "executive_visit", "technical_exchange", "hq_tour", "private_activity"]


def portfolio(
    accounts: int = 40, seed: int = 21, as_of: dt.date = AS_OF, region: str = "EU",
    team: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """``accounts`` snapshot documents served by one ``team`` (default: the eight of ``TEAM``)."""
    rng = random.Random(seed)
    members = TEAM if team is None else team
    return [_account(rng, n, as_of, region, members) for n in range(accounts)]


def write_portfolio(folder: Path, snapshots: list[dict[str, Any]]) -> Path:
    """One JSON file per account in ``folder`` (a ``file:`` source reads them all)."""
    folder.mkdir(parents=True, exist_ok=True)
    for snapshot in snapshots:
        (folder / f"{snapshot['account']['id']}.json").write_text(json.dumps(snapshot), encoding="utf-8")
    return folder


def check_week_invariants(items: list[dict[str, Any]], as_of: dt.date, settings: PlanSettings, region: str) -> None:
    """What issue 21 asks of any plan: the property tests call this too."""
    calendar = calendar_for(region, settings.year_end_break)
    weekly: Counter[tuple[str, str]] = Counter()
    daily: Counter[tuple[str, str]] = Counter()
    for item in items:
        day = dt.date.fromisoformat(item["day"])
        recs = [item["lead"], *item["companions"]]
        assert not item["over_capacity"]
        assert day >= as_of, item["lead"]["title"]
        assert day.weekday() < 5 and calendar.is_working_day(day), (day, item["lead"]["title"])
        assert not (day.month == 12 and day.day >= 24) and not (day.month == 1 and day.day == 1), day
        for rec in recs:
            if rec["action"] in ("hq_tour", "exhibition_invite"):
                assert day >= as_of + dt.timedelta(days=21), (day, rec["title"])
            if rec["action"] == "technical_exchange":
                present = [item["owner"], *item["attendees"]]
                assert "SR" in {p["role"] for p in present if p}, rec["title"]
        action = BUILTIN_ACTIONS.get(item["lead"]["action"])
        if item["owner"] is None or action is None or action.kind not in MEETINGS:
            continue
        for person in [item["owner"]["id"], *(a["id"] for a in item["attendees"])]:
            weekly[(person, item["week"])] += 1
            daily[(person, item["day"])] += 1
    for (person, _), n in weekly.items():
        assert n <= settings.capacity_of(person)
    for (person, _), n in daily.items():
        assert n <= settings.daily_capacity_of(person)


def _account(rng: random.Random, n: int, as_of: dt.date, region: str, team: list[dict[str, Any]]) -> dict[str, Any]:
    account_id = f"acc-{n:04d}"
    front = [m["id"] for m in team if m["role"] in ("AR", "SR", "AD")] or [m["id"] for m in team]
    contacts = []
    for c, (title, level, role) in enumerate(rng.sample(_TITLES, rng.randint(4, 8))):
        days_to_birthday = rng.randint(0, 364)
        birthday = as_of + dt.timedelta(days=days_to_birthday)
        contact: dict[str, Any] = {
            "id": f"{account_id}-c{c}", "name": f"Person {n}-{c}", "title": title, "level": level,
            "role": role, "stance": rng.choice([-1, 0, 0, 1, 1, 2, 3]),
            "birthday": f"1975-{birthday.month:02d}-{min(birthday.day, 28):02d}",
        }  # fmt: skip
        if rng.random() < 0.1:  # events: a new executive, a stance that dropped
            contact["in_role_since"] = (as_of - dt.timedelta(days=rng.randint(10, 80))).isoformat()
        if rng.random() < 0.1:
            contact["previous_stance"] = min(3, contact["stance"] + 1)
        if front and rng.random() < 0.85:
            contact["owner"] = rng.choice(front)
        contacts.append(contact)
    deals = []
    for d in range(rng.randint(1, 2)):
        stage = rng.choice(_STAGES)
        close = as_of + dt.timedelta(days=rng.randint(-10 if stage in ("won", "lost") else 5, 150))
        members = rng.sample(contacts, min(3, len(contacts)))
        deals.append({
            "id": f"{account_id}-o{d}", "name": f"Deal {n}-{d}", "stage": stage,
            "value": rng.choice([200_000, 1_000_000, 5_000_000, 12_000_000]), "close_date": close.isoformat(),
            "decision_groups": [{"group": "final", "members": [
                {"contact_id": m["id"], "proximity": rng.randint(1, 3)} for m in members
            ]}],
        })  # fmt: skip
    activities = []
    for a in range(rng.randint(0, 5)):
        met = rng.choice(contacts)
        activities.append({
            "id": f"{account_id}-a{a}", "type": rng.choice(_ACTIVITIES),
            "date": (as_of - dt.timedelta(days=rng.randint(5, 200))).isoformat(), "contact_ids": [met["id"]],
            "owner": met.get("owner") or team[0]["id"],
        })  # fmt: skip
    return {
        "schema_version": 1,
        "as_of": as_of.isoformat(),
        "account": {
            "id": account_id,
            "name": f"Company {n:04d}",
            "tier": rng.choice(["strategic", "key", "standard"]),
            "strategic_partner": rng.random() < 0.3,
            "currency": "EUR",
            "extra": {"region": region},
            "org_relationship": {k: rng.randint(0, 3) for k in ("communication", "matching", "joint", "recognition")},
        },
        "contacts": contacts,
        "opportunities": deals,
        "activities": activities,
        "team": [dict(m) for m in team],
    }
