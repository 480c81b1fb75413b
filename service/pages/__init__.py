"""The pages a team looks at, rendered on the server from autoescaped, sandboxed templates.

The service's routes and ``kamengine report account`` call only these:

``render_account_page(snapshot, recommendations, *, standalone, actions_url=None, form_fields=None, today=None)``
    One account: the three layers, its advice, the power map (an org chart of ``reports_to``,
    one card per contact with role, stance, intimacy rung, owner, last touch, marks and the
    open advice for that person) and a fishbone per live deal. ``recommendations`` are the
    account's open advice (others' are ignored). ``standalone=True`` gives one self-contained
    file: the stylesheet inline, SVG inline, no script, no link, no form. Otherwise the page links
    ``/static/kamengine.css`` (serve ``STATIC_DIR`` there) and, when ``actions_url`` is given,
    each recommendation gets accept/done/dismiss/snooze forms posting to
    ``{actions_url}/{id}/{verb}`` (a snooze also sends ``until``, a date a week after ``today``)
    with ``form_fields`` as hidden inputs (a CSRF token, say).

``render_portfolio_page(accounts, *, account_url_for=account_path, heading="Portfolio", load=None) -> str``
    ``accounts`` are ``AccountSummary`` rows, made by ``account_summary(snapshot, open_recommendations)``;
    grouped by tier, each linking to ``account_url_for(account_id)`` (``/accounts/{id}``). ``load``
    (a ``pages.load.LoadSection``) adds each person's meetings a week against capacity and what
    was not planned.

``render_my_week_page(owner, items, *, action_url_for, week=None, today=None, form_fields=None, view=None) -> str``
    ``items`` are ``engine.plan.week.schedule``'s items for one owner (``Owner`` or a display
    name), grouped by week and day; every lead and companion gets forms posting to
    ``action_url_for(rec_id, verb)``, verb one of ``VERBS``. ``view`` (a ``pages.week.WeekView``)
    makes it one page of one ISO week: links to the weeks beside, the filter form, the next page.

``render_login_page(error, *, action="/login") -> str``
    A form posting ``token`` to ``action``, with ``error`` (the service's words) above it.

``render_error_page(title, message, *, back="/") -> str``
    What went wrong with a signed-in reader's request, in the service's words, and a link back.

Every served page also takes ``nav``: (label, address) pairs for links in its header (the
service's own routes; the standalone page has none), and ``signed_in``: who reads it, shown
with a button that signs out.
"""

from __future__ import annotations

from .account import render_account_page
from .environment import STATIC_DIR
from .forms import VERBS
from .portfolio import account_path, render_error_page, render_login_page, render_portfolio_page
from .summary import AccountSummary, Layer, account_summary
from .week import render_my_week_page

__all__ = [
    "STATIC_DIR",
    "VERBS",
    "AccountSummary",
    "Layer",
    "account_path",
    "account_summary",
    "render_account_page",
    "render_error_page",
    "render_login_page",
    "render_my_week_page",
    "render_portfolio_page",
]
