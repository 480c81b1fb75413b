"""The OpenAPI document tells the truth: each status an operation answers is declared, as the problem details (and
media type) it is sent as; the constraints the service enforces are in the schema; a 405 says what is allowed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kamengine.engine.model.snapshot import Snapshot
from serving import Running, serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serving(tmp_path_factory.mktemp("openapi") / "kamengine.db") as running:
        running.token("admin", "crm", "admin")
        with running.client("admin") as client:
            assert client.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).status_code == 200
        yield running


@pytest.fixture(scope="module")
def document(server: Running) -> dict[str, Any]:
    with server.client() as client:
        return dict(client.get("/openapi.json").json())


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def test_every_error_is_declared_as_the_problem_details_it_is_sent_as(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        wanted = {"500", "503"} | ({"401", "403", "413", "422"} if path.startswith("/v1/") else set())
        assert wanted <= set(responses), f"{method} {path}: {sorted(responses)}"
        for status, response in responses.items():
            if status[0] in "45":
                assert response["content"] == {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}, (
                    f"{method} {path} {status}"
                )
    assert {"404", "409", "415"} <= set(document["paths"]["/v1/recommendations/{rec_id}/{verb}"]["post"]["responses"])
    assert "404" in document["paths"]["/v1/accounts/{account_id}"]["get"]["responses"]
    assert "404" in document["paths"]["/v1/recommendations/{rec_id}"]["get"]["responses"]
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # FastAPI's 422 shape: the service never sends it
    assert {"type", "title", "status", "detail"} <= set(schemas["Problem"]["required"])


def test_the_answers_match_what_the_document_declares(server: Running, document: dict[str, Any]) -> None:
    with server.client("admin") as client:
        missing = client.get("/v1/recommendations/rec-0000000000000000")
        account = client.get("/v1/accounts/no-such-account")
        invalid = client.get("/v1/runs", params={"limit": "true"})
    for answer in (missing, account, invalid):
        assert answer.headers["content-type"] == PROBLEM
    assert (missing.status_code, account.status_code, invalid.status_code) == (404, 404, 422)


def test_a_405_says_which_methods_the_path_has(server: Running) -> None:
    with server.client("admin") as client:
        answers = {
            "/v1/runs": client.request("TRACE", "/v1/runs"),
            "/v1/accounts/acme-tel": client.delete("/v1/accounts/acme-tel"),
            "/v1/accounts/acme-tel/snapshot": client.get("/v1/accounts/acme-tel/snapshot"),
            "/healthz": client.post("/healthz"),
        }
    allowed = {path: set(answer.headers.get("allow", "").split(", ")) for path, answer in answers.items()}
    assert all(answer.status_code == 405 for answer in answers.values())
    assert allowed == {
        "/v1/runs": {"GET"},
        "/v1/accounts/acme-tel": {"GET"},
        "/v1/accounts/acme-tel/snapshot": {"PUT"},
        "/healthz": {"GET"},
    }


def test_a_decision_body_that_is_not_text_is_an_invalid_request_like_any_other(server: Running) -> None:
    with server.client("admin") as client:
        rec = client.get("/v1/recommendations", params={"limit": 1}).json()["items"][0]["id"]
        answer = client.post(
            f"/v1/recommendations/{rec}/snooze", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
        )
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert answer.json()["type"] == "urn:kamengine:problem:invalid-request"


@pytest.mark.parametrize("until", ["20261210", "2026-W50-1", "tomorrow"])
def test_a_snooze_reads_until_only_as_the_date_the_document_declares(server: Running, until: str) -> None:
    day = dt.date.today() + dt.timedelta(days=10)
    spelt = {"20261210": day.strftime("%Y%m%d"), "2026-W50-1": "{}-W{:02d}-{}".format(*day.isocalendar())}
    with server.client("admin") as client:
        rec = client.get("/v1/recommendations", params={"limit": 1}).json()["items"][0]["id"]
        answer = client.post(f"/v1/recommendations/{rec}/snooze", json={"until": spelt.get(until, until)})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"].startswith("until: a snooze needs an end date YYYY-MM-DD")


def test_the_schema_states_the_rules_the_snapshot_is_held_to(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    date = schemas["Snapshot"]["properties"]["as_of"]
    pattern = re.compile(date["pattern"])
    assert date["format"] == "date"
    assert [bool(pattern.search(d)) for d in ("1900-01-01", "2199-12-31", "1899-12-31", "2200-01-01", "0527-07-22")] == [
        True, True, False, False, False
    ]  # fmt: skip
    assert "executive_visit" in schemas["Activity"]["properties"]["type"]["enum"]
    until = schemas["Decision"]["properties"]["until"]["anyOf"][0]
    assert until == {"type": "string", "format": "date"}
    assert schemas["GroupMember"]["properties"]["proximity"]["minimum"] == 1


def _keywords(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keywords(value) if key != "properties" else (k for v in value.values() for k in _keywords(v))
    elif isinstance(node, list):
        for value in node:
            yield from _keywords(value)


def test_the_schemas_use_only_words_json_schema_has(document: dict[str, Any]) -> None:
    # pydantic wrote a bound placed after a BeforeValidator as "ge", which every client ignores (proximity >= 1)
    assert not {"ge", "gt", "le", "lt"} & set(_keywords(document["components"]["schemas"]))


@pytest.mark.parametrize("flag", [0, 1, "yes", "true"])
def test_a_boolean_of_the_snapshot_is_true_or_false_as_the_schema_says(tmp_path: Path, flag: object) -> None:
    data = {"as_of": "2026-11-20", "account": {"id": "a", "name": "A"}}
    data["contacts"] = [{"id": "c", "name": "C", "public_official": flag}]  # type: ignore[list-item]
    with pytest.raises(ValueError, match="valid boolean"):
        Snapshot.model_validate(data)
