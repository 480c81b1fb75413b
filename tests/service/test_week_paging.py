"""GET /v1/plan and the week pages are paged: one ISO week of one owner by default, filters, a limit and a cursor
(issue 19 point 4, issue 21 point 7); the director's week of a 40-account, team-of-8 portfolio stays small."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx
import pytest
from kamengine.engine.plan.week import iso_week, monday
from page_parsing import Element, parse_page
from serving import Running, serving
from team_portfolio import load_portfolio

MAX_PAGE_BYTES = 150_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serving(tmp_path_factory.mktemp("weeks") / "kamengine.db") as running:
        running.token("crm", "crm", "admin")
        load_portfolio(running, "crm")
        running.token("chen", "u-ad", "act")
        running.token("ar1", "u-ar1", "act")
        running.token("stranger", "u-x", "act")
        yield running


def _pages(client: httpx.Client, **params: Any) -> list[list[dict[str, Any]]]:
    """Every page of a plan query, following the Link headers."""
    answer = client.get("/v1/plan", params=params)
    pages = []
    while True:
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        link = answer.headers.get("link")
        if link is None:
            return pages
        address = re.fullmatch(r'<(/v1/plan\?[^>]+)>; rel="next"', link)
        assert address, link
        answer = client.get(address.group(1))


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["lead"]["id"] for item in items]


def test_the_plan_is_the_readers_own_week_by_default(server: Running) -> None:
    this_week = iso_week(dt.date.today())
    with server.client("chen") as client:
        mine = client.get("/v1/plan").json()
        asked = client.get("/v1/plan", params={"owner": "u-ad", "week": this_week, "limit": 500}).json()
        everyone = _pages(client, owner="all", week=this_week)
    assert mine and {i["week"] for i in mine} == {this_week}  # what u-ad leads and what u-ad attends:
    assert all("u-ad" in {i["owner"]["id"], *(a["id"] for a in i["attendees"])} for i in mine)
    assert _ids(mine) == _ids(asked)[:50]  # the default limit: 50
    assert {i["owner"]["id"] for page in everyone for i in page} > {"u-ad"}  # owner=all: the colleagues' too
    with server.client("stranger") as client:  # on no account: nobody's week shows anything
        assert client.get("/v1/plan", params={"owner": "u-ad", "week": "all"}).json() == []


def test_pages_follow_one_another_through_the_link_header_and_miss_nothing(server: Running) -> None:
    with server.client("crm") as client:
        whole = client.get("/v1/plan", params={"owner": "u-ad", "week": "all", "limit": 500})
        pages = _pages(client, owner="u-ad", week="all", limit=7)
    assert "link" not in whole.headers and len(whole.json()) > 7 * 3
    assert [len(p) for p in pages[:-1]] == [7] * (len(pages) - 1) and 1 <= len(pages[-1]) <= 7
    assert [i for page in pages for i in _ids(page)] == _ids(whole.json())
    keys = [(i["day"], -i["lead"]["priority"], i["lead"]["id"]) for i in whole.json()]
    assert keys == sorted(keys)  # owner, day, most urgent first: the order a cursor continues in


def test_a_cursor_is_good_only_for_its_own_filters_and_reader(server: Running) -> None:
    with server.client("crm") as client:
        link = client.get("/v1/plan", params={"owner": "u-ad", "week": "all", "limit": 2}).headers["link"]
        cursor = re.search(r"cursor=([^&>]+)", link).group(1)  # type: ignore[union-attr]
        other = client.get("/v1/plan", params={"owner": "u-ar1", "week": "all", "limit": 2, "cursor": cursor})
        forged = client.get("/v1/plan", params={"owner": "u-ad", "week": "all", "cursor": "bm90IGEgY3Vyc29y"})
    with server.client("chen") as client:
        theirs = client.get("/v1/plan", params={"owner": "u-ad", "week": "all", "limit": 2, "cursor": cursor})
    for answer in (other, forged, theirs):
        assert answer.status_code == 422 and "cursor: not a cursor" in answer.json()["detail"]


def test_the_filters_narrow_the_week(server: Running) -> None:
    with server.client("crm") as client:
        every = client.get("/v1/plan", params={"owner": "u-ad", "week": "all", "limit": 500}).json()
        account = every[0]["lead"]["account_id"]
        action = every[-1]["companions"][0]["action"] if every[-1]["companions"] else every[-1]["lead"]["action"]
        by_account = client.get("/v1/plan", params={"owner": "u-ad", "week": "all", "limit": 500, "account": account})
        by_action = client.get("/v1/plan", params={"owner": "u-ad", "week": "all", "limit": 500, "action": action})
        overdue = client.get("/v1/plan", params={"owner": "u-ad", "week": "all", "limit": 500, "overdue": "true"})
    assert _ids(by_account.json()) == [i["lead"]["id"] for i in every if i["lead"]["account_id"] == account]
    with_action = [i for i in every if action in {r["action"] for r in (i["lead"], *i["companions"])}]
    assert _ids(by_action.json()) == _ids(with_action) and with_action
    assert _ids(overdue.json()) == [i["lead"]["id"] for i in every if i["overdue_since"]]
    assert overdue.json() and len(overdue.json()) < len(every)


def _signed_in(server: Running, who: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=60)
    assert client.post("/login", data={"token": server.tokens[who]}).status_code == 303
    return client


def _days(page: Element) -> list[dt.date]:
    heads = [h.text.split()[-1] for h in page.find_all(lambda e: e.tag == "h3")]
    return [dt.date.fromisoformat(day) for day in heads]


def _links(page: Element, where: str) -> dict[str, str]:
    (nav,) = page.find_all(lambda e: e.tag == "nav" and where in e.classes)
    return {a.attrs["rel"]: a.attrs["href"] for a in nav.find_all(lambda e: e.tag == "a" and "rel" in e.attrs)}


def test_my_week_shows_the_week_asked_with_links_to_the_weeks_beside_it(server: Running) -> None:
    week = iso_week(dt.date.today() + dt.timedelta(weeks=2))
    with closing(_signed_in(server, "chen")) as client:
        answer = client.get("/week/u-ad", params={"week": week, "limit": 200})
        default = parse_page(client.get("/week/u-ad").text)
    page = parse_page(answer.text)
    assert answer.status_code == 200 and f"· {week}" in page.find_all(lambda e: e.tag == "h1")[0].text
    days = _days(page)
    assert days and {iso_week(day) for day in days} == {week}  # that week only: ?week= was ignored before
    before, after = (iso_week(monday(week) + dt.timedelta(weeks=n)) for n in (-1, 1))
    assert _links(page, "weeks") == {"prev": f"/week/u-ad?week={before}", "next": f"/week/u-ad?week={after}"}
    assert {iso_week(day) for day in _days(default)} <= {iso_week(dt.date.today())}  # by default: this week


def test_overdue_advice_is_marked_and_the_filters_keep_to_the_week(server: Running) -> None:
    this_week = iso_week(dt.date.today())
    with closing(_signed_in(server, "chen")) as client:
        whole = parse_page(client.get("/week/u-ad", params={"limit": 200}).text)
        overdue = parse_page(client.get("/week/u-ad", params={"limit": 200, "overdue": "1"}).text)
        (select,) = whole.find_all(lambda e: e.tag == "select" and e.attrs.get("name") == "account")
        choice = next(o.attrs["value"] for o in select.find_all(lambda e: e.tag == "option") if o.attrs["value"])
        one = parse_page(client.get("/week/u-ad", params={"limit": 200, "account": choice, "overdue": "1"}).text)
    items = whole.find_all(lambda e: e.tag == "div" and "item" in e.classes)
    marked = [i for i in items if "overdue" in i.classes]
    assert marked and all("overdue: due" in i.text for i in marked)
    assert all("overdue: due" not in i.text for i in items if i not in marked)
    kept = overdue.find_all(lambda e: e.tag == "div" and "item" in e.classes)
    assert len(kept) == len(marked) and all("overdue" in i.classes for i in kept)
    assert 0 < len(one.find_all(lambda e: e.tag == "div" and "item" in e.classes)) <= len(kept)
    links = _links(one, "weeks")  # the weeks beside keep the filters
    assert links["next"].endswith(f"&account={choice.replace('%', '%25')}&overdue=1") and this_week not in links["next"]


def test_a_week_comes_in_pages_that_follow_one_another(server: Running) -> None:
    with closing(_signed_in(server, "chen")) as client:
        whole = parse_page(client.get("/week/u-ad", params={"limit": 200}).text)
        first = parse_page(client.get("/week/u-ad", params={"limit": 3}).text)
        second = parse_page(client.get(_links(first, "pages")["next"]).text)

    def leads(page: Element) -> list[str]:
        return [
            f.attrs["action"].split("/")[-2]
            for item in page.find_all(lambda e: e.tag == "div" and "item" in e.classes)
            for f in item.find_all(lambda e: e.tag == "form")[:1]
        ]

    assert len(leads(first)) == 3 and leads(first) + leads(second)[:3] == leads(whole)[:6]
    assert "first page" in second.text


def test_the_directors_week_of_a_40_account_portfolio_is_small_in_every_week_of_the_horizon(server: Running) -> None:
    today = dt.date.today()
    sizes = {}
    with closing(_signed_in(server, "chen")) as client:
        for n in range(8):
            week = iso_week(today + dt.timedelta(weeks=n))
            answer = client.get("/week/u-ad", params={"week": week})
            assert answer.status_code == 200
            sizes[week] = len(answer.content)
    assert max(sizes.values()) < MAX_PAGE_BYTES, sizes


def test_a_colleagues_week_shows_only_the_accounts_the_reader_is_on(server: Running) -> None:
    with server.client("crm") as client:
        everything = client.get("/v1/plan", params={"owner": "u-ad", "week": "all", "limit": 500}).json()
        theirs = {a["account_id"] for a in client.get("/v1/accounts").json()}
    with server.client("ar1") as client:
        seen = client.get("/v1/plan", params={"owner": "u-ad", "week": "all", "limit": 500}).json()
        shared = {a["account_id"] for a in client.get("/v1/accounts").json()}
    assert shared < theirs and seen
    assert {i["lead"]["account_id"] for i in seen} <= shared
    assert {i["lead"]["account_id"] for i in everything} - shared  # there was more to hide


def test_a_week_that_is_not_one_is_said_on_the_page(server: Running) -> None:
    with closing(_signed_in(server, "chen")) as client:
        answers = [client.get("/week/u-ad", params=p) for p in ({"week": "2026-W99"}, {"week": "all"}, {"limit": "x"})]
    assert [a.status_code for a in answers] == [422, 422, 422]
    assert "week: no week 2026-W99" in answers[0].text and "limit: expected" in answers[2].text


def test_a_week_shows_who_leads_and_who_goes_along(server: Running) -> None:
    with server.client("crm") as client:
        plan = client.get("/v1/plan", params={"owner": "u-sr1", "week": "all", "limit": 500}).json()
    attended = next(i for i in plan if i["owner"]["id"] != "u-sr1")  # led by someone else, the SR along
    server.token("sr1", "u-sr1", "read")
    with closing(_signed_in(server, "sr1")) as client:
        page = parse_page(client.get("/week/u-sr1", params={"week": attended["week"], "limit": 200}).text)
    (item,) = [
        i
        for i in page.find_all(lambda e: e.tag == "div" and "item" in e.classes)
        if attended["lead"]["title"] in i.text and attended["lead"]["account_name"] in i.text
    ][:1]
    (said,) = item.find_all(lambda e: e.tag == "div" and "with" in e.classes)
    owner = attended["owner"]
    assert f"led by {owner['name']} ({owner['role']})" in said.text
    assert "Solution Rep 1 (SR)" in said.text.split("with ", 1)[1]
