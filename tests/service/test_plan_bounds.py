"""GET /v1/plan costs a week, not the store: one week's answer is the whole horizon's cut to that week; an admin's
``owner=all`` names its parameter unless an account bounds it (issue 25 point 1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from kamengine.engine.plan.allocation import horizon
from kamengine.engine.plan.week import iso_week
from kamengine.service.plan_view import horizon_end
from serving import Running, serving
from team_portfolio import load_portfolio

ACCOUNTS: list[str] = []  # the portfolio's account ids, once the server has them


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serving(tmp_path_factory.mktemp("bounds") / "kamengine.db") as running:
        running.token("crm", "crm", "admin")
        ACCOUNTS.extend(load_portfolio(running, "crm", accounts=6))
        running.token("chen", "u-ad", "act")
        yield running


def _plan(server: Running, token: str, **params: Any) -> list[dict[str, Any]]:
    with server.client(token) as client:
        answer = client.get("/v1/plan", params={"limit": 500, **params})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()
    return items


def test_a_weeks_plan_is_the_horizons_cut_to_that_week(server: Running) -> None:
    whole = _plan(server, "crm", owner="u-ad", week="all")
    weeks = sorted({item["week"] for item in whole})
    assert len(weeks) >= 2 and iso_week(dt.date.today()) in weeks
    for week in weeks:
        assert _plan(server, "crm", owner="u-ad", week=week) == [i for i in whole if i["week"] == week], week


def test_an_admins_everyone_needs_an_account(server: Running) -> None:
    with server.client("crm") as client:
        refused = client.get("/v1/plan", params={"owner": "all"})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["detail"].startswith("owner: all for an admin token would plan the whole store")
    account = ACCOUNTS[0]
    around = _plan(server, "crm", owner="all", week="all", account=account)
    assert around and {item["lead"]["account_id"] for item in around} == {account}
    theirs = _plan(server, "crm", owner="u-ad", week="all", account=account)
    assert {i["lead"]["id"] for i in theirs} <= {i["lead"]["id"] for i in around}


def test_a_members_everyone_is_their_accounts_as_before(server: Running) -> None:
    mine = _plan(server, "chen", owner="all", week="all")
    assert {item["owner"]["id"] for item in mine if item["owner"]} > {"u-ad"}


def test_every_weeks_bound_is_the_plans_last_day() -> None:
    """``week=all`` (and the calendar feed) plans up to the horizon's last day: the one the plan itself ends on."""
    for offset in range(0, 400, 3):
        today = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
        for weeks in (1, 6, 13):
            assert horizon_end(today, weeks) == horizon(today, weeks)[1], (today, weeks)
