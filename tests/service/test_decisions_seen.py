"""What people decided shows where they look: a snoozed item waits in the plan, pages show each status, lists page
steadily while items change, and a refused decision says why on a page of its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from serving import Running, serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serving(tmp_path_factory.mktemp("seen") / "kamengine.db") as running:
        running.token("crm", "crm", "admin")
        with running.client("crm") as client:
            assert client.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).status_code == 200
        running.token("sofia", "u-sr", "act")
        yield running


def _signed_in(server: Running, who: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=30)
    assert client.post("/login", data={"token": server.tokens[who]}).status_code == 303
    return client


def _working_day(day: dt.date) -> dt.date:
    """``day`` or the first after it that the plan can book: mid-week, clear of the year-end break and new year."""
    while day.weekday() not in (1, 2, 3) or (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 7):
        day += dt.timedelta(days=1)
    return day


def test_a_snoozed_recommendation_waits_in_the_plan_and_the_calendar(server: Running) -> None:
    wakes = _working_day(dt.date.today() + dt.timedelta(days=15)).isoformat()  # within the plan's horizon
    with server.client("sofia") as client:
        mine = client.get("/v1/recommendations", params={"owner": "u-sr"}).json()["items"]
        rec = mine[0]["id"]
        assert client.post(f"/v1/recommendations/{rec}/snooze", json={"until": wakes}).status_code == 200
        plan = client.get("/v1/plan", params={"owner": "u-sr", "week": "all", "limit": 500}).json()
    (item,) = [i for i in plan if rec in [i["lead"]["id"], *(c["id"] for c in i["companions"])]]
    assert item["day"] == wakes
    assert all(i["day"] >= dt.date.today().isoformat() for i in plan)  # nothing planned in the past
    with server.client("sofia") as client:
        calendar = client.get("/v1/calendar/u-sr.ics").text
    assert f"DTSTART;VALUE=DATE:{wakes.replace('-', '')}" in calendar


def test_pages_show_what_was_decided_and_offer_no_button_for_it(server: Running) -> None:
    with server.client("sofia") as client:
        rec = client.get("/v1/recommendations", params={"owner": "u-sr"}).json()["items"][0]["id"]
        assert client.post(f"/v1/recommendations/{rec}/accept").status_code == 200
        plan = client.get("/v1/plan", params={"owner": "u-sr", "week": "all", "limit": 500}).json()
    planned = next(i["week"] for i in plan if rec in [i["lead"]["id"], *(c["id"] for c in i["companions"])])
    with closing(_signed_in(server, "sofia")) as browser:
        page = browser.get("/accounts/acme-tel").text
        week = browser.get("/week/u-sr", params={"week": planned, "limit": 200}).text  # the week it is planned in
    assert "Sofia Marin (SR)" in page and 'action="/logout"' in page  # who reads it, and a way to sign out
    for html in (page, week):
        shown = html.split(f'action="/recommendations/{rec}/done"', 1)[0]
        assert '<span class="status">accepted</span>' in shown[-2000:]
        assert f"/recommendations/{rec}/accept" not in html
        assert f"/recommendations/{rec}/dismiss" in html


def test_a_refused_decision_is_said_on_a_page_of_its_own_in_the_service_s_words(server: Running) -> None:
    with server.client("sofia") as client:
        rec = client.get("/v1/recommendations", params={"owner": "u-sr"}).json()["items"][0]["id"]
    with closing(_signed_in(server, "sofia")) as browser:
        page = browser.get("/accounts/acme-tel").text
        csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        far = (dt.date.today() + dt.timedelta(days=800)).isoformat()
        form = {"csrf": csrf, "until": far, "next": "/accounts/acme-tel"}
        answer = browser.post(f"/recommendations/{rec}/snooze", data=form)
    assert answer.status_code == 422
    assert "Sign in" not in answer.text and "<h1>Not done</h1>" in answer.text
    assert f"until {far} is more than a year ahead" in answer.text and "--until" not in answer.text
    assert '<a href="/accounts/acme-tel">Back</a>' in answer.text


def test_a_cursor_pages_on_after_items_are_decided_and_only_under_its_filters(server: Running) -> None:
    with server.client("crm") as client:
        everything = [r["id"] for r in client.get("/v1/recommendations", params={"limit": 500}).json()["items"]]
        first = client.get("/v1/recommendations", params={"limit": 5}).json()
        done = first["items"][2]["id"]
        assert client.post(f"/v1/recommendations/{done}/done").status_code == 200
        second = client.get("/v1/recommendations", params={"limit": 5, "cursor": first["next_cursor"]}).json()
        assert [r["id"] for r in second["items"]] == everything[5:10]  # nothing skipped for the one done
        other = client.get("/v1/recommendations", params={"owner": "u-sr", "cursor": first["next_cursor"]})
        assert other.status_code == 422 and "not a cursor this service gave for these filters" in other.text
        reopened = client.post(f"/v1/recommendations/{done}/reopen").json()
        assert reopened["status"] == "open"
        assert client.post(f"/v1/recommendations/{done}/done").status_code == 200  # open again: done again
        again = client.post(f"/v1/recommendations/{done}/accept")
        assert again.status_code == 409
        assert f"reopen it first (POST /v1/recommendations/{done}/reopen)" in again.json()["detail"]


def test_the_api_answers_a_stranger_401_before_it_reads_the_request(server: Running) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as anonymous:
        for path, params in (("/v1/recommendations", {"limit": 0}), ("/v1/plan", {"week": "bogus"})):
            assert anonymous.get(path, params=params).status_code == 401
        assert anonymous.post("/v1/advise", params={"lang": "fr"}, content=b"{}").status_code == 401


def test_admin_answers_name_no_server_file_and_decisions_take_only_their_fields(server: Running) -> None:
    with server.client("crm") as client:
        missing = client.get("/v1/recommendations/rec-0000000000000000")
        assert missing.status_code == 404 and str(server.db) not in missing.text and "in the store" in missing.text
        rec = client.get("/v1/recommendations").json()["items"][0]["id"]
        typo = client.post(f"/v1/recommendations/{rec}/dismiss", json={"reson": "not now"})
        assert typo.status_code == 422 and "reson" in typo.text
        runs = client.get("/v1/runs").json()
    assert isinstance(runs[0]["summary"], dict) and runs[0]["summary"]["accounts"] == 1


def test_a_member_sees_the_decisions_they_asked_for_even_of_an_account_they_are_not_on(server: Running) -> None:
    server.token("stranger", "u-x", "read")
    with server.client("stranger") as client:
        asked = client.post("/v1/advise", params={"log": "true"}, content=ACME.read_bytes())
        assert asked.status_code == 200
        mine = [d["id"] for d in client.get("/v1/decisions").json()]
    assert mine == [asked.headers["x-kamengine-decision"]]  # theirs alone: none of ACME's team's


def test_saying_a_decision_again_changes_nothing_and_is_no_error(server: Running) -> None:
    with server.client("sofia") as client:
        rec = client.get("/v1/recommendations", params={"owner": "u-sr"}).json()["items"][0]["id"]
        first = client.post(f"/v1/recommendations/{rec}/done")
        again = client.post(f"/v1/recommendations/{rec}/done")  # a CRM's retry, a double click
        assert (first.status_code, again.status_code) == (200, 200)
        assert again.json()["status_at"] == first.json()["status_at"]  # the cooldown did not restart
        history = client.get(f"/v1/recommendations/{rec}").json()["history"]
        assert [h["status"] for h in history] == ["open", "done"]


def test_a_cursor_made_by_hand_is_a_422_not_a_500(server: Running) -> None:
    import base64
    import hashlib
    import json

    with server.client("crm") as client:
        token_id = server.tokens["crm"].split("_")[1]
        filters = hashlib.sha256(json.dumps([token_id, None, None, []]).encode()).hexdigest()[:16]
        forged = base64.urlsafe_b64encode(json.dumps([filters, [1, "x", None]]).encode()).decode()
        answer = client.get("/v1/recommendations", params={"cursor": forged})
    assert answer.status_code == 422 and "not a cursor this service gave" in answer.text
