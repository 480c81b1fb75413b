"""API tokens for ``kamengine serve``: made once, kept only as a hash, checked in constant time, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from .files import StoreError
from .store import Store

#: What a token may do, each including the ones before it.
SCOPES = ("read", "act", "admin")
_PREFIX = "kam"


@dataclass(frozen=True)
class TokenHolder:
    """Who a valid token speaks for."""

    token_id: str
    member: str
    scope: str

    def may(self, scope: str) -> bool:
        return SCOPES.index(self.scope) >= SCOPES.index(scope)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def create_token(store: Store, member: str, scope: str) -> tuple[str, str]:
    """A new token for ``member`` with ``scope``: ``(its id, the token)``. The token is never stored."""
    if scope not in SCOPES:
        raise StoreError(f"unknown scope '{scope}'; expected one of {', '.join(SCOPES)}")
    if not member.strip():
        raise StoreError("a token needs a member id (e.g. u-ar)")
    token_id = secrets.token_hex(4)
    token = f"{_PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
    with store.db.atomic():
        store.db.table("tokens").insert(
            {"id": token_id, "hash": _hash(token), "member": member, "scope": scope, "created_at": _now()}
        )
    return token_id, token


def list_tokens(store: Store) -> list[dict[str, Any]]:
    """Every token's id, member, scope and dates (never a hash)."""
    return list(
        store.db.table("tokens").rows_where(select="id, member, scope, created_at, revoked_at", order_by="created_at")
    )


def revoke_token(store: Store, token_id: str) -> dict[str, Any]:
    """Revoke a token by its id; revoking it again changes nothing."""
    rows = list(store.db.table("tokens").rows_where("id = ?", [token_id]))
    if not rows:
        raise StoreError(f"no token '{token_id}' in {store.path} (kamengine tokens list shows them)")
    if not rows[0]["revoked_at"]:
        with store.db.atomic():
            store.db.table("tokens").update(token_id, {"revoked_at": _now()})
    return {k: v for k, v in store.db.table("tokens").get(token_id).items() if k != "hash"}


def verify_token(store: Store, token: str) -> TokenHolder | None:
    """The holder of a live token, else None (unknown, malformed or revoked: the caller cannot tell which)."""
    prefix, _, rest = token.partition("_")
    token_id = rest.partition("_")[0] if prefix == _PREFIX else ""
    row = store.db.execute("select hash, member, scope, revoked_at from tokens where id = ?", [token_id]).fetchone()
    expected = row[0] if row else _hash("")
    matches = hmac.compare_digest(expected, _hash(token))
    if row is None or not matches or row[3]:
        return None
    return TokenHolder(token_id, row[1], row[2])
