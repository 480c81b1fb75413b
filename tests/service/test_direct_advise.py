"""POST /v1/advise without a query string is served past FastAPI's routing (service/direct.py): the same answers,
refusals, access line and metrics as the routed request (the same request with a default parameter in its query)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.engine.store.store import Store
from kamengine.engine.store.tokens import create_token
from kamengine.service import direct
from kamengine.service.app import create_app
from kamengine.service.metrics import PROCESS
from kamengine.service.state import Service
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"
#: The routed twin of a direct request: a parameter at its default, so the answer must be the same.
ROUTED = "/v1/advise?explain=false"


@dataclass
class Served:
    """The whole application in a test client, and a token of each scope."""

    client: TestClient
    tokens: dict[str, str]

    def bearer(self, scope: str | None) -> dict[str, str]:
        """The Authorization header of ``scope``'s token (an unknown one for another name; none for None)."""
        return {"Authorization": f"Bearer {self.tokens.get(scope, 'kam_00000000_wrong')}"} if scope else {}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = tmp_path_factory.mktemp("direct") / "k.db"
    service = Service(db, registry=Registry(get_plugin_manager(load_entry_points=False)))
    store = Store(db)
    try:
        tokens = {scope: create_token(store, "u-ad", scope)[1] for scope in ("admin", "read", "metrics")}
    finally:
        store.close()
    with TestClient(create_app(service), base_url="http://127.0.0.1") as client:
        yield Served(client, tokens)


@pytest.fixture
def served_directly(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the direct path checked a token for (its own call of ``authenticated``)."""
    seen: list[str] = []
    checked = direct.authenticated

    async def counting(request: Any) -> None:
        seen.append(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        await checked(request)

    monkeypatch.setattr(direct, "authenticated", counting)
    return seen


def _comparable(answer: Any) -> tuple[int, bytes, list[tuple[str, str]]]:
    headers = [(k, v) for k, v in answer.headers.multi_items() if k not in ("x-request-id", "date")]
    return answer.status_code, answer.content, headers


CASES: dict[str, tuple[str | None, Callable[[], bytes]]] = {
    "advice": ("admin", ACME.read_bytes),
    "advice, a read token": ("read", ACME.read_bytes),
    "no token": (None, ACME.read_bytes),
    "an unknown token": ("wrong", ACME.read_bytes),
    "a metrics token": ("metrics", ACME.read_bytes),
    "an invalid snapshot": ("admin", lambda: b"[1, 2]"),
    "not UTF-8": ("admin", lambda: b"\xff\xfe{}"),
    "broken JSON": ("admin", lambda: b'{"as_of": '),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_direct_answer_is_the_routed_one(served: Served, served_directly: list[str], case: str) -> None:
    scope, body = CASES[case]
    headers = {"Content-Type": "application/json", **served.bearer(scope)}
    directly = served.client.post("/v1/advise", content=body(), headers=headers)
    routed = served.client.post(ROUTED, content=body(), headers=headers)
    assert served_directly == ["/v1/advise"]  # the routed twin went through FastAPI
    assert _comparable(directly) == _comparable(routed)
    assert directly.status_code == {"advice": 200, "advice, a read token": 200}.get(case, directly.status_code)


def test_other_requests_are_routed(served: Served, served_directly: list[str]) -> None:
    client, headers = served.client, served.bearer("admin")
    slash = client.post("/v1/advise/", content=ACME.read_bytes(), headers=headers, follow_redirects=False)
    assert slash.status_code == 307  # the router's redirect, as before
    assert client.get("/v1/advise", headers=headers).status_code == 405
    assert client.post("/v1/advise?lang=zh", content=ACME.read_bytes(), headers=headers).status_code == 200
    assert client.post("/v1/advise?lang=fr", content=ACME.read_bytes(), headers=headers).status_code == 422
    assert served_directly == []


def test_a_direct_request_is_counted_and_logged_as_a_routed_one(served: Served, served_directly: list[str]) -> None:
    labels = {"method": "POST", "route": "/v1/advise", "status": "200"}
    before = PROCESS.get_sample_value("kamengine_http_requests_total", labels) or 0.0
    kept: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = kept.append  # type: ignore[method-assign]
    access = logging.getLogger("kamengine.access")
    level = access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        answer = served.client.post("/v1/advise", content=ACME.read_bytes(), headers=served.bearer("admin"))
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    assert answer.status_code == 200 and served_directly == ["/v1/advise"]
    assert PROCESS.get_sample_value("kamengine_http_requests_total", labels) == before + 1
    line = json.loads(kept[-1].getMessage())
    token_id = served.tokens["admin"].split("_")[1]
    assert (line["method"], line["path"], line["status"], line["principal"]) == ("POST", "/v1/advise", 200, token_id)


def test_the_openapi_document_still_describes_the_route(served: Served) -> None:
    document = served.client.get("/openapi.json").json()
    assert document["paths"]["/v1/advise"]["post"]["operationId"] == "advise_v1_advise_post"
    assert {p["name"] for p in document["paths"]["/v1/advise"]["post"]["parameters"]} == {"explain", "lang", "log"}


def test_no_query_string_only() -> None:
    scope = {"type": "http", "method": "POST", "path": "/v1/advise", "query_string": b"", "root_path": ""}
    assert direct.DirectAdvise._direct(scope)
    for changed in ({"query_string": b"explain=1"}, {"method": "PUT"}, {"path": "/v1/advise/"}, {"root_path": "/x"}):
        assert not direct.DirectAdvise._direct({**scope, **changed}), changed
    assert not direct.DirectAdvise._direct({"type": "websocket", "path": "/v1/advise"})
