"""``batch`` takes advise's --as-of, --max-per-contact, --max-per-account, --lang and --engine, with the same effect."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.store import time_order
from support import REPO

EXAMPLES = REPO / "examples"
OPTIONS = ("--as-of", "2027-01-11", "--max-per-contact", "1", "--max-per-account", "4", "--lang", "zh")


def test_batch_and_advise_give_the_same_recommendations_with_the_same_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time_order, "machine_today", lambda: dt.date(2027, 1, 11))  # the night of --as-of
    source = f"file:{EXAMPLES / 'acme-telecom.yaml'}"
    for engine in ("durable", "compiled", "reference"):
        advised = CliRunner().invoke(main, ["advise", "--source", source, "-f", "json", *OPTIONS, "--engine", engine])
        assert advised.exit_code == 0, advised.output
        db = tmp_path / f"{engine}.db"
        batch = ["batch", "--source", source, "--db", str(db), "--workers", "1", *OPTIONS, "--engine", engine]
        ran = CliRunner().invoke(main, batch)
        assert ran.exit_code == 0, ran.output
        with sqlite3.connect(db) as conn:
            stored = conn.execute("select id, title, due, owner_id, as_of from recommendations order by id").fetchall()
        expected = sorted(
            (r["id"], r["title"], r["due"], (r["owner"] or {}).get("id"), "2027-01-11")
            for r in json.loads(advised.stdout)
        )
        assert stored == expected
        assert stored and all(any("\u4e00" <= ch <= "\u9fff" for ch in title) for _, title, *_ in stored)  # --lang zh


def test_without_the_options_the_caps_change_what_batch_keeps(tmp_path: Path) -> None:
    source = f"file:{EXAMPLES / 'acme-telecom.yaml'}"
    counts = []
    for caps in ((), ("--max-per-account", "2")):
        db = tmp_path / f"k{len(caps)}.db"
        ran = CliRunner().invoke(main, ["batch", "--source", source, "--db", str(db), "--workers", "1", *caps])
        assert ran.exit_code == 0, ran.output
        with sqlite3.connect(db) as conn:
            counts.append(
                conn.execute("select count(distinct coalesce(approach, id)) from recommendations").fetchone()[0]
            )
    assert counts[1] == 2 < counts[0]
