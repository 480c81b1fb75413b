"""The portfolio page's load at a glance (issue 21 point 8): each person's customer meetings a week over the plan's
horizon against capacity, the same counts their week pages show, and what the plan could not place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from kamengine.engine.model.actions import ActionCatalogue
from kamengine.engine.model.recommendation import Owner
from kamengine.engine.plan.load import PersonLoad
from kamengine.engine.plan.week import MEETINGS, iso_week
from kamengine.service.pages import render_portfolio_page
from kamengine.service.pages.load import LoadSection
from page_parsing import Element, parse_page
from serving import Running, serving
from team_portfolio import load_portfolio

HOSTILE = '<script>alert(1)</script>"><b>'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serving(tmp_path_factory.mktemp("load") / "kamengine.db") as running:
        running.token("crm", "crm", "admin")
        load_portfolio(running, "crm")
        running.token("ar1", "u-ar1", "read")
        yield running


def _section(server: Running, who: str) -> Element:
    with closing(httpx.Client(base_url=server.url, timeout=60)) as client:
        assert client.post("/login", data={"token": server.tokens[who]}).status_code == 303
        page = parse_page(client.get("/").text)
    (section,) = page.find_all(lambda e: e.tag == "section" and "load" in e.classes)
    return section


def _rows(section: Element, table: str) -> list[list[str]]:
    (found,) = section.find_all(lambda e: e.tag == "table" and table in e.classes)
    return [
        [" ".join(cell.text.split()) for cell in row.find_all(lambda e: e.tag in ("td", "th"))]
        for row in found.find_all(lambda e: e.tag == "tr")
    ]


def test_each_persons_weeks_against_capacity_are_the_counts_of_their_week(server: Running) -> None:
    section = _section(server, "crm")
    head, *people = _rows(section, "load")
    weeks = [iso_week(dt.date.today() + dt.timedelta(weeks=n)) for n in range(6)]
    assert head == ["person", *weeks, "busiest day", "not planned"]
    names = [row[0] for row in people]
    assert {"Chen Jing (AD)", "Account Rep 1 (AR)", "Solution Rep 1 (SR)"} <= set(names)
    counts = {row[0]: [int(cell.split("/")[0]) for cell in row[1:7]] for row in people}
    assert all(cell.endswith("/8") for row in people for cell in row[1:7])  # weekly_capacity
    assert max(n for row in counts.values() for n in row) <= 8
    kinds = ActionCatalogue()
    with server.client("crm") as client:
        plan = client.get("/v1/plan", params={"owner": "u-ad", "week": "all", "limit": 500}).json()
    meetings = [i for i in plan if kinds[i["lead"]["action"]].kind in MEETINGS]
    assert counts["Chen Jing (AD)"] == [sum(1 for i in meetings if i["week"] == week) for week in weeks]
    links = [a.attrs["href"] for a in section.find_all(lambda e: e.tag == "a")]
    assert f"/week/u-ad?week={weeks[1]}" in links


def test_what_the_plan_could_not_place_is_listed_with_why(server: Running) -> None:
    section = _section(server, "crm")
    head, *missed = _rows(section, "not-planned")
    assert head == ["owner", "company", "due", "what", "why not"]
    assert missed and all(row[4].startswith(("over capacity until", "due ")) for row in missed)
    people = _rows(section, "load")[1:]
    total = sum(int(row[-1]) for row in people)
    heading = " ".join(section.find_all(lambda e: e.tag == "h3")[0].text.split())
    assert heading.startswith(f"Not planned {total}:")  # every person's count, each listed (or counted)


def test_a_member_sees_the_people_and_the_advice_of_their_own_accounts(server: Running) -> None:
    section = _section(server, "ar1")
    names = [row[0] for row in _rows(section, "load")[1:]]
    assert "Account Rep 1 (AR)" in names and "Chen Jing (AD)" in names
    assert not {"Account Rep 2 (AR)", "Account Rep 3 (AR)"} & set(names)  # not on any of their accounts
    with server.client("ar1") as client:
        theirs = {a["account_name"] for a in client.get("/v1/accounts").json()}
    assert {row[1] for row in _rows(section, "not-planned")[1:]} <= theirs


def test_the_section_escapes_names_and_marks_a_full_week() -> None:
    person = PersonLoad(Owner("u/1", HOSTILE, "AR"), 8, 3, {"2026-W50": 8, "2026-W51": 0}, 3, 0)
    section = LoadSection(dt.date(2026, 12, 7), ["2026-W50", "2026-W51"], [person], [])
    page = parse_page(render_portfolio_page([], load=section))
    assert HOSTILE in page.text and not {e.tag for e in page.walk()} & {"script", "b"}
    cells = page.find_all(lambda e: e.tag == "td" and "num" in e.classes)
    assert [sorted(c.classes - {"num"}) for c in cells[:3]] == [["load-full"], ["load-free"], ["load-full"]]
    assert cells[0].find_all(lambda e: e.tag == "a")[0].attrs["href"] == "/week/u%2F1?week=2026-W50"
