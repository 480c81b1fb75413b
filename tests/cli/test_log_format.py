"""--log-format json: the batch's lines are one JSON object each, its totals as fields; the service's log_config
writes text or JSON lines with the request id."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from kamengine.service import request_ids
from kamengine.service.logs import log_config
from support import REPO

EXAMPLE = REPO / "examples" / "acme-telecom.yaml"
SCRIPT = Path(sys.executable).parent / "kamengine"


def _portfolio(folder: Path) -> Path:
    folder.mkdir()
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for index in range(2):
        data["account"]["id"] = f"acct-{index}"
        (folder / f"{index}.json").write_text(json.dumps(data, default=str), encoding="utf-8")
    (folder / "9-broken.json").write_text("{not json", encoding="utf-8")
    return folder


def _batch(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """In a process of its own, as cron runs it: the batch configures logging for the whole process."""
    folder = tmp_path / "p" if (tmp_path / "p").exists() else _portfolio(tmp_path / "p")
    command = [str(SCRIPT), "batch", "--source", f"file:{folder}", "--db", str(tmp_path / "k.db"), "--workers", "2"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=300)


def test_batch_json_lines_parse_and_carry_the_run(tmp_path: Path) -> None:
    done = _batch(tmp_path, "--log-format", "json")
    assert done.returncode == 1  # the broken file failed
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    summary = next(line for line in lines if "accounts" in line and "new" in line)
    assert summary["level"] == "INFO" and summary["logger"] == "kamengine.batch"
    assert (summary["accounts"], summary["failed"], summary["refreshed"]) == (3, 1, 0)
    assert summary["new"] > 0 and summary["run_id"].startswith("run-")
    failures = [line for line in lines if line["level"] == "ERROR"]
    assert len(failures) == 1 and "9-broken.json" in failures[0]["message"]
    assert failures[0]["run_id"] == summary["run_id"]


def test_batch_text_lines_are_as_before(tmp_path: Path) -> None:
    done = _batch(tmp_path)
    assert done.returncode == 1
    assert ": 3 accounts; recommendations new " in done.stderr
    assert "  failed: " in done.stderr
    with pytest.raises(ValueError):
        json.loads(done.stderr.splitlines()[-1])


def test_an_unknown_log_format_is_one_clear_line(tmp_path: Path) -> None:
    done = _batch(tmp_path, "--log-format", "xml")
    assert done.returncode == 2
    assert "Invalid value for '--log-format'" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture
def configured() -> Iterator[None]:
    """Whatever log_config does to the loggers is undone after the test."""
    names = ("uvicorn", "uvicorn.error", "uvicorn.access", "kamengine", "kamengine.access")
    loggers = {name: logging.getLogger(name) for name in names}
    kept = {name: (logger.handlers[:], logger.level, logger.propagate) for name, logger in loggers.items()}
    try:
        yield
    finally:
        for name, (handlers, level, propagate) in kept.items():
            logger = logging.getLogger(name)
            logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate


def _written(fmt: str) -> list[str]:
    """What the configuration writes of a service line in a request, an access line, and a line outside."""
    config = log_config(fmt)
    logging.config.dictConfig(config)
    stream = io.StringIO()
    handler = logging.getLogger("kamengine").handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    held = request_ids.current.set("req-9")
    try:
        logging.getLogger("kamengine.service").warning("store busy for %d ms", 50)
        logging.getLogger("kamengine.access").info(
            json.dumps({"at": "t", "method": "GET", "path": "/v1", "status": 200})
        )
    finally:
        request_ids.current.reset(held)
    logging.getLogger("uvicorn.error").info("Started server process")
    return stream.getvalue().splitlines()


def test_log_config_json_writes_one_object_per_line(configured: None) -> None:
    service, access, outside = (json.loads(line) for line in _written("json"))
    assert service["message"] == "store busy for 50 ms" and service["request_id"] == "req-9"
    assert (service["level"], service["logger"]) == ("WARNING", "kamengine.service")
    assert (access["message"], access["path"], access["status"], access["request_id"]) == (
        "GET /v1 200",
        "/v1",
        200,
        "req-9",
    )
    assert outside["logger"] == "uvicorn.error" and "request_id" not in outside


def test_log_config_text_keeps_the_access_line_json(configured: None) -> None:
    service, access, outside = _written("text")
    assert service.endswith(" WARNING kamengine.service [req-9] store busy for 50 ms")
    assert json.loads(access) == {"at": "t", "method": "GET", "path": "/v1", "status": 200, "request_id": "req-9"}
    assert outside.endswith(" INFO uvicorn.error Started server process")


def test_log_config_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="log format 'xml'"):
        log_config("xml")


def test_a_notice_or_warning_said_during_a_json_run_is_a_record_of_its_level() -> None:
    # Where durable_rules does not install, every run notes the compiled evaluator on stderr: in a JSON run, as JSON.
    import logging

    from kamengine.cli.runtime import lines_to, say

    records: list[logging.LogRecord] = []
    logger = logging.getLogger("kamengine.test-lines")
    logger.addHandler(handler := logging.Handler())
    handler.emit = records.append  # type: ignore[method-assign]
    logger.setLevel(logging.INFO)
    try:
        with lines_to(logger):
            say("the compiled evaluator stands in", "Notice: ")
            say("other playbooks than the last run", "Warning: ")
            say("no such store")
    finally:
        logger.removeHandler(handler)
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("INFO", "the compiled evaluator stands in"),
        ("WARNING", "other playbooks than the last run"),
        ("ERROR", "no such store"),
    ]
