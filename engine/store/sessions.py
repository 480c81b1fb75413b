"""The pages' sessions: a login makes one on the server (the cookie holds its key, never the API token), it ends
after a time without use, when its owner signs out, or when its token is revoked or expires."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3

from .holders import DEFAULT_IDLE, TokenHolder
from .store import Store
from .tokens import expired, ready

__all__ = ["DEFAULT_IDLE", "end_session", "session_holder", "start_session"]

_PREFIX = "kams"
#: How stale a session's last use may be before a page view writes it again: a write per view would be a write
#: transaction per page, queueing behind a nightly batch for a date a minute does not change.
_SEEN_EVERY = dt.timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _stamp(when: dt.datetime) -> str:
    return when.isoformat(timespec="seconds")


def start_session(store: Store, holder: TokenHolder, idle: dt.timedelta = DEFAULT_IDLE) -> str:
    """A new session for the holder of a valid token: the key for the cookie (the store keeps only its hash).
    The sessions that ended (signed out, or idle past ``idle``) leave the store at the same time."""
    session_id = secrets.token_hex(8)
    key = f"{_PREFIX}_{session_id}_{secrets.token_urlsafe(32)}"
    now = dt.datetime.now(dt.UTC)
    row = {"id": session_id, "hash": _hash(key), "token_id": holder.token_id}
    with ready(store).writing():
        ended = _stamp(now - idle - _SEEN_EVERY)
        store.db.execute("delete from sessions where ended_at is not null or seen_at < ?", [ended])
        store.db.table("sessions").insert({**row, "created_at": _stamp(now), "seen_at": _stamp(now)})
    return key


def session_holder(
    store: Store, key: str, idle: dt.timedelta = DEFAULT_IDLE, now: dt.datetime | None = None
) -> TokenHolder | None:
    """Who a live session speaks for, else None: unknown, malformed, ended, idle past ``idle``, or its token
    revoked or expired (the caller cannot tell which). A use keeps it alive."""
    now = now or dt.datetime.now(dt.UTC)
    prefix, _, rest = key.partition("_")
    session_id = rest.partition("_")[0] if prefix == _PREFIX else ""
    row = (
        ready(store)
        .db.execute(
            "select s.hash, s.seen_at, s.ended_at, t.id, t.member, t.scope, t.revoked_at, t.expires_at "
            "from sessions s join tokens t on t.id = s.token_id where s.id = ?",
            [session_id],
        )
        .fetchone()
    )
    matches = hmac.compare_digest(row[0] if row else _hash(""), _hash(key))
    if row is None or not matches or row[2] or row[6] or expired(row[7], now):
        return None
    seen = dt.datetime.fromisoformat(row[1])
    if now - seen > idle:
        return None
    if now - seen > _SEEN_EVERY:
        try:
            with store.writing():
                store.db.execute("update sessions set seen_at = ? where id = ?", [_stamp(now), session_id])
        except sqlite3.OperationalError:  # the store is busy (a batch commits): this view is still served
            pass
    return TokenHolder(row[3], row[4], row[5])


def end_session(store: Store, key: str) -> None:
    """Sign out: the session stops at once, whoever holds a copy of its cookie."""
    prefix, _, rest = key.partition("_")
    if prefix != _PREFIX:
        return
    session_id = rest.partition("_")[0]
    row = ready(store).db.execute("select hash from sessions where id = ?", [session_id]).fetchone()
    if row is None or not hmac.compare_digest(row[0], _hash(key)):
        return  # only the session's own key ends it
    with store.writing():
        store.db.execute(
            "update sessions set ended_at = ? where id = ? and ended_at is null",
            [_stamp(dt.datetime.now(dt.UTC)), session_id],
        )
