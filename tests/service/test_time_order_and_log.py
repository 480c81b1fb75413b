"""The service's snapshot PUT keeps time moving forward; a read-only advise is logged only when asked; the log is pruned."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

from kamengine.engine.model.config import Config
from kamengine.engine.model.limits import Retention
from serving import serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"
TEXT = ACME.read_text(encoding="utf-8")


def _dated(as_of: str) -> bytes:
    assert "as_of: 2026-11-20" in TEXT
    return TEXT.replace("as_of: 2026-11-20", f"as_of: {as_of}", 1).encode()


def _count(db: Path, query: str) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute(query).fetchone()[0])


def test_a_snapshot_dated_before_the_last_or_far_ahead_is_a_409_that_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with serving(db, auth=False) as server, server.client() as client:
        assert client.put("/v1/accounts/acme-tel/snapshot", content=_dated("2026-11-25")).status_code == 200
        counts = [_count(db, f"select count(*) from {t}") for t in ("runs", "snapshots", "status_history")]
        early = client.put("/v1/accounts/acme-tel/snapshot", content=_dated("2026-11-20"))
        ahead = (dt.date.today() + dt.timedelta(days=3)).isoformat()
        later = client.put("/v1/accounts/acme-tel/snapshot", content=_dated(ahead))
        after = [_count(db, f"select count(*) from {t}") for t in ("runs", "snapshots", "status_history")]
        same = client.put("/v1/accounts/acme-tel/snapshot", content=_dated("2026-11-25"))
    assert early.status_code == 409 and early.headers["content-type"] == "application/problem+json"
    problem = early.json()
    assert problem["type"] == "urn:kamengine:problem:out-of-order"
    assert "dated 2026-11-20, before its last one in the store (2026-11-25)" in problem["detail"]
    assert later.status_code == 409 and f"dated {ahead}, more than 2 days after today" in later.json()["detail"]
    assert after == counts
    assert same.status_code == 200  # the same day again moves nothing backwards


def test_a_read_only_advise_is_logged_only_when_asked(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with serving(db, auth=False) as server, server.client() as client:
        for _ in range(3):
            assert "x-kamengine-decision" not in client.post("/v1/advise", content=ACME.read_bytes()).headers
        asked = client.post("/v1/advise", params={"log": "true"}, content=ACME.read_bytes())
    assert asked.headers["x-kamengine-decision"].startswith("dec-")
    assert _count(db, "select count(*) from decisions where kind = 'advise'") == 1
    config = Config(retention=Retention(log_advise=True))
    with serving(db, auth=False, config=config) as server, server.client() as client:
        assert client.post("/v1/advise", content=ACME.read_bytes()).headers["x-kamengine-decision"].startswith("dec-")
        assert "x-kamengine-decision" not in client.post("/v1/advise?log=false", content=ACME.read_bytes()).headers
    assert _count(db, "select count(*) from decisions where kind = 'advise'") == 2


def test_the_service_prunes_the_decision_log_past_its_retention(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with serving(db, auth=False) as server, server.client() as client:
        assert client.post("/v1/advise?log=true", content=ACME.read_bytes()).status_code == 200
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=40)).isoformat(timespec="milliseconds")
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("update decisions set at = ?", [old])
    config = Config(retention=Retention(decision_log_days=30))
    with serving(db, auth=False, config=config) as server, server.client() as client:
        assert client.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).status_code == 200
    assert _count(db, "select count(*) from decisions") == 1  # the refresh's own; the 40-day-old one is gone
    assert _count(db, "select count(*) from decisions where kind = 'refresh'") == 1
