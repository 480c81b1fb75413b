"""Urgency from the business: the rule's priority weighed by the account's tier and the deal it serves.

``priority = rule priority x influence x tier x deal``, where influence (the subject's power
role and whether they are a key person) is already in the ranked priority, and

    deal = value x stage x closing
    value = min(value_cap, 1 + value_slope * log10(1 + deal value / value_unit))
    closing = 1 + close_boost * (close_horizon_days - days to close) / close_horizon_days, within [1, 1 + close_boost]

(``overdue`` for a live deal past its close date; 1 for a closed deal or one without a date).
docs/plan.md shows it worked through; every factor is a ``[plan.urgency]`` setting.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from ..model.plan_settings import Urgency
from .draft import Draft, Record


def weigh(drafts: Iterable[Draft], account: Mapping[str, Any], urgency: Urgency) -> None:
    """Multiply each draft's priority by its account's tier and its deal's weight."""
    tier = urgency.tiers.get(str(account.get("tier")), 1.0)
    # An account has a few deals and dozens of recommendations serving them: each deal's weight and the
    # note's words for it are worked out once per plan, not once per recommendation.
    weights: dict[str, tuple[float, str]] = {}
    by_tier = f" x tier {tier:g}"  # in every draft's note when the tier weighs: its words made once
    for draft in drafts:
        deal, serves = 1.0, ""
        if draft.deal is not None:
            deal_id = str(draft.deal["id"])
            if deal_id not in weights:
                weight = deal_weight(draft.deal, urgency)
                weights[deal_id] = weight, f" x deal {weight:.2f} ({draft.deal['name']})"
            deal, serves = weights[deal_id]
        draft.priority = draft.priority * tier * deal
        if tier != 1.0 or serves:
            draft.notes.append(f"urgency: priority {draft.rec.priority:g}{by_tier}{serves}")


def deal_weight(deal: Record, urgency: Urgency) -> float:
    """How much a deal's value, stage and closing date add to the urgency of the work that serves it."""
    value = float(deal.get("value") or 0)
    worth = min(urgency.value_cap, 1 + urgency.value_slope * math.log10(1 + value / urgency.value_unit))
    stage = urgency.stages.get(str(deal.get("stage")), 1.0)
    days = deal.get("days_to_close")
    if not deal.get("live") or days is None:
        closing = 1.0
    elif days < 0:
        closing = urgency.overdue
    else:
        horizon = urgency.close_horizon_days
        closing = 1 + urgency.close_boost * max(0, min(horizon, horizon - days)) / horizon
    return worth * stage * closing
