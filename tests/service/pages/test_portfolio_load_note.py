"""A portfolio of more than one page says why it shows no load at a glance, and where each person's load is."""

from __future__ import annotations

from kamengine.service.pages import render_portfolio_page
from kamengine.service.pages.portfolio import Paging


def test_a_paged_portfolio_says_why_its_load_is_not_there() -> None:
    html = render_portfolio_page([], paging=Paging(40_000, "/?after=x", False))
    assert 'id="load-not-shown"' in html and "on 40000 accounts most of the store" in html
    assert "/week/MEMBER?week=" in html and "The load at a glance" not in html


def test_a_portfolio_of_one_page_has_no_such_note() -> None:
    assert 'id="load-not-shown"' not in render_portfolio_page([])
