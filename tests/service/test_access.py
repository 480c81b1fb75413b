"""Who may see and do what: every endpoint tried with no token, a wrong one, a revoked one and another member's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from serving import Running, serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"
INITECH = REPO / "examples" / "portfolio" / "initech.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    db = tmp_path_factory.mktemp("access") / "kamengine.db"
    with serving(db) as running:
        running.token("admin", "crm", "admin")
        with running.client("admin") as client:
            for path, account in ((ACME, "acme-tel"), (INITECH, "initech")):
                assert client.put(f"/v1/accounts/{account}/snapshot", content=path.read_bytes()).status_code == 200
        running.token("director", "u-ad", "act")  # AD of acme-tel
        running.token("sales", "u-sr", "act")  # SR of acme-tel, not on initech's team
        running.token("reader", "u-ar", "read")  # AR of both
        running.token("stranger", "u-x", "act")  # on no team
        running.token("revoked", "u-ad", "admin")
        CliRunner().invoke(main, ["tokens", "revoke", running.tokens["revoked"].split("_")[1], "--db", str(db)])
        running.tokens["wrong"] = running.tokens["admin"][:-4] + "AAAA"
        yield running


def _recs(server: Running, account: str, owner: str | None = None) -> list[dict[str, object]]:
    with server.client("admin") as client:
        params = {"account": account, **({"owner": owner} if owner else {})}
        return list(client.get("/v1/recommendations", params=params).json()["items"])


def _endpoints(server: Running) -> list[tuple[str, str, bytes | None]]:
    rec = _recs(server, "acme-tel")[0]["id"]
    acme = ACME.read_bytes()
    return [
        ("POST", "/v1/advise", acme),
        ("PUT", "/v1/accounts/acme-tel/snapshot", acme),
        ("GET", "/v1/recommendations", None),
        ("GET", f"/v1/recommendations/{rec}", None),
        *(("POST", f"/v1/recommendations/{rec}/{verb}", None) for verb in ("accept", "done", "dismiss", "snooze")),
        ("GET", "/v1/plan", None),
        ("GET", "/v1/accounts", None),
        ("GET", "/v1/accounts/acme-tel", None),
        ("GET", "/v1/rules", None),
        ("GET", "/v1/runs", None),
        ("GET", "/v1/decisions", None),
        ("GET", "/v1/calendar/u-ad.ics", None),
    ]


@pytest.mark.parametrize("who", [None, "wrong", "revoked"])
def test_without_a_valid_token_every_endpoint_answers_401_and_the_same_words(server: Running, who: str | None) -> None:
    with server.client(who) as client:
        answers = [client.request(method, path, content=body) for method, path, body in _endpoints(server)]
        calendar = client.get("/v1/calendar/u-ad.ics", params={"token": server.tokens.get(who or "", "")})
    assert [a.status_code for a in answers] == [401] * len(answers)
    assert {a.text for a in answers} == {answers[0].text}
    assert answers[0].headers["www-authenticate"] == "Bearer"
    assert calendar.status_code == 401


def test_another_members_token_sees_and_does_nothing_of_others(server: Running) -> None:
    refused = {
        "PUT /v1/accounts/acme-tel/snapshot", "GET /v1/accounts/acme-tel", "GET /v1/runs", "GET /v1/calendar/u-ad.ics",
    }  # fmt: skip
    with server.client("stranger") as client:
        for method, path, body in _endpoints(server):
            answer = client.request(method, path, content=body)
            key = f"{method} {path}"
            if key in refused or "/v1/recommendations/rec-" in path:
                assert answer.status_code == 403, key
            else:
                assert answer.status_code == 200, key
            if path != "/v1/advise":  # advise answers on the snapshot the caller sent
                assert "ACME" not in answer.text and "Initech" not in answer.text, key
        assert client.get("/v1/recommendations").json()["items"] == []
        assert client.get("/v1/accounts").json() == []


def test_a_refusal_does_not_tell_not_yours_from_not_there(server: Running) -> None:
    rec = str(_recs(server, "acme-tel")[0]["id"])
    with server.client("stranger") as client:
        theirs = client.get(f"/v1/recommendations/{rec}")
        missing = client.get("/v1/recommendations/rec-0000000000000000")
        account = client.get("/v1/accounts/acme-tel")
        nowhere = client.get("/v1/accounts/no-such-account")
    assert theirs.status_code == missing.status_code == 403
    assert theirs.text.replace(rec, "ID") == missing.text.replace("rec-0000000000000000", "ID")
    assert account.text.replace("acme-tel", "X") == nowhere.text.replace("no-such-account", "X")


def test_members_see_their_teams_accounts_and_act_on_their_own_advice(server: Running) -> None:
    sofia = _recs(server, "acme-tel", "u-sr")
    chen = _recs(server, "acme-tel", "u-ad")
    li = _recs(server, "acme-tel", "u-ar")
    initech = _recs(server, "initech")
    with server.client("sales") as client:
        assert [a["account_id"] for a in client.get("/v1/accounts").json()] == ["acme-tel"]
        assert {r["account_id"] for r in client.get("/v1/recommendations").json()["items"]} == {"acme-tel"}
        assert client.get(f"/v1/recommendations/{initech[0]['id']}").status_code == 403
        assert client.post(f"/v1/recommendations/{chen[0]['id']}/accept").status_code == 403
        assert client.post(f"/v1/recommendations/{sofia[0]['id']}/accept").json()["status"] == "accepted"
        assert client.get("/v1/calendar/u-sr.ics").status_code == 200
        assert client.get("/v1/calendar/u-ad.ics").status_code == 403
    with server.client("director") as client:  # the account director acts on the whole account's advice
        assert client.post(f"/v1/recommendations/{li[0]['id']}/accept").json()["status"] == "accepted"
        assert client.post(f"/v1/recommendations/{initech[0]['id']}/accept").status_code == 403
    with server.client("reader") as client:  # read scope: Li's account (Initech's AR is Peter, u-pg), decides nothing
        assert [a["account_id"] for a in client.get("/v1/accounts").json()] == ["acme-tel"]
        assert client.post(f"/v1/recommendations/{li[1]['id']}/done").status_code == 403


def test_tokens_are_shown_once_stored_as_hashes_and_revocable(tmp_path: Path) -> None:
    db = str(tmp_path / "kamengine.db")
    runner = CliRunner()
    made = runner.invoke(main, ["tokens", "create", "--member", "u-ar", "--scope", "act", "--db", db])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    token_id = token.split("_")[1]
    assert token.startswith("kam_") and "not shown again" in made.stderr
    listed = runner.invoke(main, ["tokens", "list", "--db", db])
    assert (
        token_id in listed.stdout
        and listed.stdout.splitlines()[-1].split()[1:3] == ["u-ar", "act"]
        and token not in listed.stdout
    )
    assert token.encode() not in Path(db).read_bytes()
    assert runner.invoke(main, ["tokens", "revoke", token_id, "--db", db]).exit_code == 0
    assert "revoked" in runner.invoke(main, ["tokens", "list", "--db", db]).stdout
    unknown = runner.invoke(main, ["tokens", "revoke", "nope", "--db", db])
    assert unknown.exit_code == 1 and "no token 'nope'" in unknown.stderr
    bad_scope = runner.invoke(main, ["tokens", "create", "--member", "u-ar", "--scope", "root", "--db", db])
    assert bad_scope.exit_code == 2


def test_no_auth_only_on_a_loopback_address() -> None:
    refused = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--no-auth"])
    assert refused.exit_code == 2
    assert "--no-auth only on a loopback address" in refused.stderr and "0.0.0.0" in refused.stderr
