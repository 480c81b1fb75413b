"""The portfolio page (every account by tier, its layers and its open advice) and the login page."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kamengine.engine.model.fields import TIERS

from .environment import Nav, render
from .forms import segment
from .load import LoadSection, level
from .summary import AccountSummary


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
) -> str:
    """Accounts grouped by tier (strategic first), most open advice first within a tier; ``load``: the section with
    each person's meetings a week against capacity, and what the plan could not place."""
    tiers = []
    for tier in TIERS:
        rows = sorted(
            (a for a in accounts if a.tier == tier), key=lambda a: (-a.open_recommendations, a.name.casefold(), a.id)
        )
        if rows:
            tiers.append((tier, [(a, account_url_for(a.id)) for a in rows]))
    return render(
        "portfolio.html", standalone=False, nav=nav, signed_in=signed_in, heading=heading, tiers=tiers,
        total=len(accounts), load=load, level=level,
    )  # fmt: skip


def render_login_page(error: str | None, *, action: str = "/login", nav: Nav = (), next_path: str | None = None) -> str:
    """A form posting ``token`` to ``action``; ``error`` (the service's own words) shown above it; ``next_path``
    (a same-site path the service checked) is where a signed-in reader goes."""
    return render("login.html", standalone=False, nav=nav, error=error, action=action, next_path=next_path)


def render_error_page(title: str, message: str, *, back: str = "/", nav: Nav = (), signed_in: str | None = None) -> str:
    """What went wrong with a signed-in reader's request (not theirs to see, a decision the lifecycle refuses),
    in the service's words, with a way back."""
    return render("error.html", standalone=False, nav=nav, signed_in=signed_in, title=title, message=message, back=back)
