"""The pages a team looks at: login (a token into an HttpOnly cookie), the portfolio, an account, my week, and the
buttons' form posts. The HTML comes from ``kamengine.service.pages``; this module finds the data and checks access."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from kamengine.engine.api import Engine
from kamengine.engine.api.access import TokenHolder
from kamengine.engine.model.recommendation import Recommendation

from . import pages
from .access import COOKIE, holder_of, may_act, sees_account, session_of
from .info import stored_snapshot
from .load_view import portfolio_load
from .models import Decision
from .pages.forms import segment, under
from .pages.portfolio import PAGE_SIZE, Paging, after_link, read_after
from .planned import status_label
from .portfolio_view import page_lines
from .problems import Problem
from .recommendations import STATUSES, decide
from .same_site import cross_site, same_site_path
from .state import Service
from .week_page import week_page

router = APIRouter(include_in_schema=False)
ACTIONS = "/recommendations"  # where the pages' buttons post: {ACTIONS}/{id}/{verb}


def _csrf(request: Request) -> str:
    """The form token of this session: the cookie (which another site can neither read nor send) keyed by this
    process's secret, so that without a cookie (``--no-auth``) it is still one no other page can compute."""
    token = request.cookies.get(COOKIE, "") or "local"
    return hmac.new(request.app.state.form_secret, f"kamengine-form:{token}".encode(), hashlib.sha256).hexdigest()[:32]


def _page(html: str, status: int = 200) -> HTMLResponse:
    # Inline style attributes draw the layers' bars (autoescaped numbers); no script runs, nothing loads from elsewhere.
    policy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'"
    headers = {"Content-Security-Policy": f"{policy}; frame-ancestors 'none'", "X-Frame-Options": "DENY"}
    return HTMLResponse(html, status_code=status, headers=headers)


def _signed_in(request: Request, scope: str = "read") -> TokenHolder | Response:
    """The holder of the page's session, or the answer to give instead: the login page, or a refusal."""
    try:
        return holder_of(request, scope, cookie=True)
    except Problem as exc:
        if exc.status == 401:
            return RedirectResponse("/login", status_code=303)
        return _page(pages.render_error_page("Not allowed", exc.detail), exc.status)


def _nav(holder: TokenHolder) -> tuple[tuple[str, str], ...]:
    """The header's links: the portfolio and the member's own week."""
    return (("Portfolio", "/"), ("My week", f"/week/{segment(holder.member)}"))


def _header(service: Service, holder: TokenHolder) -> dict[str, Any]:
    """What every page's header shows of the reader: the links, and who they are (with a way to sign out)."""
    if not service.auth:
        return {"nav": _nav(holder), "signed_in": None}  # --no-auth: nobody signed in, nobody to sign out
    with service.store() as store:
        name = Engine.member_name(store, holder.member)
    who = name or holder.member
    return {"nav": _nav(holder), "signed_in": f"{who}{' · admin' if holder.may('admin') else ''}"}


def _refused(title: str, message: str, status: int, header: dict[str, Any], back: str = "/") -> HTMLResponse:
    """A signed-in reader's request the service will not or cannot do, said on a page of its own."""
    return _page(pages.render_error_page(title, message, back=back, **header), status)


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    return _page(pages.render_login_page(None, next_path=same_site_path(request.query_params.get("next"))))


@router.post("/login")
async def login(request: Request) -> Response:
    """A valid token starts a session on the server, whose key becomes an HttpOnly, same-site cookie (the token
    itself never goes into one); a wrong token is said so, whichever way it is wrong. A post from another site's
    page is refused: it would sign the reader in as someone else (login CSRF)."""
    service: Service = request.app.state.service
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    token = form.get("token", [""])[0].strip()
    next_path = same_site_path(form.get("next", [""])[0])
    elsewhere = cross_site(request)
    if elsewhere is not None:
        message = "Sign in from this site's own sign-in page: this form came from another site."
        return _page(pages.render_login_page(message, next_path=next_path), 403)
    with service.store() as store:
        holder = Engine.verify_token(store, token) if token else None
        key = Engine.start_session(store, holder, service.session_idle) if holder is not None else None
    if key is None:
        message = "That token is not valid (or was revoked, or has expired)."
        return _page(pages.render_login_page(message, next_path=next_path), 401)
    answer = RedirectResponse(next_path or "/", status_code=303)
    secure = request.url.scheme == "https"
    answer.set_cookie(COOKIE, key, httponly=True, samesite="strict", secure=secure, path="/", max_age=30 * 86400)
    return answer


