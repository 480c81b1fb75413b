"""The pages over HTTP: a token becomes a cookie, pages refuse as the API does, buttons need their form token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from serving import Running, serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serving(tmp_path_factory.mktemp("web") / "kamengine.db") as running:
        running.token("crm", "crm", "admin")
        with running.client("crm") as client:
            assert client.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).status_code == 200
        running.token("sofia", "u-sr", "act")
        running.token("stranger", "u-x", "act")
        running.token("reader", "u-ad", "read")
        yield running


def _signed_in(server: Running, who: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=30)
    answer = client.post("/login", data={"token": server.tokens[who]})
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    return client


def test_pages_without_a_cookie_go_to_login_and_a_wrong_token_is_refused(server: Running) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for path in ("/", "/accounts/acme-tel", "/week/u-sr"):
            answer = client.get(path)
            assert (answer.status_code, answer.headers["location"]) == (303, "/login"), path
        wrong = client.post("/login", data={"token": server.tokens["sofia"] + "x"})
        assert wrong.status_code == 401 and "not valid" in wrong.text and "set-cookie" not in wrong.headers
        assert client.get("/static/kamengine.css").status_code == 200


def test_a_member_sees_their_pages_and_not_others(server: Running) -> None:
    with closing(_signed_in(server, "sofia")) as client:
        assert "ACME Telecom" in client.get("/").text
        page = client.get("/accounts/acme-tel")
        assert page.status_code == 200 and "Power map" in page.text
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert "/done" in client.get("/week/u-sr").text
        colleague = client.get("/week/u-ad")  # a colleague's week: the accounts she is on, nothing to decide
        assert colleague.status_code == 200 and "ACME Telecom" in colleague.text and "/done" not in colleague.text
        assert client.get("/v1/accounts").status_code == 401  # the API takes a bearer token, not the cookie
        missing = client.get("/accounts/nowhere")
    with closing(_signed_in(server, "stranger")) as client:
        assert "ACME" not in client.get("/").text
        assert "ACME" not in client.get("/week/u-sr").text  # not on the account: nothing of it in anyone's week
        theirs = client.get("/accounts/acme-tel")
    assert theirs.status_code == missing.status_code == 403

    def main(page: httpx.Response) -> str:  # the header names who reads it; what the page says is the same
        return page.text.split("<main>", 1)[1].split("</main>", 1)[0]

    assert main(theirs).replace("acme-tel", "X") == main(missing).replace("nowhere", "X")


def test_buttons_only_where_the_reader_may_decide(server: Running) -> None:
    with server.client("crm") as api:
        owners = {
            r["id"]: r["owner"]["id"] for r in api.get("/v1/recommendations?account=acme-tel&limit=200").json()["items"]
        }
    with closing(_signed_in(server, "sofia")) as client:
        page = client.get("/accounts/acme-tel").text
    with_buttons = {rec for rec in owners if f"/{rec}/done" in page}
    assert with_buttons and {owners[rec] for rec in with_buttons} == {"u-sr"}  # Sofia's own advice only
    with closing(_signed_in(server, "reader")) as client:  # the director's read token: the week, no buttons
        week = client.get("/week/u-ad")
    assert week.status_code == 200 and '<form method="post"' not in week.text.split("</header>", 1)[-1]


def test_buttons_need_the_pages_form_token_and_act_scope(server: Running) -> None:
    with server.client("crm") as api:
        rec = api.get("/v1/recommendations", params={"owner": "u-sr"}).json()["items"][0]["id"]
    with closing(_signed_in(server, "sofia")) as client:
        page = client.get("/week/u-sr").text
        csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        forged = client.post(f"/recommendations/{rec}/accept", data={"csrf": "0" * 32, "next": "/week/u-sr"})
        assert forged.status_code == 403
        done = client.post(f"/recommendations/{rec}/accept", data={"csrf": csrf, "next": "/week/u-sr"})
        assert (done.status_code, done.headers["location"]) == (303, "/week/u-sr")
        away = client.post(f"/recommendations/{rec}/done", data={"csrf": csrf, "next": "//evil.example/"})
        assert away.headers["location"] == "/"
    with closing(_signed_in(server, "reader")) as client:  # read scope: the page has no buttons, a post is refused
        assert "/done" not in client.get("/accounts/acme-tel").text
        assert client.post(f"/recommendations/{rec}/dismiss", data={"csrf": csrf}).status_code == 403
    with server.client("crm") as api:
        history = api.get(f"/v1/recommendations/{rec}").json()["history"]
    assert [(h["status"], h["by"]) for h in history[1:]] == [("accepted", "u-sr"), ("done", "u-sr")]
