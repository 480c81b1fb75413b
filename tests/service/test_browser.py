"""The pages as a person uses them, in headless Chromium: sign in, the portfolio, an account's power map, my week."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from headless import needs_chromium
from serving import Running, serving
from support import REPO

pytestmark = needs_chromium
#: Set to a path to save the account page's screenshot there (docs/account-page.png is made this way).
SCREENSHOT = "KAMENGINE_SCREENSHOT"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Running]:
    with serving(tmp_path / "kamengine.db") as running:
        running.token("crm", "crm", "admin")
        with running.client("crm") as client:
            for path in (REPO / "examples" / "acme-telecom.yaml", *sorted((REPO / "examples" / "portfolio").iterdir())):
                account = path.read_text().split("\n  id: ", 1)[1].split()[0]
                assert client.put(f"/v1/accounts/{account}/snapshot", content=path.read_bytes()).status_code == 200
        running.token("chen", "u-ad", "act")
        yield running


def test_sign_in_open_an_account_and_mark_advice_done(server: Running, browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver

    assert isinstance(browser, WebDriver)
    browser.get(f"{server.url}/")
    assert browser.current_url == f"{server.url}/login"  # not signed in: the login page
    browser.find_element(By.NAME, "token").send_keys(server.tokens["chen"])
    browser.find_element(By.CSS_SELECTOR, "form.login button").click()

    _arrive(browser, f"{server.url}/")
    names = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "td a")]
    assert {"ACME Telecom", "Globex Energy", "Umbrella Health Authority"} <= set(names)  # Chen Jing's accounts
    assert "Initech Software" not in names  # not on its team
    browser.find_element(By.LINK_TEXT, "ACME Telecom").click()

    _arrive(browser, f"{server.url}/accounts/acme-tel")
    cards = browser.find_elements(By.CSS_SELECTOR, ".powermap .card")
    contacts = yaml.safe_load((REPO / "examples" / "acme-telecom.yaml").read_text())["contacts"]
    assert len(cards) == len(contacts) and any("Marta Vidal" in card.text for card in cards)
    roof = browser.find_element(By.CSS_SELECTOR, ".bar span")  # 3 of 12: the page's policy lets its bars draw
    assert 0 < roof.size["width"] < roof.find_element(By.XPATH, "..").size["width"] / 2
    browser.save_screenshot(str(tmp_path / "account.png"))
    if os.environ.get(SCREENSHOT):
        shutil.copy(tmp_path / "account.png", os.environ[SCREENSHOT])

    browser.find_element(By.LINK_TEXT, "My week").click()  # the header's link
    _arrive(browser, f"{server.url}/week/u-ad")
    done = browser.find_element(By.CSS_SELECTOR, "form[action$='/done']")
    rec_id = done.get_attribute("action").split("/")[-2]
    assert rec_id.startswith("rec-")
    done.find_element(By.TAG_NAME, "button").click()
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    # Back on the week without it. (Waiting for the old form to go stale is racy: chromedriver may answer
    # "node does not belong to the document" while the new page comes.)
    gone = WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,))
    gone.until(lambda b: not b.find_elements(By.CSS_SELECTOR, f"form[action*='{rec_id}']"))
    _arrive(browser, f"{server.url}/week/u-ad")
    assert browser.find_elements(By.CSS_SELECTOR, f"form[action*='{rec_id}']") == []
    with server.client("crm") as client:
        assert client.get(f"/v1/recommendations/{rec_id}").json()["status"] == "done"


def _arrive(browser: object, url: str) -> None:
    """Wait for a click's navigation to land on ``url`` (a loaded machine may take a moment)."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(expected_conditions.url_to_be(url))
    WebDriverWait(browser, 30).until(lambda b: b.execute_script("return document.readyState") == "complete")
