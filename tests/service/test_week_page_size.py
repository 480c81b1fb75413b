"""Issue 21's acceptance for the page: the AD's "My week" of the 40-account, team-of-8 fixture (tests/portfolio_fixture)
is under 150 KB in every week of the plan's horizon, buttons and all; before, one page held every week (773 KB)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
from kamengine.engine.plan.week import iso_week
from portfolio_fixture import portfolio
from serving import Running, serving

MAX_PAGE_BYTES = 150_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serving(tmp_path_factory.mktemp("size") / "kamengine.db") as running:
        running.token("crm", "crm", "admin")
        with running.client("crm") as client:
            for snapshot in portfolio(40, as_of=dt.date.today()):  # the service plans from today
                account = snapshot["account"]["id"]
                answer = client.put(f"/v1/accounts/{account}/snapshot", content=json.dumps(snapshot).encode())
                assert answer.status_code == 200, answer.text
        running.token("chen", "u-ad", "act")
        yield running


def test_the_directors_week_is_under_150_kb_in_every_week_of_the_horizon(server: Running) -> None:
    today = dt.date.today()
    sizes, forms = {}, {}
    with closing(httpx.Client(base_url=server.url, timeout=60)) as client:
        assert client.post("/login", data={"token": server.tokens["chen"]}).status_code == 303
        for n in range(6):
            week = iso_week(today + dt.timedelta(weeks=n))
            answer = client.get("/week/u-ad", params={"week": week})
            assert answer.status_code == 200
            sizes[week], forms[week] = len(answer.content), answer.text.count('<form method="post"')
    assert max(sizes.values()) < MAX_PAGE_BYTES, sizes
    assert sum(forms.values()) > 40, forms  # a real week of buttons was measured, not empty pages
