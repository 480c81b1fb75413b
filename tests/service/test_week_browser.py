"""My week in headless Chromium: one week at a time, paged forward and back, narrowed by the filter form, and a
decision that comes back to the same week (issue 21 point 7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from headless import needs_chromium
from kamengine.engine.plan.week import iso_week, monday
from serving import Running, serving
from team_portfolio import load_portfolio

pytestmark = needs_chromium


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Running]:
    with serving(tmp_path / "kamengine.db") as running:
        running.token("crm", "crm", "admin")
        load_portfolio(running, "crm", accounts=12)
        running.token("chen", "u-ad", "act")
        yield running


def _asked(url: str) -> tuple[str, dict[str, list[str]]]:
    """A page's address as what it asks: its path and the query's filled-in fields (a form sends the empty ones too)."""
    return urlsplit(url).path, parse_qs(urlsplit(url).query)


def _week_of(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("week", [""])[0]


def test_page_through_the_weeks_filter_one_and_decide_on_it(server: Running, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import Select, WebDriverWait

    assert isinstance(browser, WebDriver)
    wait = WebDriverWait(browser, 30)
    browser.get(f"{server.url}/login")
    browser.find_element(By.NAME, "token").send_keys(server.tokens["chen"])
    browser.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait.until(expected_conditions.url_to_be(f"{server.url}/"))
    browser.find_element(By.LINK_TEXT, "My week").click()
    wait.until(expected_conditions.url_to_be(f"{server.url}/week/u-ad"))
    this_week = iso_week(dt.date.today())
    assert this_week in browser.find_element(By.TAG_NAME, "h1").text

    shown = [this_week]
    for _ in range(3):  # forward, a week at a time
        browser.find_element(By.CSS_SELECTOR, "nav.weeks a[rel=next]").click()
        wait.until(lambda b: _week_of(b.current_url) not in ("", shown[-1]))
        shown.append(_week_of(browser.current_url))
        assert shown[-1] in browser.find_element(By.TAG_NAME, "h1").text
        days = [h.text.split()[-1] for h in browser.find_elements(By.CSS_SELECTOR, ".week-day h3")]
        assert {iso_week(dt.date.fromisoformat(day)) for day in days} <= {shown[-1]}
    assert shown == [iso_week(monday(this_week) + dt.timedelta(weeks=n)) for n in range(4)]
    browser.find_element(By.CSS_SELECTOR, "nav.weeks a[rel=prev]").click()
    wait.until(lambda b: _week_of(b.current_url) == shown[2])

    # The busiest week of the horizon, narrowed to one account's overdue advice by the form.
    browser.get(f"{server.url}/week/u-ad?week={this_week}")
    accounts = Select(browser.find_element(By.CSS_SELECTOR, "form.filters select[name=account]"))
    company = accounts.options[1].text
    accounts.select_by_index(1)
    browser.find_element(By.CSS_SELECTOR, "form.filters input[name=overdue]").click()
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait.until(lambda b: "overdue=1" in b.current_url)
    items = browser.find_elements(By.CSS_SELECTOR, ".item")
    assert items and all(company in item.text and "overdue: due" in item.text for item in items)
    assert all("overdue" in item.get_attribute("class").split() for item in items)
    narrowed = browser.current_url

    done = browser.find_element(By.CSS_SELECTOR, ".item form[action$='/done']")
    rec_id = done.get_attribute("action").split("/")[-2]
    done.find_element(By.TAG_NAME, "button").click()
    from selenium.common.exceptions import WebDriverException

    gone = WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,))
    gone.until(
        lambda b: (
            _asked(b.current_url) == _asked(narrowed)
            and not b.find_elements(By.CSS_SELECTOR, f"form[action*='{rec_id}']")
        )
    )
    with server.client("crm") as client:
        assert client.get(f"/v1/recommendations/{rec_id}").json()["status"] == "done"
