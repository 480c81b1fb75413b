"""The reads of an organisation's day on ``kamengine serve`` over a generated store (``serve_bench.py --accounts``).

Copies the cached store of ``org_store.py`` (decisions change it), starts ``kamengine serve`` on it with an admin
token, then for 1 and ``--clients`` clients, ``--seconds`` each: the portfolio page (the first page and the pages
after it, by their links), a person's week page (one rep unit's AR after another), ``GET /v1/plan`` of a rep's week,
a 50-item recommendations page (the first and the next ones, by their cursors), a decision (accepting a distinct
open recommendation each time) and an admin's ``GET /v1/plan?owner=all`` of this week (its first 10 pages by their
links). Prints p50/p99 of each against issue 25's targets (the plan's: the week page's).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from org_store import REPS, SCRIPT, org_store
from serve_bench import drive, free_port

#: Issue 25's one-client p50 targets (ms).
TARGETS = {
    "portfolio page": 300.0, "week page": 200.0, "plan of a week (API)": 200.0, "recommendations page": 100.0,
    "decision": 50.0, "plan, owner=all (API)": 200.0,
}  # fmt: skip
Request = Callable[[int], tuple[str, str, bytes]]


def _started(db: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """``kamengine serve`` on ``db`` with a new admin token: the process, its address and the token."""
    made = subprocess.run([SCRIPT, "tokens", "create", "--member", "bench", "--scope", "admin", "--db", db],
                          capture_output=True, text=True, check=True)  # fmt: skip
    token, port = made.stdout.strip(), free_port()
    server = subprocess.Popen([SCRIPT, "serve", "--port", str(port), "--db", db], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(f"{url}/healthz").raise_for_status()
            return server, url, token
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                server.terminate()
                raise SystemExit("the server did not start") from None
            time.sleep(0.3)


def _walk(url: str, token: str) -> tuple[list[str], list[str]]:
    """The addresses of the portfolio's first pages (by their Next links) and of the recommendations' first pages
    (by their cursors), 10 of each."""
    headers = {"Authorization": f"Bearer {token}"}
    portfolio, recs = ["/"], ["/v1/recommendations?limit=50"]
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        while len(portfolio) < 10:
            found = re.search(r'href="(/\?after=[^"]+)">Next page', client.get(portfolio[-1]).text)
            if not found:
                break
            portfolio.append(found.group(1))
        while len(recs) < 10:
            following = client.get(recs[-1]).json()["next_cursor"]
            if not following:
                break
            recs.append(f"/v1/recommendations?limit=50&cursor={following}")
    return portfolio, recs


def _everyone(url: str, token: str) -> list[str]:
    """The addresses of an admin's first 10 pages of everyone's plan this week (``GET /v1/plan?owner=all``, 50
    items a page), by their ``Link`` headers."""
    pages = ["/v1/plan?owner=all&limit=50"]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        while len(pages) < 10:
            link = client.get(pages[-1]).headers.get("link")
            if not link:
                break
            pages.append(link[1 : link.index(">")])
    return pages


def _open_ids(db: Path, count: int) -> list[str]:
    """``count`` open recommendations spread over the store, to accept one each decision."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select id from recommendations where status = 'open' order by random() limit ?", [count])
        return [row[0] for row in rows]


def _report(name: str, clients: int, seconds: float, latencies: list[float], errors: int) -> tuple[float, float]:
    """Print one line of figures; its p50 and p99 (ms)."""
    if not latencies:
        print(f"{name:<22} {clients:>3} clients  no answer  errors {errors}")
        return float("inf"), float("inf")
    cuts = sorted(latencies)
    p50, p99 = cuts[len(cuts) // 2], cuts[min(len(cuts) - 1, int(len(cuts) * 0.99))]
    print(
        f"{name:<22} {clients:>3} clients  {len(latencies) / seconds:7.1f} req/s  p50 {p50:7.1f} ms"
        f"  p99 {p99:7.1f} ms  errors {errors}",
        flush=True,
    )
    return p50, p99


def run(accounts: int, clients: int, seconds: float) -> None:
    """The benchmark over ``accounts`` generated accounts (see the module's docstring)."""
    cached = org_store(accounts)
    with tempfile.TemporaryDirectory(prefix="kamengine-org-bench-") as folder:
        db = Path(folder) / "kamengine.db"
        shutil.copyfile(cached, db)
        ids = iter(_open_ids(db, 200_000))
        server, url, token = _started(db)
        try:
            portfolio, recs = _walk(url, token)
            everyone = _everyone(url, token)
            units = max(1, accounts // REPS)
            requests: dict[str, Request] = {
                "portfolio page": lambda n: ("GET", portfolio[n % len(portfolio)], b""),
                "week page": lambda n: ("GET", f"/week/u-ar-{(n * 7919) % units}", b""),
                # GET /v1/plan of a rep's week (this one), 50 items: the week page's plan as JSON (no issue target:
                # the week page's is used).
                "plan of a week (API)": lambda n: ("GET", f"/v1/plan?owner=u-ar-{(n * 7919) % units}", b""),
                "recommendations page": lambda n: ("GET", recs[n % len(recs)], b""),
                # An admin's everyone of this week (no issue target: the week page's): its first 10 pages by links.
                "plan, owner=all (API)": lambda n: ("GET", everyone[n % len(everyone)], b""),
                "decision": lambda n: ("POST", f"/v1/recommendations/{next(ids)}/accept", b""),
            }
            print(f"kamengine serve on {accounts} generated accounts, {seconds:g} s a load", flush=True)
            single: dict[str, float] = {}
            for count in (1, clients):
                for name, request in requests.items():
                    latencies, _, errors, _ = asyncio.run(drive(url, token, count, seconds, request))
                    p50, p99 = _report(name, count, seconds, latencies, errors)
                    if count == 1:
                        single[name] = p50
                        verdict = "met" if p50 < TARGETS[name] else "NOT met"
                        print(f"{'':<22} target p50 < {TARGETS[name]:g} ms: {verdict}")
                    else:
                        verdict = "met" if errors == 0 and p99 < 10 * single[name] else "NOT met"
                        print(f"{'':<22} target no error, p99 < 10x one client's p50: {verdict}")
        finally:
            server.terminate()
            server.wait(30)
