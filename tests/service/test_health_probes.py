"""``/healthz`` reads the store's file (a damaged store is not "ok"), ``/readyz`` says whether the service can serve."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

import pytest
from serving import serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"


def test_a_sound_store_is_ok_and_ready(tmp_path: Path) -> None:
    with serving(tmp_path / "k.db", auth=False) as running, running.client() as client:
        assert client.get("/healthz").json()["status"] == "ok"
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_a_damaged_store_is_neither_ok_nor_ready(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with serving(db, auth=False) as running, running.client() as client:
        assert client.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).status_code == 200
        assert client.get("/healthz").status_code == 200  # the pool's connections have the pages in their cache
        with contextlib.closing(sqlite3.connect(db)) as conn:  # the pages move from the write-ahead log to the file
            conn.execute("pragma wal_checkpoint(truncate)")
        data = bytearray(db.read_bytes())
        data[100:4096] = b"\xff" * (4096 - 100)  # the header's end and the schema: what a bad disk or a copy breaks
        db.write_bytes(bytes(data))
        for probe in ("/healthz", "/readyz"):
            answer = client.get(probe)
            assert answer.status_code == 503, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["type"] == "urn:kamengine:problem:store" and "Retry-After" in answer.headers
            assert str(tmp_path) not in answer.text  # a problem never shows a server path


def test_a_store_gone_is_not_ok(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with serving(db, auth=False) as running, running.client() as client:
        db.rename(tmp_path / "moved.db")
        assert client.get("/healthz").json()["detail"] == "the store's file is gone"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only file")
def test_a_read_only_store_is_alive_but_not_ready(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    with serving(db, auth=False) as running, running.client() as client:
        db.chmod(0o444)
        try:
            assert client.get("/healthz").status_code == 200
            answer = client.get("/readyz")
            assert answer.status_code == 503 and "read-only" in answer.json()["detail"]
        finally:
            db.chmod(0o644)
