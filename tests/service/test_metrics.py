"""GET /metrics: the counts a scrape shows are the requests made (per route and status, during a 16-client burst),
open connections, the last batch run's figures, and who may read it (a metrics or admin token)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
import yaml
from click.testing import CliRunner
from kamengine.cli import main
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.service.app import create_app
from kamengine.service.metrics import MULTIPROC_ENV
from kamengine.service.server import network_settings
from kamengine.service.state import Service
from prometheus_client.parser import text_string_to_metric_families
from serving import Running, free_port
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"
CLIENTS = 16
BATCH = [str(Path(sys.executable).parent / "kamengine"), "batch"]
ROUNDS = 6
Key = tuple[str, str, str]  # method, route template, status


@contextlib.contextmanager
def _serving(db: Path, auth: bool = True) -> Iterator[Running]:
    """The service as ``kamengine serve`` runs it (its HTTP protocol counts connections), with a keep-alive long
    enough that the test's idle clients stay connected while it counts them."""
    service = Service(db, auth=auth, registry=Registry(get_plugin_manager(load_entry_points=False)))
    settings = network_settings() | {"timeout_keep_alive": 300}
    config = uvicorn.Config(create_app(service), host="127.0.0.1", port=free_port(), log_level="warning", **settings)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the test server did not start"
        time.sleep(0.02)
    try:
        yield Running(f"http://127.0.0.1:{config.port}", db, service, server=server, thread=thread)
    finally:
        server.should_exit = True
        thread.join(30)


def _samples(text: str) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """Every sample of a scrape: by sample name, then by its sorted labels."""
    found: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def _requests(text: str) -> Counter[Key]:
    counts: Counter[Key] = Counter()
    for labels, value in _samples(text).get("kamengine_http_requests_total", {}).items():
        named = dict(labels)
        counts[(named["method"], named["route"], named["status"])] = int(value)
    return counts


def _timed(text: str) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for labels, value in _samples(text).get("kamengine_http_request_duration_seconds_count", {}).items():
        counts[(dict(labels)["method"], dict(labels)["route"])] = int(value)
    return counts


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with _serving(tmp_path_factory.mktemp("metrics") / "kamengine.db") as running:
        running.token("admin", "crm", "admin")
        running.token("metrics", "prometheus", "metrics")
        with running.client("admin") as client:
            assert client.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).status_code == 200
        yield running


#: What each client of the burst asks, with the route template and status the scrape must count it under.
BURST: list[tuple[str | None, str, str, str]] = [  # token, path, route template, status
    ("admin", "/v1/recommendations?limit=5", "/v1/recommendations", "200"),
    ("admin", "/v1/accounts/acme-tel", "/v1/accounts/{account_id}", "200"),
    ("admin", "/v1/accounts/nobody", "/v1/accounts/{account_id}", "404"),
    (None, "/v1/recommendations", "/v1/recommendations", "401"),
    ("metrics", "/v1/recommendations", "/v1/recommendations", "403"),
    (None, "/healthz", "/healthz", "200"),
    (None, "/no/such/page", "unmatched", "404"),
]


