"""Secrets the store keeps for the service: drawn once by whichever process asks first, the same for all after."""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3

from .store import Store

__all__ = ["FORM", "kept_secret"]

#: The pages' form tokens are keyed by this secret (service/web.py): every process of the service, and the same
#: process after a restart, computes the same token for one session.
FORM = "form"


def _read(store: Store, name: str) -> bytes | None:
    row = store.db.execute("select value from service_secrets where name = ?", [name]).fetchone()
    return bytes.fromhex(row[0]) if row else None


def kept_secret(store: Store, name: str = FORM) -> bytes | None:
    """The store's secret ``name`` (32 random bytes), drawn and kept by the first process that asks; None when the
    store cannot keep one (it is read-only). Two processes asking at once get the same: the write lock orders
    them, and the second's draw is ignored."""
    found = _read(store, name)
    if found is not None:
        return found
    drawn = secrets.token_hex(32)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        with store.writing():
            store.db.execute(
                "insert or ignore into service_secrets (name, value, created_at) values (?, ?, ?)", [name, drawn, now]
            )
    except sqlite3.OperationalError as exc:
        if "readonly" in str(exc).lower() or "read-only" in str(exc).lower():
            return None  # a store the service may read but not write: it has nothing to decide, nor a form to post
        raise
    return _read(store, name)
