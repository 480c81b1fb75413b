"""A request id on every response (``X-Request-ID``) and on every log line written while the request is served."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
#: A client's id is taken when it is up to this long and only visible ASCII (no spaces, no control characters): it
#: goes into log lines and a response header as it is, so a newline or a kilobyte of it must not.
MAX_LENGTH = 128
_SANE = re.compile(rf"[\x21-\x7e]{{1,{MAX_LENGTH}}}")

#: The id of the request being served by this task (each request runs in its own task, with its own context);
#: None outside a request (start, shutdown, the batch).
current: ContextVar[str | None] = ContextVar("kamengine_request_id", default=None)


def sane(value: str | None) -> bool:
    """Whether a client's ``X-Request-ID`` may be used as it is."""
    return value is not None and _SANE.fullmatch(value) is not None


def chosen(sent: str | None) -> str:
    """The request's id: the one the client sent when it is sane, else a new one (32 hex digits)."""
    return sent if sent is not None and sane(sent) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request it was written in (``record.request_id``; None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Stamps the record; never drops one."""
        if getattr(record, "request_id", None) is None:
            record.request_id = current.get()
        return True


class RequestIds:
    """Pure ASGI middleware, outermost: the request's id is set for everything the request runs (its task's
    context, which the threads serving it copy) and sent back as ``X-Request-ID`` on every answer, errors too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = chosen(sent)
        scope.setdefault("state", {})["request_id"] = request_id
        held = current.set(request_id)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            current.reset(held)