def test_a_scrape_counts_exactly_the_requests_of_16_clients_during_a_batch(server: Running, tmp_path: Path) -> None:
    made: Counter[Key] = Counter()
    lock = threading.Lock()
    with server.client("metrics") as scraper:
        before = scraper.get("/metrics")
        assert before.status_code == 200
        made[("GET", "/metrics", "200")] += 1  # the first scrape is counted by the second

        def client_run(clients: dict[str | None, httpx.Client]) -> None:
            for _ in range(ROUNDS):
                for token, path, route, status in BURST:
                    answer = clients[token].get(path)
                    with lock:
                        made[("GET", route, str(answer.status_code))] += 1
                    assert str(answer.status_code) == status, (path, answer.text)

        def scrapes_during() -> None:
            for _ in range(5):
                answer = scraper.get("/metrics")
                with lock:
                    made[("GET", "/metrics", str(answer.status_code))] += 1

        per_thread = [{name: server.client(name) for name in ("admin", "metrics", None)} for _ in range(CLIENTS)]
        threads = [threading.Thread(target=client_run, args=(clients,)) for clients in per_thread]
        threads.append(threading.Thread(target=scrapes_during))
        nightly = [
            *BATCH,
            "--source",
            f"file:{_portfolio(tmp_path / 'p', 3)}",
            "--db",
            str(server.db),
            "--workers",
            "2",
        ]
        batch = subprocess.Popen(nightly, stderr=subprocess.PIPE, text=True)  # the nightly run, on the same store
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        _, said = batch.communicate(timeout=300)
        assert batch.returncode == 1, said  # the broken file failed, the three accounts were advised
        after = scraper.get("/metrics").text
        for clients in per_thread:
            for client in clients.values():
                client.close()

    counted = _requests(after)
    counted.subtract(_requests(before.text))
    assert +counted == made
    assert sum(made.values()) == 1 + 5 + CLIENTS * ROUNDS * len(BURST)
    timed = _timed(after)
    timed.subtract(_timed(before.text))
    by_route: Counter[tuple[str, str]] = Counter()
    for (method, route, _), count in made.items():
        by_route[(method, route)] += count
    assert +timed == by_route
    figures = _samples(after)
    assert figures["kamengine_batch_last_accounts"][()] == 4
    assert figures["kamengine_batch_last_failed_accounts"][()] == 1


def test_open_connections_are_the_clients_connected(server: Running) -> None:
    with server.client("metrics") as scraper:
        scraper.get("/healthz")
        alone = _samples(scraper.get("/metrics").text)["kamengine_http_open_connections"][()]
        clients = [server.client() for _ in range(5)]
        for client in clients:  # each opens its connection and keeps it (keep-alive)
            assert client.get("/healthz").status_code == 200
        opened = _samples(scraper.get("/metrics").text)["kamengine_http_open_connections"][()]
        for client in clients:
            client.close()
        deadline = time.monotonic() + 20  # the server sees a close a moment after the client makes it
        while _samples(scraper.get("/metrics").text)["kamengine_http_open_connections"][()] != alone:
            assert time.monotonic() < deadline, "the closed connections were still counted"
            time.sleep(0.05)
    assert alone >= 1
    assert opened == alone + 5


def test_who_may_read_the_metrics(server: Running) -> None:
    server.token("reader", "crm", "read")
    server.token("actor", "crm", "act")
    statuses = {}
    for name in ("metrics", "admin", "reader", "actor", None):
        with server.client(name) as client:
            statuses[name] = client.get("/metrics").status_code
    assert statuses == {"metrics": 200, "admin": 200, "reader": 403, "actor": 403, None: 401}
    with server.client("metrics") as client:  # a metrics token reads nothing else
        assert client.get("/v1/accounts/acme-tel").status_code == 403
        assert client.get("/healthz").status_code == 200
        assert "/metrics" not in client.get("/openapi.json").json()["paths"]  # Prometheus' format, not the API's


def test_no_auth_serves_the_metrics_open_on_loopback(tmp_path: Path) -> None:
    with _serving(tmp_path / "k.db", auth=False) as running, running.client() as client:
        answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    assert "kamengine_store_bytes" in answer.text
    assert "kamengine_batch_last_accounts" not in answer.text  # no batch yet: no figures that look like one


