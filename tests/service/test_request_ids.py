"""A request id on every response (X-Request-ID: the client's when sane, else a new one) and on every log line of
that request: the access line, an endpoint's own lines in its thread, an internal error's; JSON log lines."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.service.app import create_app
from kamengine.service.request_ids import MAX_LENGTH, RequestIdFilter, chosen, sane
from kamengine.service.state import Service
from serving import free_port

LOGGER = "kamengine.service.test"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The whole application (every middleware) with two test endpoints: one that logs in a worker thread, one
    that fails."""
    service = Service(tmp_path / "k.db", auth=False, registry=Registry(get_plugin_manager(load_entry_points=False)))
    app = create_app(service)

    def logs() -> dict[str, str]:
        logging.getLogger(LOGGER).warning("a line of the request")
        return {}

    def fails() -> None:
        raise RuntimeError("a fault")

    app.add_api_route("/test/logs", logs)  # a sync endpoint: served in a worker thread
    app.add_api_route("/test/fails", fails)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as test_client:
        yield test_client


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def lines() -> Iterator[list[logging.LogRecord]]:
    """The service's records, each stamped by the filter the service's log configuration puts on its handler."""
    kept = _Kept()
    kept.addFilter(RequestIdFilter())
    access = logging.getLogger("kamengine.access")  # which does not propagate once serve set it up
    loggers = [logging.getLogger("kamengine"), *([] if access.propagate else [access])]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(kept)
        logger.setLevel(logging.INFO)
    try:
        yield kept.records
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(kept)
            logger.setLevel(level)


def test_a_sent_id_comes_back_and_is_on_every_line_of_its_request(
    client: TestClient, lines: list[logging.LogRecord]
) -> None:
    answer = client.get("/test/logs", headers={"X-Request-ID": "crm-7f3a.42"})
    other = client.get("/test/logs", headers={"X-Request-ID": "another-one"})
    assert answer.headers["x-request-id"] == "crm-7f3a.42"
    assert other.headers["x-request-id"] == "another-one"
    mine = [r for r in lines if getattr(r, "request_id", None) == "crm-7f3a.42"]
    assert [r.name for r in mine] == [LOGGER, "kamengine.access"]
    assert json.loads(mine[1].getMessage())["path"] == "/test/logs"
    assert all(getattr(r, "request_id", None) in {"crm-7f3a.42", "another-one"} for r in lines)


def test_a_missing_or_insane_id_is_replaced_by_a_new_one(client: TestClient, lines: list[logging.LogRecord]) -> None:
    first, second = client.get("/healthz"), client.get("/healthz", headers={"X-Request-ID": "x" * (MAX_LENGTH + 1)})
    ids = {first.headers["x-request-id"], second.headers["x-request-id"]}
    assert len(ids) == 2 and all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert {getattr(r, "request_id", None) for r in lines if r.name == "kamengine.access"} == ids


def test_an_internal_error_carries_its_id_in_the_answer_and_the_log(
    client: TestClient, lines: list[logging.LogRecord]
) -> None:
    answer = client.get("/test/fails", headers={"X-Request-ID": "fault-1"})
    assert answer.status_code == 500
    assert answer.headers["x-request-id"] == "fault-1"
    logged = {r.name: r for r in lines if getattr(r, "request_id", None) == "fault-1"}
    assert "internal error on GET /test/fails" in logged["kamengine.service"].getMessage()
    assert json.loads(logged["kamengine.access"].getMessage())["status"] == 500


def test_refusals_before_the_app_carry_an_id_too(client: TestClient) -> None:
    answer = client.post("/v1/advise", content=b"x", headers={"Content-Type": "text/plain", "X-Request-ID": "r-1"})
    assert answer.status_code == 415  # refused by the guard, before routing
    assert answer.headers["x-request-id"] == "r-1"


@pytest.mark.parametrize("value", ["abc", "a" * MAX_LENGTH, "0f8fad5b-d9cb-469f-a165-70867728950e", "k:8/x=1"])
def test_sane_ids_are_kept(value: str) -> None:
    assert sane(value) and chosen(value) == value


@pytest.mark.parametrize("value", [None, "", "a" * (MAX_LENGTH + 1), "two words", "line\nbreak", "tab\t", "é"])
def test_other_ids_are_not(value: str | None) -> None:
    assert not sane(value) and chosen(value) != value


SERVER = """
import sys
import uvicorn
from kamengine.engine.plugin._manager import get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.service.app import create_app
from kamengine.service.logs import log_config
from kamengine.service.server import access_logging, network_settings
from kamengine.service.state import Service

service = Service(sys.argv[1], auth=False, registry=Registry(get_plugin_manager(load_entry_points=False)))
access_logging()
uvicorn.run(create_app(service), host="127.0.0.1", port=int(sys.argv[2]), access_log=False, log_level="info",
            log_config=log_config("json"), **network_settings())
"""


def test_json_log_lines_of_a_real_server_parse_and_carry_the_ids(tmp_path: Path) -> None:
    """As serve runs it with ``log_config("json")``: every line on standard error is one JSON object, uvicorn's
    own lines too; a request's access line has its id."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(tmp_path / "k.db"), str(port)],
        stderr=subprocess.PIPE, text=True, env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/healthz", headers={"X-Request-ID": "probe"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None, "the server did not start"
                time.sleep(0.1)
        sent = httpx.get(f"{url}/v1/recommendations", headers={"X-Request-ID": "sent-1"})
        made = httpx.get(f"{url}/healthz")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    records = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    access = {r["request_id"]: r for r in records if r["logger"] == "kamengine.access"}
    assert sent.headers["x-request-id"] == "sent-1"
    assert access["sent-1"]["path"] == "/v1/recommendations" and access["sent-1"]["status"] == 200
    assert access[made.headers["x-request-id"]]["path"] == "/healthz"
    assert any(r["logger"].startswith("uvicorn") for r in records)  # uvicorn's lines are JSON too
