"""Load on ``kamengine serve``: concurrent clients for a fixed time on POST /v1/advise and PUT …/snapshot.

Run: python benchmarks/serve_bench.py [--seconds 10] [--clients 16] [--contacts 30]
Starts the installed ``kamengine serve`` on a free port with a new store and an admin token,
then drives it from one asyncio process (httpx): POST /v1/advise with one client and with
``--clients``; PUT /v1/accounts/{id}/snapshot on distinct accounts; and PUTs racing for one
account (two versions, alternately), after which it checks the store: one finished run per
answered PUT, the live advice exactly the last run's, no recommendation opened twice.
Prints requests/s, p50 and p99 latency and errors for each.

Run: python benchmarks/serve_bench.py --accounts 40000 [--seconds 10] [--clients 16]
The reads of an organisation's day instead, on a generated store of that many accounts (cached under /tmp by
size): the portfolio page, a week page, a 50-item recommendations page and a decision, at 1 and ``--clients``
clients, p50/p99 against issue 25's targets (``org_reads.py``).

Run: python benchmarks/serve_bench.py --against REF [--rounds 5] [--seconds 10] [--contacts 30]
One client's POST /v1/advise on REF's ``kamengine serve`` (its worktree and venv, ``against.py``) and on this
checkout's, both running, their turns alternating round after round (a first short round warms each up): each
side's p50 and p99 over its rounds, and now / REF, with the load before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from against import load, now_is, ratio_header, ratio_line, sides
from portfolio import snapshot

SCRIPT = Path(sys.executable).parent / "kamengine"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(script: Path | str, db: Path) -> Iterator[tuple[str, str]]:
    """``script serve`` (an installed ``kamengine``) on a free port of 127.0.0.1 over the store ``db``, with an
    admin token made for it: its address and the token while it runs; stopped after."""
    made = subprocess.run([script, "tokens", "create", "--member", "bench", "--scope", "admin", "--db", db],
                          capture_output=True, text=True, check=True)  # fmt: skip
    token, port = made.stdout.strip(), free_port()
    server = subprocess.Popen([script, "serve", "--port", str(port), "--db", db], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, server)
        yield url, token
    finally:
        server.terminate()
        server.wait(30)


def wait_until_up(url: str, server: subprocess.Popen[Any]) -> None:
    """Return once ``url`` answers /healthz; a server that exits first, or is not up within 60 s, stops the script."""
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/healthz").raise_for_status()
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"the server {server.args!r} did not start") from None
            time.sleep(0.2)


def advise_bodies(contacts: int, rng: random.Random, count: int = 200) -> list[bytes]:
    """``count`` generated snapshots of ``contacts`` people, as request bodies."""
    return [json.dumps(snapshot(i, contacts, rng)).encode() for i in range(count)]


async def drive(
    url: str, token: str, clients: int, seconds: float, request: Callable[[int], tuple[str, str, bytes]]
) -> tuple[list[float], int, int, list[str]]:
    """``clients`` loops sending ``request(n)`` until ``seconds`` pass: latencies (ms), answered, errors, run ids."""
    latencies: list[float] = []
    errors = 0
    runs: list[str] = []
    stop = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits) as client:

        async def loop(worker: int) -> None:
            nonlocal errors
            n = worker
            while time.perf_counter() < stop:
                method, path, body = request(n)
                began = time.perf_counter()
                try:
                    answer = await client.request(method, path, content=body)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - began) * 1000)
                if answer.status_code != 200:
                    errors += 1
                elif method == "PUT":
                    runs.append(answer.json()["run_id"])
                n += clients

        await asyncio.gather(*(loop(w) for w in range(clients)))
    return latencies, len(latencies), errors, runs


def report(name: str, clients: int, seconds: float, latencies: list[float], errors: int) -> None:
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    print(
        f"{name:<34} {clients:>3} clients  {len(latencies) / seconds:8.1f} req/s"
        f"  p50 {cuts[49]:7.1f} ms  p99 {cuts[98]:7.1f} ms  errors {errors}"
    )


def check_race(db: Path, account: str, runs: list[str]) -> str:
    """The store after racing PUTs for one account: what a lost or doubled write would break."""
    with sqlite3.connect(db) as conn:
        stored = {
            r
            for (r,) in conn.execute("select id from runs where source = ? and status = 'finished'", [f"api:{account}"])
        }
        last = max(runs)
        live_query = "select id from recommendations where account_id = ? and status in ('open', 'accepted', 'snoozed')"
        live = {r for (r,) in conn.execute(live_query, [account])}
        given = set(
            json.loads(conn.execute("select recommendations from decisions where run_id = ?", [last]).fetchone()[0])
        )
        doubled = conn.execute(
            "select count(*) from (select recommendation_id from status_history where reason = 'new'"
            " group by recommendation_id having count(*) > 1)"
        ).fetchone()[0]
    problems = []
    if stored != set(runs):
        problems.append(f"{len(runs)} PUTs answered, {len(stored)} runs stored")
    if live != given:
        problems.append(f"live advice is not the last run's ({len(live)} live, {len(given)} given)")
    if doubled:
        problems.append(f"{doubled} recommendations opened twice")
    return "; ".join(problems) or f"ok: {len(runs)} runs, {len(live)} live recommendations, as the last run gave them"


def one_client(ref: str, contacts: int, seconds: float, rounds: int) -> None:
    """One client's POST /v1/advise on REF's server and on this checkout's, turns alternating; p50, p99, ratio."""
    installed = sides(ref)
    print(f"{now_is()}; one client, {contacts}-contact snapshots, {rounds} rounds of {seconds:g} s; {load()} before")
    with tempfile.TemporaryDirectory(prefix="kamengine-serve-bench-") as folder:
        taken = alternating_turns(installed, Path(folder), contacts, seconds, rounds)
    print(f"{load()} after")
    print(ratio_header(installed, "POST /v1/advise, 1 client"))
    ref_cuts, now_cuts = (statistics.quantiles(taken[side.name], n=100) for side in installed)
    print(ratio_line("p50 ms", ref_cuts[49], now_cuts[49]))
    print(ratio_line("p99 ms", ref_cuts[98], now_cuts[98]))
    print(f"requests: {', '.join(f'{name} {len(values)}' for name, values in taken.items())}")


