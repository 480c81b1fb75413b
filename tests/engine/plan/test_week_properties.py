"""Property tests of the week's plan (issue 21) over generated teams, portfolios, capacities and days.

Whatever the team (with or without an SR, one AR or three), the portfolio, the capacities and the
plan's day (a December Friday before the year-end break, the break itself, a spring Monday), the
plan never books anyone over capacity, on a closed day, before its day or sooner than a lead time,
and brings an SR to every technical exchange. The same inputs give the same plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kamengine.engine.model.plan_settings import PlanSettings
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.plan.week import schedule
from portfolio_fixture import TEAM, check_week_invariants, portfolio
from support import builtin_advisor

DAYS = [dt.date(2026, 12, 11), dt.date(2026, 12, 23), dt.date(2026, 12, 28), dt.date(2027, 3, 1)]
REGIONS = ["EU", "DE", "CN", "US"]


@st.composite
def teams(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A team: at most one AD, one to three ARs, up to two SRs and two FRs (drawn from the fixture's eight)."""
    by_role: dict[str, list[dict[str, Any]]] = {}
    for member in TEAM:
        by_role.setdefault(member["role"], []).append(member)
    chosen = by_role["AR"][: draw(st.integers(1, 3))]
    for role, most in (("AD", 1), ("SR", 2), ("FR", 2)):
        chosen += by_role[role][: draw(st.integers(0, most))]
    return chosen


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    team=teams(), accounts=st.integers(1, 6), seed=st.integers(0, 10_000), day=st.sampled_from(DAYS),
    region=st.sampled_from(REGIONS), weekly=st.integers(1, 8), daily=st.integers(1, 3), horizon=st.integers(1, 6),
)  # fmt: skip
def test_no_plan_overbooks_anyone_or_books_a_closed_day(
    team: list[dict[str, Any]], accounts: int, seed: int, day: dt.date, region: str, weekly: int, daily: int,
    horizon: int,
) -> None:  # fmt: skip
    advisor = builtin_advisor("durable")
    snapshots = [Snapshot.model_validate(data) for data in portfolio(accounts, seed, day, region, team)]
    recommendations = [rec for s in snapshots for rec in advisor.advise(s).recommendations]
    plan_settings = PlanSettings(weekly_capacity=weekly, daily_capacity=daily, horizon_weeks=horizon)
    regions = {s.account.id: region for s in snapshots}
    planned = schedule(recommendations, advisor.actions, plan_settings, day, regions=regions)
    check_week_invariants([i.to_dict() for i in planned.items], day, plan_settings, region)
    last = planned.weeks[-1]
    assert all(i.week <= last for i in planned.items)
    placed = {i.lead.id for i in planned.items}
    assert not placed & {u.item.lead.id for u in planned.unplanned}
    assert len(placed) + len(planned.unplanned) == len(
        {i.lead.id for i in [*planned.items, *(u.item for u in planned.unplanned)]}
    )
    again = schedule(list(reversed(recommendations)), advisor.actions, plan_settings, day, regions=regions)
    assert [(i.lead.id, i.day) for i in again.items] == [(i.lead.id, i.day) for i in planned.items]
