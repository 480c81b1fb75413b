"""Who a request speaks for, and what they may see and do: the token's member, scope and the accounts' teams.

A member sees the accounts whose last snapshot has them on the team (and the advice of those
accounts); they act on the advice they own; an account director (AD on the team) acts on all of
their account's advice; admin sees and does everything. A refusal never says whether the thing
asked for exists.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from kamengine.engine.api import Engine
from kamengine.engine.api.access import TokenHolder
from kamengine.engine.api.stores import Store, StoreError

from .problems import Problem, forbidden, unauthorized
from .state import LOCAL, Service

COOKIE = "kamengine_token"


def token_of(request: Request, query: bool = False) -> str | None:
    """The token a request carries: ``Authorization: Bearer``; for calendars ``?token=``. (The API takes no cookie:
    a browser sends cookies by itself, a bearer header only when told.)"""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if query and request.query_params.get("token"):
        return request.query_params["token"]
    return None


def session_of(request: Request) -> str | None:
    """The pages' session key, from their cookie."""
    return request.cookies.get(COOKIE) or None


def holder_of(request: Request, scope: str = "read", query: bool = False, cookie: bool = False) -> TokenHolder:
    """The request's token holder, who must have ``scope``; 401 without a valid token, 403 without the scope."""
    service: Service = request.app.state.service
    earlier = getattr(request.state, "principal", None)
    if isinstance(earlier, TokenHolder):  # ``authenticated`` checked the token already
        holder = earlier
    elif not service.auth:
        holder = LOCAL
    else:
        token, session = token_of(request, query), session_of(request) if cookie else None
        with service.store() as store:
            if token:
                found = Engine.verify_token(store, token)
            else:  # a page's session, which ends when idle, signed out, or its token revoked or expired
                found = Engine.session_holder(store, session, service.session_idle) if session else None
        if found is None:
            raise unauthorized()
        holder = found
    request.state.principal = holder
    if not holder.may(scope):
        raise forbidden(f"this {scope} request")
    return holder


def sees_account(store: Store, holder: TokenHolder, account_id: str) -> bool:
    """Whether the holder may see the account: admin, or on its current team."""
    return Engine.sees_account(store, holder, account_id)


def sees(store: Store, holder: TokenHolder, row: dict[str, Any]) -> bool:
    """Whether the holder may see a stored recommendation: theirs, or of an account they are on."""
    return Engine.sees(store, holder, row)


def may_act(store: Store, holder: TokenHolder, row: dict[str, Any]) -> bool:
    """Whether the holder may accept, complete, dismiss or snooze a recommendation."""
    return Engine.may_act(store, holder, row)


def visible(store: Store, holder: TokenHolder, rec_id: str) -> dict[str, Any]:
    """The stored recommendation, if the holder may see it; the same 403 whether it is not theirs or not there."""
    try:
        row = Engine.stored_recommendation(store, rec_id)
    except StoreError as exc:
        if holder.may("admin"):  # the store's words name its file: not for a client
            detail = str(exc).replace(f" in {store.path}", " in the store")
            raise Problem(404, "not-found", "Not found", detail) from None
        raise forbidden(f"recommendation {rec_id}") from None
    if not sees(store, holder, row):
        raise forbidden(f"recommendation {rec_id}")
    return row


async def authenticated(request: Request) -> None:
    """The API's first check, before the request's parameters are read: a stranger gets the 401, never a 422
    that describes the API (the endpoint then asks for the scope it needs). On the event loop, not in a thread:
    a token is one indexed read of the store (a hand-off to a thread and back cost more than the read)."""
    holder_of(request, query=request.url.path.endswith(".ics"))
