"""Keyset cursors for the service's paged lists: where the next page starts, tied to the filters it was asked under."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from .problems import Problem


def fingerprint(*parts: Any) -> str:
    """A short digest of what a list was asked for (the token, the filters): a cursor is only good for these."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def make_cursor(filters: str, key: Sequence[Any]) -> str:
    """The place after the row whose sort key is ``key``: a page that follows starts there even when rows before
    it changed meanwhile (one marked done leaves the list without the next page skipping anything)."""
    return base64.urlsafe_b64encode(json.dumps([filters, list(key)]).encode()).decode()


def read_cursor(cursor: str | None, filters: str, shape: Sequence[Any]) -> list[Any] | None:
    """The key a cursor continues after (None without one); a cursor made by hand, for other filters or of another
    shape (``shape``: the type of each key part, as ``isinstance`` takes it) is a 422 that says to ask again."""
    if not cursor:
        return None
    try:
        given, key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if given == filters and isinstance(key, list) and len(key) == len(shape) and all(map(isinstance, key, shape)):
            return key
    except (ValueError, TypeError, UnicodeDecodeError):
        pass
    detail = "cursor: not a cursor this service gave for these filters (ask again without it)"
    raise Problem(422, "invalid-request", "The request is invalid", detail)
