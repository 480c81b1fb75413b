"""The portfolio page in pages of 50 accounts (issue 25 point 1): the pages' links walk every account the reader
sees once, in the page's order (tier, most open advice, name), a member's pages only theirs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from kamengine.engine.model.documents import Document
from kamengine.engine.model.loading import snapshot_from_document
from kamengine.engine.model.snapshot import Snapshot
from kamengine.engine.store.snapshots import save_snapshot
from kamengine.engine.store.store import Store
from kamengine.service.pages.portfolio import PAGE_SIZE
from page_parsing import parse_page
from serving import Running, serving
from support import builtin_advisor, example_data

ACCOUNTS = 2 * PAGE_SIZE + 20  # three pages for admin; the member is on half of them: two
TIERS = ("strategic", "key", "standard")


def _snapshot(n: int) -> tuple[Snapshot, dict[str, object]]:
    """Account ``n`` of the bundled example: its tier by ``n``; u-ar on the even ones' teams, someone else's on the
    odd ones'."""
    text = json.dumps(example_data())
    data = json.loads(text if n % 2 == 0 else text.replace('"u-ar"', '"u-other"'))
    data["account"].update(id=f"acct-{n:03d}", name=f"Account {n:03d}", tier=TIERS[n % 3])
    return snapshot_from_document(Document(data, f"account {n}")), data


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Running, list[str]]]:
    """The service on a store of ``ACCOUNTS`` accounts, five of them advised; and the accounts in the page's order."""
    db = tmp_path_factory.mktemp("paging") / "kamengine.db"
    store = Store(db)
    run_id, _ = store.start_run("test")
    open_advice = {}
    for n in range(ACCOUNTS):
        snapshot, data = _snapshot(n)
        save_snapshot(store, snapshot, data)
        if n % 25 == 0:  # advice moves an account ahead of its tier's others
            advice = builtin_advisor().advise(snapshot).recommendations
            store.apply_advice(run_id, snapshot, advice)
        open_advice[snapshot.account.id] = len(store.find(snapshot.account.id, ["open"]))
    store.close()
    order = sorted(open_advice, key=lambda a: (int(a[5:]) % 3, -open_advice[a], f"account {a[5:]}", a))
    with serving(db) as running:
        running.token("admin", "boss", "admin")
        running.token("ar", "u-ar", "read")
        yield running, order


def _pages(running: Running, who: str, first: str = "/") -> list[tuple[list[str], str]]:
    """Each page's account links and its text, from ``first`` by the Next page links."""
    pages = []
    headers = {"Authorization": f"Bearer {running.tokens[who]}"}
    with closing(httpx.Client(base_url=running.url, headers=headers, timeout=60)) as client:
        address: str | None = first
        while address is not None:
            html = client.get(address).text
            page = parse_page(html)
            links = [e.attrs["href"] for e in page.find_all(lambda e: e.tag == "a" and "href" in e.attrs)]
            pages.append(([link.removeprefix("/accounts/") for link in links if link.startswith("/accounts/")], html))
            following = [e.attrs["href"] for e in page.find_all(lambda e: e.tag == "a" and e.text == "Next page")]
            address = following[0] if following else None
            assert len(pages) <= ACCOUNTS // PAGE_SIZE + 1, "the Next links go round"
    return pages


def test_the_pages_walk_every_account_once_in_the_portfolios_order(server: tuple[Running, list[str]]) -> None:
    running, order = server
    pages = _pages(running, "admin")
    assert [len(accounts) for accounts, _ in pages] == [PAGE_SIZE, PAGE_SIZE, ACCOUNTS - 2 * PAGE_SIZE]
    assert [account for accounts, _ in pages for account in accounts] == order
    for number, (_, html) in enumerate(pages):
        assert f"{ACCOUNTS} accounts" in html  # all of them counted, on every page
        assert ("First page" in html) == (number > 0)
        assert "The load at a glance" not in html  # a paged portfolio leaves each person's load to their week


def test_a_member_pages_through_their_own_accounts_only(server: tuple[Running, list[str]]) -> None:
    running, order = server
    pages = _pages(running, "ar")
    theirs = [account for account in order if int(account[5:]) % 2 == 0]
    assert [account for accounts, _ in pages for account in accounts] == theirs
    assert [len(accounts) for accounts, _ in pages] == [PAGE_SIZE, len(theirs) - PAGE_SIZE]
    assert all(f"{len(theirs)} accounts" in html for _, html in pages)


def test_a_page_address_that_is_not_one_gives_the_first_page(server: tuple[Running, list[str]]) -> None:
    running, order = server
    for after in ("nonsense", "WzEsMl0", "%00"):
        ((accounts, html),) = _pages(running, "admin", f"/?after={after}")[:1]
        assert accounts == order[:PAGE_SIZE]
        assert re.search(r'href="/\?after=[^"]+">Next page', html)
