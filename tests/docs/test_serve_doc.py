"""docs/serve.md documents every endpoint and option, and its example problem is what the service answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.routing import APIRoute
from kamengine.cli.serve import serve
from kamengine.engine.plugin.registry import Registry
from kamengine.service.app import create_app
from kamengine.service.state import Service
from serving import serving
from support import REPO

DOC = (REPO / "docs" / "serve.md").read_text(encoding="utf-8")


def test_every_endpoint_is_in_the_table(tmp_path: Path) -> None:
    app = create_app(Service(tmp_path / "k.db", registry=Registry()))
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    table = re.findall(r"^\| `([A-Z]+) ([^`?]+)[^|]*\|", DOC, flags=re.M)
    documented = {(method, path) for method, path in table}
    for route in routes:
        for method in route.methods:
            path = route.path.replace("{rec_id}", "{id}").replace("{account_id}", "{id}")
            path = path.replace("{id}/{verb}", "{id}/accept") if "{verb}" in path else path
            assert (method, path) in documented, f"{method} {route.path} is not in docs/serve.md"


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