@router.post("/logout")
def logout(request: Request) -> Response:
    """Sign out: the session ends on the server (a copy of the cookie no longer works), and the cookie goes."""
    key = session_of(request)
    if key:
        service: Service = request.app.state.service
        with service.store() as store:
            Engine.end_session(store, key)
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(COOKIE, path="/")
    return answer


@router.get("/")
def portfolio(request: Request) -> Response:
    """A page of the accounts the reader sees (``?after=`` the previous page's link), from the summary the store
    keeps; the load section when they fit on one page."""
    holder = _signed_in(request)
    if isinstance(holder, Response):
        return holder
    service: Service = request.app.state.service
    after = read_after(request.query_params.get("after"))
    summaries, total, following = page_lines(service, holder, after, PAGE_SIZE)
    header = _header(service, holder)
    heading = "Portfolio" if holder.may("admin") else f"Portfolio of {header['signed_in'] or holder.member}"
    paged = after is not None or following is not None
    # Each person's meetings a week against capacity: the plan of every account that shares people with the
    # reader's; on a portfolio of more than a page that is most of the store, so its people's weeks say it there.
    load = None if paged else portfolio_load(service, holder)
    paging = Paging(total, after_link(following), after is not None) if paged else None
    return _page(pages.render_portfolio_page(summaries, heading=heading, load=load, paging=paging, **header))


@router.get("/accounts/{account_id}")
def account(account_id: str, request: Request) -> Response:
    holder = _signed_in(request)
    if isinstance(holder, Response):
        return holder
    service: Service = request.app.state.service
    with service.store() as store:
        snapshot = (
            stored_snapshot(store, account_id, service.registry.actions)
            if sees_account(store, holder, account_id)
            else None
        )
        rows = Engine.live_recommendations(store, account_id) if snapshot is not None else []
        decidable = {row["id"] for row in rows if may_act(store, holder, row)}  # buttons only where they work
    header = _header(service, holder)
    if snapshot is None:  # not theirs, or not there: the same words
        return _refused("Not allowed", f"account {account_id} is not one this token may use", 403, header)
    fields = {"csrf": _csrf(request), "next": request.url.path} if holder.may("act") else None
    actions = ACTIONS if holder.may("act") else None
    statuses = {row["id"]: label for row in rows if (label := status_label(row))}
    html = pages.render_account_page(
        snapshot, [Recommendation.from_row(row) for row in rows], standalone=False, actions_url=actions,
        form_fields=fields, actionable=decidable, statuses=statuses, **header,
    )  # fmt: skip
    return _page(html)


@router.get("/week/{owner}")
def my_week(owner: str, request: Request) -> Response:
    """One ISO week of anyone's plan (``?week=``, default this one), with only the advice of the accounts the reader
    is on (a director sees their team's weeks); filters and pages as ``week_page`` reads them from the query."""
    holder = _signed_in(request)
    if isinstance(holder, Response):
        return holder
    service: Service = request.app.state.service
    url_for = under(ACTIONS) if holder.may("act") else None  # a read token sees the week, decides nothing
    header = _header(service, holder)
    try:
        html = week_page(service, holder, owner, request.query_params, url_for, {"csrf": _csrf(request)}, header)
    except Problem as exc:
        return _refused("Not shown", exc.detail, exc.status, header, back=f"/week/{segment(owner)}")
    return _page(html)


@router.post(ACTIONS + "/{rec_id}/{verb}")
async def button(rec_id: str, verb: str, request: Request) -> Response:
    """A button's form: the decision through the API's own path, then back to the page it came from."""
    holder = _signed_in(request, "act")
    if isinstance(holder, Response):
        return holder
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    back = same_site_path(form.get("next")) or "/"  # never elsewhere
    service: Service = request.app.state.service
    if verb not in STATUSES or not hmac.compare_digest(form.get("csrf", ""), _csrf(request)):
        message = "That form is out of date: reload the page and try again."
        return _refused("Not done", message, 403, _header(service, holder), back)
    try:
        decision = Decision(reason=form.get("reason", ""), until=form.get("until"))
        decide(service, holder, rec_id, verb, decision)
    except Problem as exc:
        title = "Not allowed" if exc.status == 403 else "Not done"
        return _refused(title, exc.detail, exc.status, _header(service, holder), back)
    return RedirectResponse(back, status_code=303)
