"""A small playbook and team the planning tests share: each rule stands for one kind of occasion."""

from __future__ import annotations

from typing import Any

from kamengine.engine.advise.advisor import Advisor
from kamengine.engine.evaluate.ranking import Advice
from kamengine.engine.model.plan_settings import PlanSettings
from support import make_playbook, make_snapshot

TEAM = [
    {"id": "u-ar", "name": "Li Wei", "role": "AR", "level": "middle"},
    {"id": "u-sr", "name": "Sofia Marin", "role": "SR", "level": "senior"},
    {"id": "u-ad", "name": "Chen Jing", "role": "AD", "level": "executive"},
]

PLAYBOOK = """\
playbook: p
rules:
  - id: exchange
    rationale: Talk shop.
    subject: contact
    priority: 50
    when: [{role: E}]
    actions: [{action: technical_exchange, title: "Exchange with {name}", due_in_days: 10}]
  - id: wishes
    rationale: Birthdays matter.
    subject: contact
    priority: 30
    when: [{days_to_birthday: {lte: 7}}]
    actions: [{action: birthday_greeting, title: "Wish {name} a happy birthday", due_in_days: 0}]
  - id: top
    rationale: Executives meet executives.
    subject: contact
    priority: 90
    when: [{level: executive}]
    actions: [{action: executive_visit, title: "Our executive meets {name}", due_in_days: 14}]
  - id: dinner
    rationale: Warm friends.
    subject: contact
    priority: 40
    when: [{stance: 2}]
    actions: [{action: private_activity, title: "Dinner with {name}", due_in_days: 12}]
  - id: tour
    rationale: Show them who we are.
    subject: opportunity
    priority: 60
    when: [{live: true}]
    actions: [{action: hq_tour, title: "HQ tour for {name}", due_in_days: 45}]
  - id: outing
    rationale: Meet the working level.
    subject: contact
    priority: 30
    when: [{department: Works}]
    actions: [{action: team_activity, title: "Outing with {name}", due_in_days: 10}]
  - id: foundation
    rationale: The whole working level.
    subject: account
    priority: 20
    when: [{tier: key}]
    actions:
      - {action: team_activity, title: "Build the foundation at {name}", due_in_days: 12}
      - {action: account_review, title: "Account review for {name}", due_in_days: 21}
  - id: won
    rationale: Learn from the win.
    subject: opportunity
    priority: 50
    when: [{stage: won}]
    actions: [{action: win_review, title: "Win review for {name}", due_in_days: 14}]
"""


def plan_for(
    *contacts: dict[str, Any],
    team: list[dict[str, Any]] | None = None,
    settings: PlanSettings | None = None,
    **sections: Any,
) -> Advice:
    """The planned advice of PLAYBOOK for a snapshot of these contacts and sections."""
    snapshot = make_snapshot(contacts=list(contacts), team=TEAM if team is None else team, **sections)
    return Advisor([make_playbook(PLAYBOOK)], plan_settings=settings).advise(snapshot)
