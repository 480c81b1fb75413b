"""Who may do what through the Engine: tokens, page sessions, the people a reader may see.

Tokens and sessions need no playbooks: each method is static, so a command that loads none (``kamengine tokens``)
calls it on the class, ``Engine.create_token(store, "u-ar", "read")``, and the service on its engine alike.
``store`` is the handle of ``engine.api.stores``. The store's modules are imported when a method is first called:
advising through the Engine never loads the store (nor sqlite-utils and click with it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..store.holders import DEFAULT_IDLE, SCOPES, TokenHolder
from .base import EngineParts

if TYPE_CHECKING:
    from ..store.store import Store
    from ..store.summaries import PortfolioPage

__all__ = ["DEFAULT_IDLE", "SCOPES", "AccessAPI", "TokenHolder"]


class AccessAPI(EngineParts):
    """The Engine's part for tokens and sessions, and what a token's holder may see and do."""

    @staticmethod
    def check_member(store: Store, member: str, scope: str) -> bool:
        """Whether a read or act token's member is on a stored team (an admin token's always is); False when the
        store has no team yet to tell; a ``StoreError`` listing the known ids when the member is not on one."""
        from ..store import tokens

        return tokens.check_member(store, member, scope)

    @staticmethod
    def create_token(store: Store, member: str, scope: str, expires_in: dt.timedelta | None = None) -> tuple[str, str]:
        """A new token for ``member`` with ``scope`` (``SCOPES``): ``(its id, the token)``, the token shown once
        (the store keeps its hash); ``expires_in``: it stops working that long from now."""
        from ..store import tokens

        return tokens.create_token(store, member, scope, expires_in)

    @staticmethod
    def list_tokens(store: Store) -> list[dict[str, Any]]:
        """Every token's id, member, scope, created_at, expires_at and revoked_at (never a hash), oldest first."""
        from ..store import tokens

        return tokens.list_tokens(store)

    @staticmethod
    def token_expired(expires_at: str | None) -> bool:
        """Whether a token's ``expires_at`` (None: it has none) has come."""
        from ..store import tokens

        return tokens.expired(expires_at)

    @staticmethod
    def revoke_token(store: Store, token_id: str) -> dict[str, Any]:
        """Revoke a token by its id (again: nothing changes); its row as ``list_tokens`` shows it."""
        from ..store import tokens

        return tokens.revoke_token(store, token_id)

    @staticmethod
    def verify_token(store: Store, token: str) -> TokenHolder | None:
        """The holder of a live token, else None (unknown, malformed, revoked or expired: the caller cannot tell)."""
        from ..store import tokens

        return tokens.verify_token(store, token)

    @staticmethod
    def start_session(store: Store, holder: TokenHolder, idle: dt.timedelta = DEFAULT_IDLE) -> str:
        """A page session for a valid token's holder: the key for the cookie (the store keeps its hash); sessions
        that ended or sat idle past ``idle`` leave the store."""
        from ..store import sessions

        return sessions.start_session(store, holder, idle)

    @staticmethod
    def session_holder(store: Store, key: str, idle: dt.timedelta = DEFAULT_IDLE) -> TokenHolder | None:
        """Who a live session speaks for, else None (ended, idle past ``idle``, its token revoked or expired)."""
        from ..store import sessions

        return sessions.session_holder(store, key, idle)

    @staticmethod
    def end_session(store: Store, key: str) -> None:
        """Sign out: the session of ``key`` stops at once, whoever holds a copy of its cookie."""
        from ..store import sessions

        sessions.end_session(store, key)

    @staticmethod
    def member_name(store: Store, member: str) -> str | None:
        """What the team calls ``member`` ("Chen Jing (AD)"), or None when no stored team has them."""
        from ..store import snapshots

        return snapshots.member_name(store, member)

    @staticmethod
    def role_on(store: Store, account_id: str, member: str) -> str | None:
        """The member's role on the account's current team (AR, SR, FR, AD), or None if they are not on it."""
        from ..store import snapshots

        return snapshots.role_on(store, account_id, member)

    @staticmethod
    def snapshots_seen_by(store: Store, holder: TokenHolder) -> list[dict[str, Any]]:
        """The latest snapshot (``account_id``, ``body``) of every account the holder sees: all for admin, else
        those whose team they are on."""
        from ..store import snapshots

        return snapshots.latest_snapshots(store, None if holder.may("admin") else holder.member)

    @staticmethod
    def portfolio_page(store: Store, holder: TokenHolder, after: Sequence[Any] | None, size: int) -> PortfolioPage:
        """``size`` accounts the holder sees (admin: all; else those whose team they are on) after the key ``after``
        (a page's ``next_after``; None: from the first), in the portfolio's order (tier, most live advice, name):
        each one's latest snapshot's id and live advice counted, from the summary the store keeps, one indexed read
        a page."""
        from ..store.summaries import portfolio_page

        return portfolio_page(store.db.conn, None if holder.may("admin") else holder.member, after, size)

    @staticmethod
    def snapshot_bodies(store: Store, ids: Sequence[int]) -> dict[int, str]:
        """The stored snapshots of ``ids`` (a ``portfolio_page``'s ``snapshot_id``), each as the JSON text kept."""
        from ..store.summaries import snapshot_bodies

        return snapshot_bodies(store.db.conn, ids)

    @staticmethod
    def sees_account(store: Store, holder: TokenHolder, account_id: str) -> bool:
        """Whether the holder may see the account: admin, or on its current team."""
        from ..store import snapshots

        return holder.may("admin") or snapshots.role_on(store, account_id, holder.member) is not None

    @staticmethod
    def sees(store: Store, holder: TokenHolder, row: dict[str, Any]) -> bool:
        """Whether the holder may see a stored recommendation: theirs, or of an account they are on."""
        return (
            holder.may("admin")
            or row["owner_id"] == holder.member
            or AccessAPI.sees_account(store, holder, row["account_id"])
        )

    @staticmethod
    def may_act(store: Store, holder: TokenHolder, row: dict[str, Any]) -> bool:
        """Whether the holder may accept, complete, dismiss or snooze a stored recommendation: admin; or an act
        token's member who owns it or is the account's director (AD)."""
        from ..store import snapshots

        if holder.may("admin"):
            return True
        if not holder.may("act"):
            return False
        return row["owner_id"] == holder.member or snapshots.role_on(store, row["account_id"], holder.member) == "AD"

    @staticmethod
    def live_recommendations(store: Store, account_id: str | None = None) -> list[dict[str, Any]]:
        """The stored recommendations still to be done (open, accepted, snoozed), of ``account_id`` or of every
        account, as the store's rows, most urgent first per account: what the pages show of an account."""
        from ..store.statuses import LIVE

        return store.find(account_id, LIVE)

    @staticmethod
    def form_secret(store: Store) -> bytes | None:
        """The secret the pages' form tokens are keyed by, drawn once and kept in the store: the same in every
        process serving it, and after a restart; None when the store cannot keep one (read-only)."""
        from ..store import secrets_kept

        return secrets_kept.kept_secret(store, secrets_kept.FORM)
