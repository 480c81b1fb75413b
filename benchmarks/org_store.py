"""A generated store of an organisation's accounts for the serve benchmark, cached under /tmp by its size.

``org_store(accounts)`` advises ``TEMPLATES`` generated accounts with ``kamengine batch`` (the real playbooks), then
copies them to ``accounts`` accounts: each copy's snapshot kept through the store's ``keep_snapshot`` (its team
becomes the account's team) and its advice inserted in bulk, the store's triggers keeping each account's summary.
Teams come in units: a rep trio (AR, SR, FR) holds 8 accounts, a director (AD) 32, so a person's shared work (the
accounts whose plan decides their weeks) is 32 accounts whatever the size.
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kamengine.engine.model.rows import KeptSnapshot
from kamengine.engine.store.kept import keep_snapshot
from kamengine.engine.store.store import Store
from portfolio import snapshot

SCRIPT = Path(sys.executable).parent / "kamengine"
TEMPLATES = 64
CONTACTS = 10
REPS, DIRECTOR = 8, 32  # accounts a rep trio holds, accounts a director holds
VERSION = 4  # of the generator: a new one makes new stores, not a stale cache


def cached_path(accounts: int) -> Path:
    """Where the store of ``accounts`` accounts is kept between runs."""
    return Path(tempfile.gettempdir()) / f"kamengine-org-v{VERSION}-{accounts}.db"


def team_of(index: int) -> dict[str, str]:
    """Template team id -> this account's: its rep unit's trio and its director."""
    unit, director = index // REPS, index // DIRECTOR
    return {"u-ar": f"u-ar-{unit}", "u-sr": f"u-sr-{unit}", "u-fr": f"u-fr-{unit}", "u-ad": f"u-ad-{director}"}


def _templates(folder: Path) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The template snapshots and, by template account, the rows of the advice ``kamengine batch`` stored."""
    rng = random.Random(25)
    snapshots = [snapshot(t, CONTACTS, rng) for t in range(TEMPLATES)]
    source, db = folder / "templates.jsonl", folder / "templates.db"
    source.write_text("".join(json.dumps(s) + "\n" for s in snapshots))
    subprocess.run([SCRIPT, "batch", "--source", f"jsonl:{source}", "--db", db, "--workers", "1"], check=True,
                   capture_output=True)  # fmt: skip
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in conn.execute("select * from recommendations where status = 'open'"):
        rows.setdefault(row["account_id"], []).append(dict(row))
    conn.close()
    return snapshots, rows


def _renamed(text: str, names: dict[str, str]) -> str:
    """``text`` (JSON) with each quoted id of ``names`` replaced."""
    for old, new in names.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    return text


def _copy_rows(template: list[dict[str, Any]], index: int, names: dict[str, str]) -> list[dict[str, Any]]:
    """The template's advice as account ``index``'s: its ids, its account, its people."""
    account = f"acct-{index}"
    copies = []
    for row in template:
        copy = {**row, "id": f"{row['id']}-{index}", "account_id": account, "account_name": f"Account {index}"}
        copy["owner_id"] = names.get(row["owner_id"], row["owner_id"])
        if row.get("attendees"):
            copy["attendees"] = _renamed(row["attendees"], names)
        copies.append(copy)
    return copies


def generate(path: Path, accounts: int) -> None:
    """A store at ``path`` of ``accounts`` accounts copied from the advised templates."""
    with tempfile.TemporaryDirectory(prefix="kamengine-org-") as folder:
        snapshots, advice = _templates(Path(folder))
    store = Store(path)
    conn = store.db.conn
    columns: list[str] = []
    for start in range(0, accounts, 1000):
        rows: list[dict[str, Any]] = []
        with store.writing():
            for index in range(start, min(start + 1000, accounts)):
                t = index % TEMPLATES
                names = {**team_of(index), f"acct-{t}": f"acct-{index}", f"Account {t}": f"Account {index}"}
                body = _renamed(json.dumps(snapshots[t]), names)
                data = json.loads(body)
                team = tuple((m["id"], m["role"]) for m in data["team"])
                kept = KeptSnapshot(data["account"]["name"], data["account"]["tier"], data["as_of"], body, team)
                keep_snapshot(conn, data["account"]["id"], kept)
                rows += _copy_rows(advice.get(f"acct-{t}", []), index, names)
            columns = columns or list(rows[0])
            marks = ", ".join("?" for _ in columns)
            conn.executemany(
                f"insert into recommendations ({', '.join(columns)}) values ({marks})",
                [[row[c] for c in columns] for row in rows],
            )
    store.db.execute("analyze")
    store.close()


def org_store(accounts: int) -> Path:
    """The cached store of ``accounts`` accounts (generated, and said so, when it is not there yet)."""
    path = cached_path(accounts)
    if not path.exists():
        began = time.perf_counter()
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        generate(partial, accounts)
        partial.rename(path)
        print(f"generated {path} ({accounts} accounts) in {time.perf_counter() - began:.0f} s", flush=True)
    return path
