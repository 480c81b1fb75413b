"""Cooldowns: what each subject did last and has scheduled, read from its activities once per ranking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..model.actions import ActionCatalogue
from ..playbooks.playbook import Playbook, Rule
from .facts import Facts

#: Per action: the earliest scheduled date (None: nothing scheduled) and the fewest days since it was done.
History = dict[str, tuple[dt.date | None, int | None]]
_NEVER: tuple[dt.date | None, int | None] = (None, None)  # an action the subject never did nor scheduled
_UNKNOWN = -1  # no cooldown looked up yet (None is one: no cooldown)


class Cooldowns:
    """Why an action must wait for a subject: done too recently, or already scheduled.

    One pass over a subject's activities builds its :data:`History` the first time one of its
    candidates asks; every other candidate of that subject (every rule, every action, every
    compliant step considered) reads the same table.
    """

    __slots__ = ("_actions", "_days", "_facts", "_histories", "_playbooks")

    def __init__(self, facts: Facts, playbooks: Mapping[str, Playbook], actions: ActionCatalogue) -> None:
        self._facts, self._playbooks, self._actions = facts, playbooks, actions
        self._histories: dict[tuple[str, str], History] = {}
        self._days: dict[tuple[str, str], int | None] = {}  # (playbook, action) -> cooldown days

    def reason(self, rule: Rule, subject_id: str, action: str) -> str | None:
        """A reason to hold ``action`` back for the subject ``rule`` fired on, or None."""
        days = self._days.get((rule.playbook, action), _UNKNOWN)
        if days == _UNKNOWN:  # (a cooldown of -1 days, were there one, is only looked up again)
            days = self._cooldown(rule, action)
        key = (rule.subject, subject_id)
        found = self._histories.get(key)
        if found is None:
            found = self._histories[key] = history(self._facts, rule.subject, subject_id)
        planned, recent = found.get(action, _NEVER)
        if planned is not None:
            return f"a {action} is already scheduled for {planned.isoformat()}"
        if days is None:
            return None
        if recent is not None and recent < days:
            return f"last {action} was {recent} days ago; cooldown is {days} days"
        return None

    def _cooldown(self, rule: Rule, action: str) -> int | None:
        """The days ``action`` waits after it was done: the rule's playbook's own, else the action type's."""
        playbook = self._playbooks.get(rule.playbook)
        days = playbook.cooldowns.get(action) if playbook else None
        if days is None:
            days = self._actions[action].cooldown_days
        self._days[rule.playbook, action] = days
        return days


def history(facts: Facts, kind: str, subject_id: str) -> History:
    """One subject's :data:`History`, from one pass over its activities."""
    table: History = {}
    for activity in facts.items(kind, subject_id, "activities"):
        action, days_ago = activity["type"], activity["days_ago"]
        planned, recent = table.get(action, (None, None))
        if activity["planned"] and (planned is None or activity["date"] < planned):
            planned = activity["date"]
        if recent is None or days_ago < recent:
            recent = days_ago
        table[action] = (planned, recent)
    return table
