"""docs/serve.md documents every endpoint and option, and its example problem is what the service answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.routing import APIRoute
from kamengine.cli.serve import serve
from kamengine.engine.plugin._registry import Registry
from kamengine.service import advice, info, recommendations, web
from kamengine.service.app import create_app
from kamengine.service.state import Service
from serving import serving
from support import REPO

DOC = (REPO / "docs" / "serve.md").read_text(encoding="utf-8")


def _documented() -> set[tuple[str, str]]:
    """(method, path) of every row of the endpoint and page tables, ids written ``{id}``."""
    rows = set(re.findall(r"^\| `([A-Z]+) ([^`?]+)[^|]*\|", DOC, flags=re.M))
    pages = {("GET", path) for path in re.findall(r"^\| `(/[^`]*)` \|", DOC, flags=re.M)}
    # /login posts to itself; /logout and the buttons are in the prose under the pages table.
    return rows | pages | {("POST", "/login"), ("POST", "/logout"), ("POST", "/recommendations/{id}/{verb}")}


def _as_documented(path: str) -> str:
    for name in ("{rec_id}", "{account_id}"):
        path = path.replace(name, "{id}")
    return path.replace("/v1/recommendations/{id}/{verb}", "/v1/recommendations/{id}/accept").replace(
        "{owner}", "{member}" if path.startswith("/week/") else "{owner}"
    )


def test_every_endpoint_and_page_is_in_the_tables(tmp_path: Path) -> None:
    documented = _documented()
    routes = [r for module in (advice, recommendations, info, web) for r in module.router.routes]
    assert len(routes) >= 19
    for route in routes:
        assert isinstance(route, APIRoute)
        for method in route.methods:
            assert (method, _as_documented(route.path)) in documented, f"{method} {route.path} is not in docs/serve.md"
    app = create_app(Service(tmp_path / "k.db", registry=Registry()))
    for path, methods in app.openapi()["paths"].items():
        for method in methods:
            assert (method.upper(), _as_documented(path)) in documented, f"{method} {path}"


def test_every_option_is_in_the_table() -> None:
    for param in serve.params:
        assert f"| `{param.opts[0]}" in DOC, param.opts[0]


def test_the_problem_example_is_what_the_service_answers(tmp_path: Path) -> None:
    example = json.loads(re.search(r"```json\n(\{\n  \"type\".*?)```", DOC, flags=re.S).group(1))  # type: ignore[union-attr]
    bad = {
        "as_of": "2026-11-20",
        "account": {"id": "a", "name": "A"},
        "contacts": [{"id": "c", "name": "C", "stance": 9}],
    }
    with serving(tmp_path / "k.db", auth=False) as server, server.client() as client:
        answer = client.post("/v1/advise", content=json.dumps(bad, indent=1))
    assert answer.json() == example
