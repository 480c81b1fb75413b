"""What a request body may be: JSON or YAML, UTF-8, a mapping, within [limits] snapshot_mb; else one problem."""

from __future__ import annotations

from pathlib import Path

from kamengine.engine.model.config import Config
from kamengine.engine.model.limits import Limits
from serving import serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"


def test_bodies_the_service_takes_and_refuses(tmp_path: Path) -> None:
    config = Config(limits=Limits(snapshot_mb=ACME.stat().st_size * 1.5 / 1024 / 1024))
    with serving(tmp_path / "k.db", auth=False, config=config) as server, server.client() as client:
        assert client.post("/v1/advise", content=ACME.read_bytes()).status_code == 200  # YAML as a file holds it
        too_big = client.post("/v1/advise", content=ACME.read_bytes() * 2)
        not_text = client.post("/v1/advise", content=b"\xff\xfe{}")
        a_list = client.post("/v1/advise", content=b"[1, 2]")
        broken = client.post("/v1/advise", content=b'{"as_of": ')
        put_list = client.put("/v1/accounts/x/snapshot", content=b"[]")
    assert too_big.status_code == 413 and too_big.json()["type"] == "urn:kamengine:problem:too-large"
    assert not_text.status_code == 422 and "not UTF-8 text" in not_text.json()["detail"]
    assert a_list.status_code == 422 and "expected a mapping with 'as_of' and 'account'" in a_list.json()["detail"]
    assert broken.status_code == 422 and broken.json()["detail"].startswith("request")
    assert put_list.status_code == 422
    for answer in (too_big, not_text, a_list, broken, put_list):
        assert answer.headers["content-type"] == "application/problem+json"
