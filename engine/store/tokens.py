"""API tokens for ``kamengine serve``: made once, kept only as a hash, checked in constant time, revocable, expiring."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import weakref
from typing import Any

import sqlite_utils

from .holders import SCOPES, TokenHolder
from .schema import migrations
from .store import Store
from .store_file import StoreError

__all__ = [
    "SCOPES",
    "TokenHolder",
    "check_member",
    "create_token",
    "expired",
    "list_tokens",
    "ready",
    "revoke_token",
    "verify_token",
]

_PREFIX = "kam"


@migrations()
def tokens_m001_expiry_and_sessions(db: sqlite_utils.Database) -> None:
    """A token's expiry, and the pages' sessions (``sessions.py``): registered here, where tokens are used, so the
    store's schema module is not every feature's."""
    db.table("tokens").add_column("expires_at", str)
    db.table("sessions").create(
        {"id": str, "hash": str, "token_id": str, "created_at": str, "seen_at": str, "ended_at": str}, pk="id"
    )
    db.table("sessions").create_index(["token_id"])


#: The stores whose schema has the migration above: checked once per store object, not per request.
_READY: weakref.WeakSet[Store] = weakref.WeakSet()
_APPLYING = threading.Lock()


def ready(store: Store) -> Store:
    """``store`` with the migration above applied. It is registered when this module is first imported, which may
    be after the store was opened: the engine's API imports this module when a token or session is first used, so
    that advising never loads the store (nor sqlite-utils and click with it)."""
    if store not in _READY:
        with _APPLYING:  # the service's threads, each with a pooled store: one applies, the others find it done
            if migrations.pending(store.db):
                migrations.apply(store.db)
            _READY.add(store)
    return store


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def known_members(store: Store) -> list[str]:
    """The member ids the store's teams have (the last snapshot's team of each account) or advice is owned by."""
    rows = store.db.execute(
        "select member_id from account_team union select owner_id from recommendations where owner_id is not null"
    )
    return sorted({row[0] for row in rows if row[0]})


def check_member(store: Store, member: str, scope: str) -> bool:
    """A read or act token is for a member of a stored team: a mistyped id would make a token that sees nothing.
    An admin token sees everything and may speak for a system (``crm``). A store without any team yet (before
    the first snapshot or batch) cannot tell: False then, so the caller can say the id went unchecked."""
    if scope == "admin":
        return True
    known = known_members(store)
    if not known:
        return False
    if member not in known:
        listed = ", ".join(known[:30]) + (f" and {len(known) - 30} more" if len(known) > 30 else "")
        raise StoreError(f"no stored team has a member '{member}': the known ids are {listed}; --any-member makes it")
    return True


def create_token(store: Store, member: str, scope: str, expires_in: dt.timedelta | None = None) -> tuple[str, str]:
    """A new token for ``member`` with ``scope``: ``(its id, the token)``. The token is never stored.
    ``expires_in``: it stops working that long from now."""
    if scope not in SCOPES:
        raise StoreError(f"unknown scope '{scope}'; expected one of {', '.join(SCOPES)}")
    if not member.strip():
        raise StoreError("a token needs a member id (e.g. u-ar)")
    if expires_in is not None and expires_in <= dt.timedelta(0):
        raise StoreError("a token's expiry must be in the future")
    token_id = secrets.token_hex(4)
    token = f"{_PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
    now = dt.datetime.now(dt.UTC)
    expires_at = (now + expires_in).isoformat(timespec="seconds") if expires_in is not None else None
    row = {"id": token_id, "hash": _hash(token), "member": member, "scope": scope}
    ready(store)
    with store.writing():
        store.db.table("tokens").insert(
            {**row, "created_at": now.isoformat(timespec="seconds"), "expires_at": expires_at}
        )
    return token_id, token


def list_tokens(store: Store) -> list[dict[str, Any]]:
    """Every token's id, member, scope and dates (never a hash)."""
    return list(
        ready(store)
        .db.table("tokens")
        .rows_where(select="id, member, scope, created_at, expires_at, revoked_at", order_by="created_at")
    )


def revoke_token(store: Store, token_id: str) -> dict[str, Any]:
    """Revoke a token by its id; revoking it again changes nothing."""
    rows = list(ready(store).db.table("tokens").rows_where("id = ?", [token_id]))
    if not rows:
        raise StoreError(f"no token '{token_id}' in {store.path} (kamengine tokens list shows them)")
    if not rows[0]["revoked_at"]:
        with store.writing():
            store.db.table("tokens").update(token_id, {"revoked_at": _now()})
    return {k: v for k, v in store.db.table("tokens").get(token_id).items() if k != "hash"}


def verify_token(store: Store, token: str) -> TokenHolder | None:
    """The holder of a live token, else None (unknown, malformed or revoked: the caller cannot tell which)."""
    prefix, _, rest = token.partition("_")
    token_id = rest.partition("_")[0] if prefix == _PREFIX else ""
    row = (
        ready(store)
        .db.execute("select hash, member, scope, revoked_at, expires_at from tokens where id = ?", [token_id])
        .fetchone()
    )
    expected = row[0] if row else _hash("")
    matches = hmac.compare_digest(expected, _hash(token))
    if row is None or not matches or row[3] or expired(row[4]):
        return None
    return TokenHolder(token_id, row[1], row[2])


def expired(expires_at: str | None, now: dt.datetime | None = None) -> bool:
    """Whether a token's expiry (None: it has none) has come."""
    return expires_at is not None and dt.datetime.fromisoformat(expires_at) <= (now or dt.datetime.now(dt.UTC))
