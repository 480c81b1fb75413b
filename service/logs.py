"""Log lines as text or as JSON objects, one per line, each with the id of the request it was written in."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from .request_ids import RequestIdFilter

FORMATS = ("text", "json")
#: The access log's lines are JSON objects already (``problems.AccessLog``): their fields are kept as fields.
ACCESS_LOGGER = "kamengine.access"
#: ``logger.info(..., extra={FIELDS: {...}})``: figures a JSON line carries as fields of its own (the batch's totals).
FIELDS = "fields"


def _access_fields(record: logging.LogRecord) -> dict[str, Any] | None:
    """The fields of an access log line, or None for any other record."""
    if record.name != ACCESS_LOGGER:
        return None
    try:
        fields = json.loads(record.getMessage())
    except ValueError:
        return None
    return fields if isinstance(fields, dict) else None


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, request id when in a request, the
    exception's traceback when there is one; an access line's own fields (method, path, status, ms...) and a record's
    ``FIELDS`` beside them."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        at = dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")
        line: dict[str, Any] = {"time": at, "level": record.levelname, "logger": record.name}
        access = _access_fields(record)
        if access is not None:
            line["message"] = f"{access.get('method')} {access.get('path')} {access.get('status')}"
            line.update({key: value for key, value in access.items() if key != "at"})
        else:
            line["message"] = record.getMessage()
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line["request_id"] = request_id
        for key, value in getattr(record, FIELDS, {}).items():  # a line's figures, as fields a collector can query
            line.setdefault(key, value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Lines for a person: ``time level logger [request id] message``; an access line stays the JSON object it
    always was, with its request id added (tools read those lines)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(request_part)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of text."""
        request_id = getattr(record, "request_id", None)
        access = _access_fields(record)
        if access is not None:
            if request_id is not None:
                access["request_id"] = request_id
            return json.dumps(access)
        record.request_part = f" [{request_id}]" if request_id is not None else ""
        return super().format(record)


def log_config(fmt: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict (uvicorn's ``log_config=``) writing every line to standard error as
    ``fmt`` ("text" or "json"), each with its request id: uvicorn's own loggers, the access log, kamengine's."""
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r}: expected one of {', '.join(FORMATS)}")
    formatter = JsonFormatter if fmt == "json" else TextFormatter
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": fmt,
        "filters": ["request_id"],
    }

    def logger(propagate: bool = False) -> dict[str, Any]:
        return {"handlers": ["default"], "level": "INFO", "propagate": propagate}

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {fmt: {"()": formatter}},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": logger(),
            "uvicorn.error": {"level": "INFO", "propagate": True},  # through "uvicorn"'s handler, once
            "uvicorn.access": logger(),  # off (serve passes access_log=False): kamengine.access is the access log
            ACCESS_LOGGER: logger(),
            "kamengine": logger(),
        },
    }


def configure(fmt: str) -> None:
    """Log as ``fmt`` in a process uvicorn does not configure (the batch)."""
    import logging.config

    logging.config.dictConfig(log_config(fmt))
