"""GET /v1/plan costs a week, not the store: one week's answer is the whole horizon's cut to that week; an admin's
``owner=all`` is made a page at a time, owner by owner, and is the whole store's plan (issue 25 point 1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from kamengine.engine.api.stored_week import may_lead
from kamengine.engine.plan.allocation import horizon
from kamengine.engine.plan.week import iso_week
from kamengine.service.plan_view import horizon_end, item_key, sunday
from serving import Running, serving
from support import drop_owners
from team_portfolio import TEAM, load_portfolio, portfolio

ACCOUNTS: list[str] = []  # the portfolio's account ids, once the server has them


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serving(tmp_path_factory.mktemp("bounds") / "kamengine.db") as running:
        running.token("crm", "crm", "admin")
        ACCOUNTS.extend(load_portfolio(running, "crm", accounts=6))
        _without_team(running)
        running.token("chen", "u-ad", "act")
        yield running


def _without_team(server: Running) -> None:
    """An account without a team: its advice (staffing) is owned by nobody."""
    data = yaml.safe_load(portfolio(1)[0][1])
    data["account"]["id"], data["team"] = "no-team", []
    drop_owners(data)
    with server.client("crm") as client:
        answer = client.put("/v1/accounts/no-team/snapshot", content=yaml.safe_dump(data).encode())
    assert answer.status_code == 200, answer.text


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


def _paged(server: Running, limit: int, **params: Any) -> list[dict[str, Any]]:
    """Every page of an admin's ``owner=all``, followed by their ``Link`` headers: the items in order."""
    found: list[dict[str, Any]] = []
    address: str | None = "/v1/plan"
    asked: dict[str, Any] | None = {"owner": "all", "limit": limit, **params}
    with server.client("crm") as client:
        while address is not None:
            answer = client.get(address, params=asked)
            assert answer.status_code == 200, answer.text
            page = answer.json()
            assert 1 <= len(page) <= limit or (not page and not found), page
            found += page
            link = answer.headers.get("link")
            address, asked = (link[1 : link.index(">")], None) if link else (None, None)
            assert len(found) < 1000, "the pages go on"
    return found


def _whole(server: Running, week: str) -> list[dict[str, Any]]:
    """The old answer: the whole store planned unbounded (``Engine.stored_week`` without reader), cut to ``week``,
    every item once (under its lead's owner) in page order."""
    today = dt.date.today()
    with server.service.store() as store:
        plan = server.service.engine().stored_week(store, today, reader=None).plan
    return [i.to_dict() for i in sorted(plan.items, key=item_key) if week in ("all", i.week)]


def test_an_admins_everyone_paged_owner_by_owner_is_the_whole_stores_plan(server: Running) -> None:
    """Pages of 1, 2 and 7 items hold the whole plan's items in its order, the unowned ones (an account without a
    team's staffing) first, for this week, a later one and every week; and the filters narrow them as before."""
    weeks = sorted({item["week"] for item in _whole(server, "all")})
    assert len(weeks) >= 3
    for week in (iso_week(dt.date.today()), weeks[2], "all"):
        whole = _whole(server, week)
        owners = [item["owner"]["id"] if item["owner"] else None for item in whole]
        assert len(set(owners)) >= 4, week  # several owners' pages meet
        if week == "all":
            assert owners[0] is None and owners.count(None) >= 3, "nobody's items come first"
        for limit in (1, 2, 7):
            assert _paged(server, limit, week=week) == whole, (week, limit)
    with server.service.store() as store:  # someone was passed over unplanned, and the pages are still whole
        assert any(not may_lead(store, member["id"], sunday(weeks[0])) for member in TEAM)
    overdue = [item for item in _whole(server, "all") if item["overdue_since"]]
    assert overdue and _paged(server, 2, week="all", overdue="true") == overdue
    for far in (iso_week(dt.date.today() - dt.timedelta(weeks=1)), "2030-W01"):  # outside the plan's days
        assert _paged(server, 5, week=far) == []


def test_an_admins_everyone_around_an_account(server: Running) -> None:
    """With ``account``, everyone sharing people with that account, as before."""
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
