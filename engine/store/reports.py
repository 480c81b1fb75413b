"""Reports over the store: which actions move people, and what the portfolio never gets."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from .report_queries import EFFECTIVENESS, LATEST_RUN, UNADVISED

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
    then names the rule, and the control is people never given that rule's advice); ``since``: only
    advice done from that day on (the window a store's ``[retention]`` keeps).

    Aggregated in SQL (``effectiveness.sql``'s reading of ``_nightly_history``): the report holds one
    row per action, whatever the store's size."""
    if by not in ("action", "rule"):
        raise ValueError(f"effectiveness by {by!r}: by action or rule")
    query = EFFECTIVENESS.replace("{by}", by)  # a column name of the two above; every value is a parameter
    rows = store.db.execute(query, [since.isoformat() if since else ""]).fetchall()
    return [
        Effect(key, treated, _mean(treated_sum, treated), control, _mean(control_sum, control))
        for key, treated, treated_sum, control, control_sum in sorted(rows)
    ]


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


def _mean(total: int, count: int) -> float | None:
    """``round(statistics.mean(values), 2)`` of ``count`` integers adding up to ``total``: an int when the mean is
    whole, as ``statistics.mean`` gives, so that the report prints as it always did."""
    if not count:
        return None
    exact = Fraction(total, count)
    return round(exact.numerator if exact.denominator == 1 else float(exact), 2)


@dataclass(frozen=True)
class Coverage:
    accounts_without_advice: list[str]
    rules_never_fired: list[str]


def coverage(store: Store, rule_ids: Iterable[str]) -> Coverage:
    """Accounts of the latest finished run that got no recommendation, and rules that never fired (the store
    hands back only those: the accounts by ``except``, the rules fired one row each)."""
    latest = store.db.execute(LATEST_RUN).fetchone()
    accounts = [str(row[0]) for row in store.db.execute(UNADVISED, [latest[0]])] if latest else []
    fired = {str(row[0]) for row in store.db.execute("select distinct rule from recommendations")}
    return Coverage(accounts, sorted(set(rule_ids) - fired))
