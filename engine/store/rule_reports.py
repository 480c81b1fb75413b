"""What people did with each rule's advice: given, accepted, done, dismissed (and why), snoozed, expired.

Read from the store's status history, so a plugin's rules are counted exactly as the
built-in ones. Next to it, per rule, the stance movement the effectiveness report measures
(``reports.effectiveness`` grouped by rule). A rule is flagged when people dismiss its advice
far more often than the others': a dismiss rate above ``FLAG_RATIO`` times the median rate of
all rules and at least ``FLAG_MIN_RATE``, and at least ``FLAG_MIN_DISMISSED`` dismissals (a few
dismissals prove nothing; while most rules have none, the median is 0 and the floor decides).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING, Any

from .reports import effectiveness
from .statuses import Status

if TYPE_CHECKING:
    from .store import Store

FLAG_RATIO = 2.0
FLAG_MIN_DISMISSED = 3
FLAG_MIN_RATE = 0.2
NO_REASON = "(no reason given)"
#: The decisions counted per rule, in the order they are shown.
DECISIONS = (Status.ACCEPTED, Status.DONE, Status.DISMISSED, Status.SNOOZED, Status.EXPIRED, Status.RESOLVED)


@dataclass
class RuleUse:
    """One rule's advice and what became of it."""

    rule: str
    given: int = 0  # recommendations first given (in the window)
    decisions: dict[str, int] = field(default_factory=dict)  # status -> recommendations that reached it
    reasons: dict[str, int] = field(default_factory=dict)  # dismissal reason -> how many, most frequent first
    days_to_done: float | None = None  # median days from first given to done
    stance_change: float | None = None  # mean stance change of the people its done advice was for
    control_change: float | None = None  # ... of comparable people who never got it
    flagged: bool = False

    @property
    def dismiss_rate(self) -> float | None:
        """Dismissed per recommendation given (None when none was given in the window)."""
        return round(self.decisions.get(Status.DISMISSED, 0) / self.given, 3) if self.given else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "given": self.given,
            **{str(status): self.decisions.get(status, 0) for status in DECISIONS},
            "dismiss_rate": self.dismiss_rate,
            "dismiss_reasons": self.reasons,
            "days_to_done": self.days_to_done,
            "stance_change": self.stance_change,
            "control_change": self.control_change,
            "flagged": self.flagged,
        }


def rule_report(store: Store, since: dt.date | None = None) -> list[RuleUse]:
    """Every rule whose advice the store holds, by rule id; with ``since``, the advice first given from that day."""
    start = since.isoformat() if since else ""
    query = (
        "select h.recommendation_id as rec, h.status, h.at, h.reason, h.by, r.rule, r.status as now_status,"
        " r.status_at from status_history h join recommendations r on r.id = h.recommendation_id"
        " order by h.id"
    )
    uses: dict[str, RuleUse] = {}
    reached: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    given_at: dict[str, str] = {}
    done_days: dict[str, list[float]] = defaultdict(list)
    for row in store.db.query(query):
        rule, rec, status = row["rule"], row["rec"], row["status"]
        if status == Status.OPEN and row["reason"] == "new":
            given_at[rec] = row["at"]
            if row["at"] >= start:
                uses.setdefault(rule, RuleUse(rule)).given += 1
        if given_at.get(rec, "") < start or rec not in given_at:
            continue  # given before the window (or before the store kept a history): not this cohort
        use = uses.setdefault(rule, RuleUse(rule))
        if status in DECISIONS:
            reached[rule][status].add(rec)
        if status == Status.DISMISSED:
            reasons[rule][_reason(row["reason"])] += 1
        if status == Status.DONE:
            # When the person marked it done: the recommendation's status_at while it is still done.
            done_on = row["status_at"] if row["now_status"] == Status.DONE and row["status_at"] else row["at"]
            done_days[rule].append(max(0.0, _days(given_at[rec], done_on)))
    for rule, use in uses.items():
        use.decisions = {str(status): len(reached[rule][status]) for status in DECISIONS}
        use.reasons = dict(reasons[rule].most_common())
        use.days_to_done = round(median(done_days[rule]), 1) if done_days[rule] else None
    for effect in effectiveness(store, by="rule"):
        if effect.action in uses:
            uses[effect.action].stance_change = effect.treated_change
            uses[effect.action].control_change = effect.control_change
    _flag(list(uses.values()))
    return sorted(uses.values(), key=lambda use: use.rule)


def _flag(uses: list[RuleUse]) -> None:
    rates = [use.dismiss_rate for use in uses if use.dismiss_rate is not None]
    if not rates:
        return
    typical = median(rates)
    for use in uses:
        dismissed = use.decisions.get(Status.DISMISSED, 0)
        rate = use.dismiss_rate
        use.flagged = (
            rate is not None
            and rate > FLAG_RATIO * typical
            and rate >= FLAG_MIN_RATE
            and dismissed >= FLAG_MIN_DISMISSED
        )


def _reason(text: str | None) -> str:
    """Reasons grouped as people write them: case, spacing and a trailing full stop do not matter."""
    words = re.sub(r"\s+", " ", (text or "").strip()).rstrip(".").lower()
    return words or NO_REASON


def _days(start: str, end: str) -> float:
    return (dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)).total_seconds() / 86400