def alternating_turns(
    installed: list[Any], folder: Path, contacts: int, seconds: float, rounds: int
) -> dict[str, list[float]]:
    """Each side's ``kamengine serve`` running at once (stores in ``folder``), one client's POST /v1/advise on each in
    turn, the side going first alternating, a warm-up round unrecorded: every side's latencies (s) by its name."""
    bodies = advise_bodies(contacts, random.Random(7))
    request = lambda n: ("POST", "/v1/advise", bodies[n % len(bodies)])  # noqa: E731
    taken: dict[str, list[float]] = {side.name: [] for side in installed}
    with contextlib.ExitStack() as stack:
        servers = [
            (side.name, *stack.enter_context(serving(side.bin("kamengine"), folder / f"serve-{n}.db")))
            for n, side in enumerate(installed)
        ]
        for round_ in range(rounds + 1):  # round 0 warms each server up, unrecorded
            for name, url, token in servers if round_ % 2 else servers[::-1]:
                latencies, answered, errors, _ = asyncio.run(drive(url, token, 1, seconds if round_ else 1.0, request))
                if errors:
                    raise SystemExit(f"serve, {name}: {errors} of {answered} requests failed")
                taken[name].extend(latencies if round_ else [])
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--contacts", type=int, default=30)
    parser.add_argument("--accounts", type=int, help="the reads on a generated store of this many accounts")
    parser.add_argument("--against", metavar="REF", help="one client on REF's server and on this one's, alternating")
    parser.add_argument("--rounds", type=int, default=5, help="with --against: turns per server (default 5)")
    args = parser.parse_args()
    if args.against:
        one_client(args.against, args.contacts, args.seconds, args.rounds)
        return
    if args.accounts:
        from org_reads import run  # the organisation's reads (it imports this module's drive)

        run(args.accounts, args.clients, args.seconds)
        return
    rng = random.Random(7)
    bodies = advise_bodies(args.contacts, rng)
    # The racing account is one no other phase writes; its two versions differ in three people's stance.
    one = snapshot(1000, args.contacts, rng)
    one["account"]["id"] = "race"
    warmer = {**one, "contacts": [{**c, "stance": 3} for c in one["contacts"][:3]] + one["contacts"][3:]}
    versions = [json.dumps(one).encode(), json.dumps(warmer).encode()]
    with tempfile.TemporaryDirectory(prefix="kamengine-serve-bench-") as folder:
        db = Path(folder) / "kamengine.db"
        with serving(SCRIPT, db) as (url, token):
            print(f"kamengine serve, {args.contacts}-contact snapshots, {args.seconds:g} s each")
            advise = lambda n: ("POST", "/v1/advise", bodies[n % len(bodies)])  # noqa: E731
            for clients in (1, args.clients):
                latencies, _, errors, _ = asyncio.run(drive(url, token, clients, args.seconds, advise))
                report("POST /v1/advise", clients, args.seconds, latencies, errors)

            def put(n: int) -> tuple[str, str, bytes]:
                body = bodies[n % len(bodies)]
                return "PUT", f"/v1/accounts/{json.loads(body)['account']['id']}/snapshot", body

            latencies, _, errors, _ = asyncio.run(drive(url, token, args.clients, args.seconds, put))
            report("PUT snapshot, distinct accounts", args.clients, args.seconds, latencies, errors)
            account = one["account"]["id"]
            race = lambda n: ("PUT", f"/v1/accounts/{account}/snapshot", versions[n % 2])  # noqa: E731
            latencies, _, errors, runs = asyncio.run(drive(url, token, args.clients, args.seconds, race))
            report("PUT snapshot, racing for one", args.clients, args.seconds, latencies, errors)
        print(f"store after the race: {check_race(db, account, runs)}")


if __name__ == "__main__":
    main()
