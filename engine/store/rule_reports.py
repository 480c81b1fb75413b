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
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from statistics import median
from typing import TYPE_CHECKING, Any

from .report_queries import DONE, GIVEN, REACHED, REASONS
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
    """Every rule whose advice the store holds, by rule id; with ``since``, the advice first given from that day.

    Aggregated in SQL (``report_queries.py``): rows per rule and decision, per rule and reason as written,
    and each rule's done days one rule at a time for its median, never the whole history."""
    start = [since.isoformat() if since else ""]
    uses = {rule: RuleUse(rule, given) for rule, given in store.db.execute(GIVEN, start)}
    reached: dict[str, dict[str, int]] = defaultdict(dict)
    for rule, status, count in store.db.execute(REACHED, start):
        reached[rule][status] = count
    written: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)  # rule -> reason -> (count, first entry)
    for rule, text, count, first in store.db.execute(REASONS, start):
        seen, earliest = written[rule].get(_reason(text), (0, first))
        written[rule][_reason(text)] = (seen + count, min(earliest, first))
    done_days = _median_days(store, start)
    for rule, use in uses.items():
        use.decisions = {str(status): reached[rule].get(status, 0) for status in DECISIONS}
        # most frequent first; a tie in the order people first gave the reason (Counter.most_common's)
        ranked = sorted(written[rule].items(), key=lambda item: item[1][1])
        use.reasons = {reason: count for reason, (count, _) in sorted(ranked, key=lambda i: i[1][0], reverse=True)}
        use.days_to_done = done_days.get(rule)
    for effect in effectiveness(store, by="rule"):
        if effect.action in uses:
            uses[effect.action].stance_change = effect.treated_change
            uses[effect.action].control_change = effect.control_change
    _flag(list(uses.values()))
    return sorted(uses.values(), key=lambda use: use.rule)


def _median_days(store: Store, start: list[str]) -> dict[str, float]:
    """Each rule's median days from first given to done (rounded to a tenth), its entries read one rule at a time."""
    medians: dict[str, float] = {}
    for rule, entries in groupby(store.db.execute(DONE, start), key=lambda row: str(row[0])):
        medians[rule] = round(median(max(0.0, _days(given, done)) for _, given, done in entries), 1)
    return medians


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
