"""Generate realistic account snapshots for benchmarks (fixed seed, no I/O)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

ACTIONS = [
    "project_office_visit",
    "regular_office_visit",
    "private_activity",
    "executive_visit",
    "technical_exchange",
    "hq_tour",
    "exhibition_invite",
    "festival_visit",
    "birthday_greeting",
]
AS_OF = dt.date(2026, 11, 20)


def snapshot(index: int, contacts: int, rng: random.Random) -> dict[str, Any]:
    """One account with ``contacts`` people, a few deals and about two activities a person."""
    team = [
        {"id": "u-ar", "name": "AR", "role": "AR", "level": "middle"},
        {"id": "u-sr", "name": "SR", "role": "SR", "level": "senior"},
        {"id": "u-fr", "name": "FR", "role": "FR", "level": "middle"},
        {"id": "u-ad", "name": "AD", "role": "AD", "level": "executive"},
    ]
    people = [
        {
            "id": f"c{i}",
            "name": f"Person {i}",
            "title": rng.choice(["CEO", "CTO", "Head of Network", "Architect", "Buyer", "Engineer"]),
            "level": rng.choice(["executive", "senior", "middle", "staff"]),
            "role": rng.choice(["A", "D", "S", "E", "I", None, None]),
            "stance": rng.choice([-1, 0, 0, 1, 1, 2, 3]),
            "rising_star": rng.random() < 0.1,
            "public_official": rng.random() < 0.05,
            "birthday": (dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(365 * 30))).isoformat(),
            "owner": rng.choice(team)["id"],
        }
        for i in range(contacts)
    ]
    deals = []
    for d in range(rng.randint(1, 4)):
        groups = []
        for group in rng.sample(["commercial", "technical", "selection", "final"], rng.randint(1, 4)):
            members = rng.sample(people, min(len(people), rng.randint(1, 4)))
            groups.append(
                {
                    "group": group,
                    "members": [{"contact_id": p["id"], "proximity": k + 1} for k, p in enumerate(members)],
                }
            )
        deals.append(
            {
                "id": f"o{d}",
                "name": f"Deal {d}",
                "stage": rng.choice(["lead", "qualified", "bidding", "negotiation", "won", "lost"]),
                "value": float(rng.randrange(10_000, 20_000_000)),
                "close_date": (AS_OF + dt.timedelta(days=rng.randint(-60, 300))).isoformat(),
                "decision_groups": groups,
            }
        )
    activities = [
        {
            "id": f"a{a}",
            "type": rng.choice(ACTIONS),
            "date": (AS_OF - dt.timedelta(days=rng.randint(-30, 400))).isoformat(),
            "contact_ids": [p["id"] for p in rng.sample(people, min(len(people), rng.randint(1, 2)))],
            "owner": rng.choice(team)["id"],
        }
        for a in range(contacts * 2)
    ]
    return {
        "schema_version": 1,
        "as_of": AS_OF.isoformat(),
        "account": {
            "id": f"acct-{index}",
            "name": f"Account {index}",
            "tier": rng.choice(["strategic", "key", "standard"]),
            "strategic_partner": rng.random() < 0.25,
            "extra": {"region": ("CN", "EU", "US")[index % 3]},  # every plan date meets a holiday calendar
        },
        "contacts": people,
        "opportunities": deals,
        "activities": activities,
        "team": team,
    }


def portfolio(accounts: int, contacts: int, seed: int = 7) -> list[dict[str, Any]]:
    """``accounts`` snapshots of ``contacts`` people each, the same for the same seed."""
    rng = random.Random(seed)
    return [snapshot(i, contacts, rng) for i in range(accounts)]
