"""Memory of ``kamengine serve`` under concurrent large snapshots: the server's peak resident set size.

Run: python benchmarks/serve_memory.py [--clients 4] [--contacts 112000] [--no-retry] [--snapshot-mb 64]
Starts the installed ``kamengine serve --no-auth`` on a free port with a new store, makes one
generated snapshot of ``--contacts`` people (112,000 is 47 MB of JSON), and has ``--clients``
clients POST it to /v1/advise at the same moment. A client answered 503 waits its Retry-After
and tries again (``--no-retry``: it stops), as a CRM's retrying client does. The server's RSS
(with its children) is sampled every 50 ms; prints its baseline and peak and each client's
answers. ``--snapshot-mb`` sets ``[limits] snapshot_mb``, which is also the budget of large
snapshots read at once: 256 lets four 47 MB snapshots in together, as before the budget.
Measures memory only: the times it prints are for the reader, never checked.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portfolio import snapshot
from serve_bench import free_port, wait_until_up

SCRIPT = Path(sys.executable).parent / "kamengine"
MB = 1024 * 1024


def rss(process: psutil.Process) -> int:
    """The resident set size of the server and its children, in bytes."""
    try:
        return sum(p.memory_info().rss for p in (process, *process.children(recursive=True)))
    except psutil.Error:
        return 0


def client(url: str, body: bytes, retry: bool, answers: list[str], start: threading.Event) -> None:
    """POST the snapshot once the start is given; on a 503, wait its Retry-After and try again if ``retry``."""
    start.wait()
    began = time.perf_counter()
    with httpx.Client(base_url=url, timeout=900) as http:
        while True:
            answer = http.post("/v1/advise", content=body, headers={"Content-Type": "application/json"})
            answers.append(f"{answer.status_code} after {time.perf_counter() - began:.0f} s")
            if answer.status_code != 503 or not retry:
                return
            time.sleep(float(answer.headers.get("retry-after", "10")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--contacts", type=int, default=112_000)
    parser.add_argument("--no-retry", action="store_true")
    parser.add_argument("--snapshot-mb", type=float, default=64.0)
    args = parser.parse_args()
    body = json.dumps(snapshot(0, args.contacts, random.Random(7)), default=str).encode()
    with tempfile.TemporaryDirectory(prefix="kamengine-serve-memory-") as folder:
        port, config = free_port(), Path(folder) / "kamengine.toml"
        config.write_text(f"[limits]\nsnapshot_mb = {args.snapshot_mb}\n", encoding="utf-8")
        server = subprocess.Popen(
            [SCRIPT, "--config", config, "serve", "--no-auth", "--port", str(port), "--db", Path(folder) / "k.db"],
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, server)
            process = psutil.Process(server.pid)
            baseline = peak = rss(process)
            answers: list[list[str]] = [[] for _ in range(args.clients)]
            start = threading.Event()
            threads = [
                threading.Thread(target=client, args=(url, body, not args.no_retry, answers[i], start))
                for i in range(args.clients)
            ]
            for thread in threads:
                thread.start()
            began = time.perf_counter()
            start.set()
            while any(thread.is_alive() for thread in threads):
                peak = max(peak, rss(process))
                time.sleep(0.05)
            took = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(30)
    size = len(body) / MB
    print(f"kamengine serve, {args.clients} clients at once, one {size:.1f} MB snapshot each", end="")
    print(f", [limits] snapshot_mb = {args.snapshot_mb:g}")
    print(f"RSS baseline {baseline / MB:.0f} MB, peak {peak / MB:.0f} MB; all answered in {took:.0f} s")
    for index, said in enumerate(answers):
        print(f"client {index + 1}: {', '.join(said)}")


if __name__ == "__main__":
    main()
