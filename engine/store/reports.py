"""Reports over the store: which actions move people, and what the portfolio never gets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import mean
from typing import TYPE_CHECKING

from .statuses import Status

if TYPE_CHECKING:
    from .store import Store


@dataclass(frozen=True)
class Effect:
    """How stance moved after an action was done, against comparable people without it."""

    action: str
    treated: int
    treated_change: float | None
    control: int
    control_change: float | None

    @property
    def difference(self) -> float | None:
        if self.treated_change is None or self.control_change is None:
            return None
        return self.treated_change - self.control_change


def effectiveness(store: Store, by: str = "action", since: dt.date | None = None) -> list[Effect]:
    """Per action type done on contacts: stance change from the last snapshot on or before it was
    done to the latest snapshot after, against contacts never given that action who started at
    the same stance, measured over the same dates. ``by="rule"``: per rule (``Effect.action``
    then names the rule, and the control is people never given that rule's advice)."""
    history = _nightly_history(store)
    treated_by_action: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)  # action -> person -> done on
    start = since.isoformat() if since else ""
    for row in store.find(statuses=[Status.DONE]):
        if row["subject_kind"] == "contact" and row["status_at"][:10] >= start:
            person = (row["account_id"], row["subject_id"])
            done_on = row["status_at"][:10]
            treated_by_action[row[by]].setdefault(person, done_on)
    effects = []
    for action, treated in sorted(treated_by_action.items()):
        changes, controls = [], []
        for person, done_on in treated.items():
            window = _window(history.get(person, []), done_on)
            if window is None:
                continue
            (start, before), (end, after) = window
            changes.append(after - before)
            for other, entries in history.items():
                if other in treated:
                    continue
                control = _between(entries, start, end)
                if control is not None and control[0] == before:
                    controls.append(control[1] - control[0])
        effects.append(Effect(action, len(changes), _mean(changes), len(controls), _mean(controls)))
    return effects


def _nightly_history(store: Store) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """Each person's stance on each of their account's nights from their first recorded one on, as the report
    always read them: stance history keeps changes only (stances.py), so a stance stands until the next change.
    A person who left the snapshots and came back counts as present in between."""
    nights: dict[str, list[str]] = defaultdict(list)
    for account_id, as_of in store.db.execute("select account_id, as_of from stance_nights order by as_of"):
        nights[account_id].append(as_of)
    changes: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for row in store.db.table("stance_history").rows_where(order_by="as_of"):
        changes[(row["account_id"], row["contact_id"])].append((row["as_of"], row["stance"]))
    history: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for person, changed in changes.items():
        entries, upcoming, stance = [], iter(changed), None
        following = next(upcoming, None)
        for night in nights[person[0]]:
            while following is not None and following[0] <= night:
                stance, following = following[1], next(upcoming, None)
            if stance is not None:
                entries.append((night, stance))
        history[person] = entries
    return history


def _window(entries: list[tuple[str, int]], done_on: str) -> tuple[tuple[str, int], tuple[str, int]] | None:
    before = [e for e in entries if e[0] <= done_on]
    after = [e for e in entries if e[0] > done_on]
    return (before[-1], after[-1]) if before and after else None


def _between(entries: list[tuple[str, int]], start: str, end: str) -> tuple[int, int] | None:
    before = [stance for day, stance in entries if day <= start]
    after = [stance for day, stance in entries if day >= end]
    return (before[-1], after[-1]) if before and after else None


def _mean(values: list[int]) -> float | None:
    return round(mean(values), 2) if values else None


@dataclass(frozen=True)
class Coverage:
    accounts_without_advice: list[str]
    rules_never_fired: list[str]


def coverage(store: Store, rule_ids: Iterable[str]) -> Coverage:
    """Accounts of the latest finished run that got no recommendation, and rules that never fired."""
    runs = list(store.db.table("runs").rows_where("status = ?", ["finished"], order_by="started_at desc", limit=1))
    accounts: list[str] = []
    if runs:
        done = [
            r["account_id"]
            for r in store.db.table("run_accounts").rows_where("run_id = ? and status = ?", [runs[0]["id"], "done"])
        ]
        advised = {
            r["account_id"]
            for r in store.db.query(
                "select distinct account_id from recommendations where last_run = ?", [runs[0]["id"]]
            )
        }
        accounts = sorted(set(done) - advised)
    fired = {r["rule"] for r in store.db.query("select distinct rule from recommendations")}
    return Coverage(accounts, sorted(set(rule_ids) - fired))
