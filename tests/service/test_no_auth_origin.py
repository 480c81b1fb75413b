"""``--no-auth`` answers only this machine's own requests: a loopback Host, no other origin, no form-typed API body."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from serving import serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"


def test_no_auth_refuses_other_hosts_origins_and_media_types(tmp_path: Path) -> None:
    with serving(tmp_path / "k.db", auth=False) as server, server.client() as client:
        port = urlsplit(server.url).port
        own = f"http://127.0.0.1:{port}"
        assert client.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).status_code == 200
        rec = client.get("/v1/recommendations").json()["items"][0]["id"]
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost"):
            assert client.get("/v1/accounts", headers={"Host": host}).status_code == 200, host
        rebound = [client.get("/v1/accounts", headers={"Host": h}) for h in (f"attacker.example:{port}", "10.0.0.1")]
        foreign = [
            client.post(f"/v1/recommendations/{rec}/accept", json={}, headers={"Origin": "https://evil.example"}),
            client.post(f"/v1/recommendations/{rec}/accept", json={}, headers={"Origin": "null"}),
            client.post(f"/v1/recommendations/{rec}/accept", json={}, headers={"Origin": "http://127.0.0.1:1"}),
            client.post(f"/v1/recommendations/{rec}/accept", json={}, headers={"Referer": "http://evil.example/x"}),
            client.post("/login", data={"token": "x"}, headers={"Origin": "http://evil.example"}),
        ]
        plain = client.post(f"/v1/recommendations/{rec}/accept", content=b"{}", headers={"Content-Type": "text/plain"})
        form = client.post("/v1/advise", content=ACME.read_bytes(), headers={"Content-Type": "text/plain"})
        yaml = client.post("/v1/advise", content=ACME.read_bytes(), headers={"Content-Type": "application/yaml"})
        state = client.get(f"/v1/recommendations/{rec}").json()["status"]
        mine = client.post(f"/v1/recommendations/{rec}/accept", json={}, headers={"Origin": own, "Referer": own + "/"})
        page = client.get("/week/u-sr").text
    assert [a.status_code for a in rebound] == [403, 403]
    assert [a.status_code for a in foreign] == [403] * len(foreign)
    assert all(a.headers["content-type"] == "application/problem+json" for a in (*rebound, *foreign))
    assert plain.status_code == 415 and form.status_code == 415 and yaml.status_code == 200
    assert "urn:kamengine:problem:unsupported-media-type" in plain.text
    assert state == "open"  # nothing refused changed anything
    assert mine.status_code == 200 and mine.json()["status"] == "accepted"
    # the form token is this process's secret, not a constant another page could compute
    guessable = hashlib.sha256(b"kamengine-form:local").hexdigest()[:32]
    assert 'name="csrf"' in page and guessable not in page


def test_with_tokens_the_host_is_not_checked_but_media_types_are(tmp_path: Path) -> None:
    with serving(tmp_path / "k.db") as server:
        server.token("admin", "crm", "admin")
        with server.client("admin") as client:
            other_host = client.get("/v1/accounts", headers={"Host": "kam.example.com"})
            form = client.put(
                "/v1/accounts/acme-tel/snapshot",
                content=ACME.read_bytes(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
    assert other_host.status_code == 200  # a server for a team sits behind its own name
    assert form.status_code == 415
