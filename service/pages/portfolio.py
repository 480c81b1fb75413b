"""The portfolio page (every account by tier, its layers and its open advice) and the login page."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kamengine.engine.model.fields import TIERS

from .environment import Nav, render
from .forms import segment
from .load import LoadSection, level
from .summary import AccountSummary

#: Accounts a portfolio page lists: their layers are drawn from each one's snapshot, so a page is bounded.
PAGE_SIZE = 50


@dataclass(frozen=True)
class Paging:
    """A portfolio of more accounts than a page: how many in all, the next page's address (None: the last page),
    and whether this page is not the first (it links back to the first)."""

    total: int
    next_path: str | None
    not_first: bool


def after_link(key: Sequence[Any] | None) -> str | None:
    """The address of the page after ``key`` (a page's last account's place in the order); None for no key."""
    if key is None:
        return None
    return "/?after=" + base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def read_after(text: str | None) -> list[Any] | None:
    """The key in a page's ``?after=`` (``after_link``'s); None for none or one that is not such a key (the page
    then starts from the first account)."""
    if not text:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):
        return None
    shape = (int, int, str, str)
    if (
        isinstance(key, list)
        and len(key) == len(shape)
        and all(isinstance(v, t) for v, t in zip(key, shape, strict=True))
    ):
        return key
    return None


def account_path(account_id: str) -> str:
    """Where the service shows an account: ``/accounts/{id}``."""
    return f"/accounts/{segment(account_id)}"


def render_portfolio_page(
    accounts: Sequence[AccountSummary],
    *,
    account_url_for: Callable[[str], str] = account_path,
    heading: str = "Portfolio",
    nav: Nav = (),
    signed_in: str | None = None,
    load: LoadSection | None = None,
    paging: Paging | None = None,
) -> str:
    """Accounts grouped by tier (strategic first), most open advice first within a tier; ``load``: the section with
    each person's meetings a week against capacity, and what the plan could not place; ``paging``: ``accounts`` is
    one page of more (the total and the links to the next and the first page)."""
    tiers = []
    for tier in TIERS:
        rows = sorted(
            (a for a in accounts if a.tier == tier), key=lambda a: (-a.open_recommendations, a.name.casefold(), a.id)
        )
        if rows:
            tiers.append((tier, [(a, account_url_for(a.id)) for a in rows]))
    return render(
        "portfolio.html", standalone=False, nav=nav, signed_in=signed_in, heading=heading, tiers=tiers,
        total=paging.total if paging else len(accounts), load=load, level=level, paging=paging,
    )  # fmt: skip


def render_login_page(error: str | None, *, action: str = "/login", nav: Nav = (), next_path: str | None = None) -> str:
    """A form posting ``token`` to ``action``; ``error`` (the service's own words) shown above it; ``next_path``
    (a same-site path the service checked) is where a signed-in reader goes."""
    return render("login.html", standalone=False, nav=nav, error=error, action=action, next_path=next_path)


def render_error_page(title: str, message: str, *, back: str = "/", nav: Nav = (), signed_in: str | None = None) -> str:
    """What went wrong with a signed-in reader's request (not theirs to see, a decision the lifecycle refuses),
    in the service's words, with a way back."""
    return render("error.html", standalone=False, nav=nav, signed_in=signed_in, title=title, message=message, back=back)
