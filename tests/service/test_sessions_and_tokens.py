"""Sessions and tokens like a team tool: tokens expire, a login is a session on the server that ends when idle or
signed out, a login from another site is refused, ``next`` stays on the site, tokens are for known members."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.store.store import Store
from kamengine.engine.store.tokens import create_token
from serving import Running, serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"
HOSTILE_NEXT = [
    "/\t/evil.example", "/\n/evil.example", "//evil.example", "\\\\evil.example", "/\\evil.example",
    "https://evil.example/", "javascript:alert(1)", " /evil", "/ok\r\nSet-Cookie: x=1", "",
]  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serving(tmp_path_factory.mktemp("sessions") / "kamengine.db") as running:
        running.token("crm", "crm", "admin")
        with running.client("crm") as client:
            assert client.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).status_code == 200
        yield running


def _sql(server: Running, statement: str, *values: object) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(server.db)) as conn, conn:
        return conn.execute(statement, values).fetchall()


def _login(server: Running, token: str, **headers: str) -> httpx.Response:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        return client.post("/login", data={"token": token}, headers=headers)


def _session(server: Running, who: str) -> httpx.Client:
    answer = _login(server, server.tokens[who])
    assert answer.status_code == 303, answer.text
    return httpx.Client(base_url=server.url, timeout=30, cookies={"kamengine_token": answer.cookies["kamengine_token"]})


def test_a_login_is_a_session_on_the_server_never_the_token_in_the_cookie(server: Running) -> None:
    server.token("sofia", "u-sr", "act")
    answer = _login(server, server.tokens["sofia"])
    key = answer.cookies["kamengine_token"]
    assert key.startswith("kams_") and server.tokens["sofia"] not in answer.headers["set-cookie"]
    assert _sql(server, "select count(*) from sessions where hash = ?", key) == [(0,)]  # only its hash is kept
    with httpx.Client(base_url=server.url, timeout=30, cookies={"kamengine_token": server.tokens["sofia"]}) as raw:
        assert raw.get("/").status_code == 303  # the API token is no page session


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(server: Running) -> None:
    server.token("li", "u-ar", "read")
    with closing(_session(server, "li")) as client:
        copy = dict(client.cookies)
        assert client.get("/").status_code == 200
        assert client.post("/logout").status_code == 303
    with httpx.Client(base_url=server.url, timeout=30, cookies=copy) as stolen:
        answer = stolen.get("/")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    session_id = copy["kamengine_token"].split("_")[1]
    assert _sql(server, "select count(*) from sessions where id = ?", session_id) == [(1,)]
    _session(server, "li").close()  # the next login clears the sessions that ended from the store
    assert _sql(server, "select count(*) from sessions where id = ?", session_id) == [(0,)]


def test_a_session_ends_after_twelve_hours_without_use_and_with_its_token(server: Running) -> None:
    server.token("chen", "u-ad", "act")
    with closing(_session(server, "chen")) as client:
        key = client.cookies["kamengine_token"]
        session_id = key.split("_")[1]
        hours_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=11, minutes=50)).isoformat(timespec="seconds")
        _sql(server, "update sessions set seen_at = ? where id = ?", hours_ago, session_id)
        assert client.get("/").status_code == 200  # used within 12 h: alive, and its clock starts again
        assert _sql(server, "select seen_at > ? from sessions where id = ?", hours_ago, session_id) == [(1,)]
        idle = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=12, minutes=1)).isoformat(timespec="seconds")
        _sql(server, "update sessions set seen_at = ? where id = ?", idle, session_id)
        assert client.get("/").status_code == 303
    with closing(_session(server, "chen")) as client:
        CliRunner().invoke(main, ["tokens", "revoke", server.tokens["chen"].split("_")[1], "--db", str(server.db)])
        assert client.get("/").status_code == 303  # a revoked token's sessions end with it


def test_an_expired_token_is_refused_by_the_api_and_the_login(server: Running) -> None:
    store = Store(server.db)
    try:
        token_id, token = create_token(store, "u-ad", "read", expires_in=dt.timedelta(days=90))
    finally:
        store.close()
    with httpx.Client(base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get("/v1/accounts").status_code == 200
        session = _login(server, token).cookies["kamengine_token"]
        _sql(server, "update tokens set expires_at = ? where id = ?", "2020-01-01T00:00:00+00:00", token_id)
        refused = client.get("/v1/accounts")
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    expired = _login(server, token)
    assert expired.status_code == 401 and "expired" in expired.text
    with httpx.Client(base_url=server.url, timeout=30, cookies={"kamengine_token": session}) as client:
        assert client.get("/").status_code == 303


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Origin": "http://evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({"Referer": "http://evil.example/login"}, 403),
        ({"Origin": "http://evil.example", "Referer": "{own}/login"}, 403),  # the Origin decides
        ({"Origin": "{own}"}, 303),
        ({"Referer": "{own}/login?next=/"}, 303),
        ({}, 303),  # no browser's form: a client that has the token has no one to trick
    ],
)
def test_a_login_from_another_sites_page_is_refused(server: Running, headers: dict[str, str], status: int) -> None:
    server.token("csrf", "u-ar", "read")
    said = {name: value.replace("{own}", server.url) for name, value in headers.items()}
    answer = _login(server, server.tokens["csrf"], **said)
    assert answer.status_code == status, answer.text
    assert ("set-cookie" in answer.headers) == (status == 303)


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_next_only_goes_to_a_path_of_this_site(server: Running, hostile: str) -> None:
    server.token("next", "u-sr", "act")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        login = client.post("/login", data={"token": server.tokens["next"], "next": hostile})
        assert (login.status_code, login.headers["location"]) == (303, "/")
        page = client.get("/login", params={"next": hostile})
        assert 'name="next"' not in page.text
    with closing(_session(server, "next")) as client:
        page = client.get("/accounts/acme-tel").text
        csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        rec = page.split('action="/recommendations/', 1)[1].split("/", 1)[0]
        answer = client.post(f"/recommendations/{rec}/accept", data={"csrf": csrf, "next": hostile})
        assert (answer.status_code, answer.headers["location"]) == (303, "/")
        client.post(f"/recommendations/{rec}/reopen", data={"csrf": csrf})


def test_next_to_a_page_of_this_site_is_followed(server: Running) -> None:
    server.token("back", "u-sr", "act")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        page = client.get("/login", params={"next": "/accounts/acme-tel?tab=1"})
        assert 'name="next" value="/accounts/acme-tel?tab=1"' in page.text
        login = client.post("/login", data={"token": server.tokens["back"], "next": "/accounts/acme-tel?tab=1"})
    assert (login.status_code, login.headers["location"]) == (303, "/accounts/acme-tel?tab=1")


def _tokens(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", "/dev/null", "tokens", *args])
    return result.exit_code, result.output


def test_tokens_create_refuses_a_member_no_team_has_and_says_which_there_are(server: Running) -> None:
    code, said = _tokens("create", "--member", "u-zz", "--scope", "act", "--db", str(server.db))
    assert code == 1 and said.count("\n") == 1 and "Traceback" not in said
    assert "no stored team has a member 'u-zz'" in said and "u-ad, u-ar, u-fr, u-sr" in said
    assert _tokens("create", "--member", "u-zz", "--any-member", "--db", str(server.db))[0] == 0
    assert _tokens("create", "--member", "crm2", "--scope", "admin", "--db", str(server.db))[0] == 0  # a system


def test_tokens_create_with_an_expiry_and_list_shows_it(tmp_path: Path, server: Running) -> None:
    code, said = _tokens("create", "--member", "u-ar", "--expires", "90d", "--db", str(server.db))
    assert code == 0 and "until 20" in said
    listed = _tokens("list", "--db", str(server.db), "--format", "json")[1]
    assert '"expires_at": "20' in listed
    for wrong in ("90", "0d", "soon", "-5d"):
        code, said = _tokens("create", "--member", "u-ar", "--expires", wrong, "--db", str(server.db))
        assert code == 2 and "is not a length of time" in said, wrong