def test_a_metrics_token_is_for_a_scraper_not_a_team_member(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    _batch(_portfolio(tmp_path / "p", 1), db)
    made = CliRunner().invoke(
        main, ["tokens", "create", "--member", "prometheus", "--scope", "metrics", "--db", str(db)]
    )
    assert made.exit_code == 0, made.output
    assert "(metrics)" in made.stderr
    wrong = CliRunner().invoke(main, ["tokens", "create", "--member", "prometheus", "--scope", "read", "--db", str(db)])
    assert wrong.exit_code != 0  # a read token is still checked against the teams


def _portfolio(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    data = yaml.safe_load(ACME.read_text(encoding="utf-8"))
    for index in range(count):
        data["account"]["id"] = f"acct-{index:02d}"
        (folder / f"{index:02d}.json").write_text(json.dumps(data, default=str), encoding="utf-8")
    (folder / "zz-broken.json").write_text("{not json", encoding="utf-8")
    return folder


def _batch(folder: Path, db: Path) -> None:
    result = CliRunner().invoke(main, ["batch", "--source", f"file:{folder}", "--db", str(db), "--workers", "2"])
    assert result.exit_code == 1, result.output  # the broken file failed; the others were advised


def test_the_batch_figures_are_the_last_finished_runs(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    folder = _portfolio(tmp_path / "p", 3)
    _batch(folder, db)
    (folder / "03.json").write_text((folder / "00.json").read_text().replace("acct-00", "acct-03"))
    _batch(folder, db)
    with _serving(db, auth=False) as running, running.client() as client:
        # a snapshot update is a run of its own (one account): not the last batch
        assert client.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).status_code == 200
        figures = {name: values[()] for name, values in _samples(client.get("/metrics").text).items() if () in values}
    with sqlite3.connect(db) as conn:  # after the service opened it (and added its own tables)
        run_id, started, finished, summary = conn.execute(
            "select id, started_at, finished_at, summary from runs where source like 'file:%' order by rowid desc limit 1"
        ).fetchone()
        pages = conn.execute("pragma page_count").fetchone()[0] * conn.execute("pragma page_size").fetchone()[0]
    assert json.loads(summary)["accounts"] == 5
    assert figures["kamengine_batch_last_accounts"] == 5  # the second run: four accounts and the broken file
    assert figures["kamengine_batch_last_failed_accounts"] == 1
    started_at, finished_at = dt.datetime.fromisoformat(started), dt.datetime.fromisoformat(finished)
    assert figures["kamengine_batch_last_duration_seconds"] == (finished_at - started_at).total_seconds()
    assert figures["kamengine_batch_last_finished_timestamp_seconds"] == finished_at.timestamp()
    assert figures["kamengine_store_bytes"] == pages
    assert run_id


SERVER = """
import sys
import uvicorn
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.service.app import create_app
from kamengine.service.server import network_settings
from kamengine.service.state import Service

service = Service(sys.argv[1], auth=False, registry=Registry(get_plugin_manager(load_entry_points=False)))
uvicorn.run(create_app(service), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", **network_settings())
"""


def _start(db: Path, environment: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(db), str(port)], env=environment)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/readyz")
            return process, url
        except httpx.TransportError:
            assert time.monotonic() < deadline and process.poll() is None, "the server did not start"
            time.sleep(0.1)


def test_with_a_multiprocess_directory_each_process_answers_every_process_s_counts(tmp_path: Path) -> None:
    """Two processes of one service (as ``serve --workers 2`` or two instances behind a proxy): a scrape of either
    counts the requests both answered; a process that stopped leaves its counts and takes its connections."""
    (tmp_path / "metrics").mkdir()
    environment = os.environ | {MULTIPROC_ENV: str(tmp_path / "metrics")}
    db = tmp_path / "k.db"
    first, first_url = _start(db, environment)
    second, second_url = _start(db, environment)
    try:
        for _ in range(3):
            assert httpx.get(f"{first_url}/v1/recommendations").status_code == 200
        for _ in range(4):
            assert httpx.get(f"{second_url}/v1/recommendations").status_code == 200
        with httpx.Client(base_url=second_url) as held:  # a connection kept open on the second process
            held.get("/healthz")
            seen = [_samples(httpx.get(f"{url}/metrics").text) for url in (first_url, second_url)]
        second.send_signal(signal.SIGTERM)
        second.wait(60)  # its shutdown takes its open connections out of the sum
        after = _samples(httpx.get(f"{first_url}/metrics").text)
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(60)
    key = (("method", "GET"), ("route", "/v1/recommendations"), ("status", "200"))
    assert [scrape["kamengine_http_requests_total"][key] for scrape in seen] == [7, 7]
    assert after["kamengine_http_requests_total"][key] == 7
    assert seen[1]["kamengine_http_open_connections"][()] >= 2  # the held one and the scrape's own
    assert after["kamengine_http_open_connections"][()] == 1  # the scrape's own, on the first process
