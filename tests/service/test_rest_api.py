"""The API as a CRM calls it: a real server on 127.0.0.1, HTTP through httpx."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from serving import Running, serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"
INITECH = REPO / "examples" / "portfolio" / "initech.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serving(tmp_path_factory.mktemp("serve") / "kamengine.db") as running:
        running.token("admin", "crm", "admin")
        with running.client("admin") as client:
            for path, account in ((ACME, "acme-tel"), (INITECH, "initech")):
                assert client.put(f"/v1/accounts/{account}/snapshot", content=path.read_bytes()).status_code == 200
        yield running


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_health_and_the_openapi_document_from_our_models(server: Running) -> None:
    with server.client() as client:
        assert client.get("/healthz").json()["status"] == "ok"
        document = client.get("/openapi.json").json()
    assert {"/v1/advise", "/v1/accounts/{account_id}/snapshot", "/v1/recommendations/{rec_id}/{verb}"} <= set(
        document["paths"]
    )
    schemas = document["components"]["schemas"]
    assert "stance" in schemas["Contact"]["properties"]  # the snapshot's own pydantic model
    body = document["paths"]["/v1/advise"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Snapshot"}
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operations = [op for path, ops in document["paths"].items() if path.startswith("/v1/") for op in ops.values()]
    assert operations and all(
        {"bearer": []} in op["security"] and {"401", "403"} <= set(op["responses"]) for op in operations
    )


@pytest.mark.parametrize("query,options", [("", []), ("?explain=1&lang=zh", ["--explain", "--lang", "zh"])])
def test_advise_answers_exactly_as_advise_format_json(server: Running, query: str, options: list[str]) -> None:
    with server.client("admin") as client:
        response = client.post(f"/v1/advise{query}", content=ACME.read_bytes())
    assert response.status_code == 200
    assert response.text == _cli("advise", str(ACME), "--format", "json", *options)
    assert "x-kamengine-decision" not in response.headers  # read-only: logged only when asked (?log=true)


def test_an_invalid_snapshot_is_a_422_problem_with_the_field_path(server: Running) -> None:
    bad = {
        "as_of": "2026-11-20",
        "account": {"id": "a", "name": "A"},
        "contacts": [{"id": "c", "name": "C", "stance": 9}],
    }
    text = json.dumps(bad, indent=1)
    with server.client("admin") as client:
        response = client.post("/v1/advise", content=text)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["type"] == "urn:kamengine:problem:invalid-snapshot"
    assert problem["errors"] == [
        {
            "path": "contacts[0].stance",
            "message": "request:11: contacts[0].stance: Input should be -1, 0, 1, 2 or 3 (found 9)",
        }
    ]


@prints_as_on_durable
def test_the_same_validation_message_as_the_cli(
    server: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = ACME.read_text().replace("stance: 3", "stance: three", 1)
    monkeypatch.chdir(tmp_path)
    Path("request").write_text(text)
    cli = CliRunner().invoke(main, ["advise", "request"])
    with server.client("admin") as client:
        problem = client.post("/v1/advise", content=text).json()
    assert cli.exit_code == 1
    assert [e["message"] for e in problem["errors"]] == [
        line.removeprefix("Error: ") for line in cli.stderr.splitlines()
    ]
    assert problem["errors"][0]["path"].endswith(".stance")


def test_put_runs_the_accounts_advice_through_the_store_lifecycle(server: Running) -> None:
    with server.client("admin") as client:
        again = client.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).json()
        wrong = client.put("/v1/accounts/other/snapshot", content=ACME.read_bytes())
        runs = client.get("/v1/runs").json()
        account = client.get("/v1/accounts/acme-tel").json()
    assert again["outcome"]["new"] == 0 and again["outcome"]["refreshed"] == len(again["recommendations"]) > 0
    assert again["run_id"] == runs[0]["id"] and runs[0]["source"] == "api:acme-tel" and runs[0]["status"] == "finished"
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["path"] == "account.id"
    assert account["snapshot"]["account"]["name"] == "ACME Telecom"
    assert account["power_map"]["contacts"] == len(account["snapshot"]["contacts"])
    assert account["summary"]["name"] == "ACME Telecom" and account["summary"]["open_recommendations"] > 0
    roof, pillars, foundation = account["summary"]["layers"]
    assert (roof["key"], roof["health"], pillars["key"], foundation["key"]) == ("roof", "thin", "pillars", "foundation")
    assert {r["id"] for r in account["live"]} == {r["id"] for r in again["recommendations"]}


def test_recommendations_are_paged_filtered_and_decided(server: Running) -> None:
    with server.client("admin") as client:
        everything = client.get("/v1/recommendations", params={"limit": 500}).json()["items"]
        seen, cursor = [], None
        while True:
            page = client.get(
                "/v1/recommendations", params={"limit": 7, **({"cursor": cursor} if cursor else {})}
            ).json()
            seen += [r["id"] for r in page["items"]]
            if not (cursor := page["next_cursor"]):
                break
        assert seen == [r["id"] for r in everything]
        initech = client.get("/v1/recommendations", params={"account": "initech"}).json()["items"]
        assert initech and {r["account_id"] for r in initech} == {"initech"}
        rec = initech[0]["id"]
        assert client.post(f"/v1/recommendations/{rec}/accept", json={"reason": "on it"}).json()["status"] == "accepted"
        later = (dt.date.today() + dt.timedelta(days=30)).isoformat()  # a snooze ends from today, within a year
        snoozed = client.post(f"/v1/recommendations/{rec}/snooze", json={"until": later}).json()
        assert (snoozed["status"], snoozed["snoozed_until"]) == ("snoozed", later)
        assert client.post(f"/v1/recommendations/{rec}/snooze", json={}).status_code == 422
        assert client.post(f"/v1/recommendations/{rec}/done").json()["status"] == "done"
        refused = client.post(f"/v1/recommendations/{rec}/accept")
        assert refused.status_code == 409 and "reopen it first" in refused.json()["detail"]
        one = client.get(f"/v1/recommendations/{rec}").json()
        assert [h["status"] for h in one["history"]] == ["open", "accepted", "snoozed", "done"]
        assert one["history"][1]["by"] == "crm" and one["history"][1]["reason"] == "on it"
        done = client.get("/v1/recommendations", params={"status": "done", "account": "initech"}).json()["items"]
        assert [r["id"] for r in done] == [rec]
        decided = [d for d in client.get("/v1/decisions").json() if d["recommendations"] == [rec]]
        assert [d["kind"] for d in decided] == ["done", "snooze", "accept"]  # newest first
        assert {(d["account_id"], d["principal"]) for d in decided} == {
            ("initech", server.tokens["admin"].split("_")[1])
        }
        assert client.get("/v1/recommendations/rec-nothere").status_code == 404
        assert client.post(f"/v1/recommendations/{rec}/fly").status_code == 422


def test_plan_accounts_rules_calendar_and_the_decision_log(server: Running) -> None:
    with server.client("admin") as client:
        plan = client.get("/v1/plan", params={"owner": "u-ad", "week": "all"}).json()
        accounts = client.get("/v1/accounts").json()
        rules = client.get("/v1/rules").json()
        calendar = client.get("/v1/calendar/u-ad.ics")
        log = client.get("/v1/decisions").json()
        assert client.get("/v1/plan", params={"week": "2026-W99"}).status_code == 422
    # The meetings u-ad leads and those u-ad attends (a second colleague at the star's meetings, issue 22).
    assert plan and all("u-ad" in {item["owner"]["id"], *(a["id"] for a in item["attendees"])} for item in plan)
    assert [a["account_id"] for a in accounts] == ["acme-tel", "initech"] and accounts[0]["tier"] == "strategic"
    assert any(r["rule"] == "power-map/new-executive" for r in rules["rules"])
    assert calendar.headers["content-type"].startswith("text/calendar") and b"BEGIN:VEVENT" in calendar.content
    assert {d["kind"] for d in log} >= {"refresh"}  # a read-only advise is logged only when asked
    assert all(d["revision"] == rules["revision"] and d["account_id"] and d["id"].startswith("dec-") for d in log)
