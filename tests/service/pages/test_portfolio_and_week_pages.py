"""The portfolio's rows come from the engine's facts; the portfolio, "my week" and login pages render them safely."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from kamengine.engine.model.actions import ActionCatalogue
from kamengine.engine.model.plan_settings import PlanSettings
from kamengine.engine.model.recommendation import Owner, Recommendation
from kamengine.engine.plan.week import schedule
from kamengine.service.pages import (
    VERBS,
    account_summary,
    render_login_page,
    render_my_week_page,
    render_portfolio_page,
)
from page_parsing import parse_page
from support import contact, make_snapshot

HOSTILE = '<script>alert(1)</script>"><b>'
LI = Owner("u-ar", "Li", "AR")


def _rec(rec_id: str, **fields: Any) -> Recommendation:
    values: dict[str, Any] = {
        "id": rec_id, "account_id": "acct", "action": "regular_office_visit", "subject_kind": "contact",
        "subject_id": "c-1", "title": f"Visit for {rec_id}", "rationale": "cold", "rule": "p/r", "priority": 10.0,
        "due": dt.date(2026, 11, 24), "owner_role": "AR", "owner": LI, "account_name": "Acme",
    }  # fmt: skip
    return Recommendation(**{**values, **fields})


def _account(**account: Any) -> Any:
    return make_snapshot(
        account={
            "id": "acct",
            "name": "Acme",
            "tier": "key",
            "org_relationship": {"communication": 2, "joint": 1},
            **account,
        },
        contacts=[
            contact("c-ceo", role="A", stance=1, level="executive", owner="u-ad"),
            contact("c-cfo", role="D", stance=-1, level="executive"),
            contact("c-ops", role="D", stance=0, level="senior"),
            contact("c-1", stance=2, level="staff"),
            contact("c-2", stance=1, level="middle"),
            contact("c-3", stance=0, level="staff"),
        ],
    )


def test_the_summary_is_the_engines_layer_figures() -> None:
    recs = [_rec("r1"), _rec("r2", action="broaden_relationships", subject_kind="account"), _rec("r3", account_id="x")]
    summary = account_summary(_account(), recs)
    assert (summary.tier, summary.contacts, summary.supporters, summary.supportive_share) == ("key", 6, 3, 0.5)
    assert [(layer.key, layer.have, layer.of, layer.health) for layer in summary.layers] == [
        ("roof", 3, 12, "thin"),  # communication 2 + joint 1 of four elements at 3
        ("pillars", 1, 3, "thin"),  # one of three approvers and decision makers supports us
        ("foundation", 2, 3, "built"),  # two of three at the working level
    ]
    assert (summary.single_point_owner, summary.single_point_share) == ("Li", 2 / 3)
    assert summary.single_point_flagged and summary.open_recommendations == 2
    assert not account_summary(_account(), recs[:1]).single_point_flagged
    layer = summary.model_dump(mode="json")["layers"][0]  # what an API lists
    assert layer == {
        "key": "roof",
        "name": "organisational",
        "have": 3,
        "of": 12,
        "share": 0.25,
        "health": "thin",
        "detail": layer["detail"],
    }


def test_a_layer_with_nobody_to_build_on_is_empty_and_one_with_nobody_built_is_missing() -> None:
    summary = account_summary(make_snapshot(contacts=[contact("c-1", stance=0, level="staff")]), [])
    assert [layer.health for layer in summary.layers] == ["missing", "empty", "missing"]


def test_the_portfolio_groups_by_tier_and_links_each_account() -> None:
    rows = [
        account_summary(_account(id="k/1", name=HOSTILE), [_rec("r1", account_id="k/1")]),
        account_summary(_account(id="s-1", name="Strat", tier="strategic"), []),
        account_summary(_account(id="k-2", name="Beta"), []),
    ]
    page = parse_page(render_portfolio_page(rows))
    headings = [" ".join(h.text.split()) for h in page.find_all(lambda e: e.tag == "h2")]
    assert headings == ["Strategic accounts 1", "Key accounts 2"]
    links = [(a.attrs["href"], a.text) for a in page.find_all(lambda e: e.tag == "a")]
    assert links == [("/accounts/s-1", "Strat"), ("/accounts/k%2F1", HOSTILE), ("/accounts/k-2", "Beta")]
    assert not {e.tag for e in page.walk()} & {"script", "b"}
    first = [
        " ".join(td.text.split()) for td in page.find_all(lambda e: e.tag == "tr")[3].find_all(lambda e: e.tag == "td")
    ]
    assert first[2:] == ["thin 3/12", "thin 1/3", "built 2/3", "50% 3/6", "Li 67%", "0", "1"]
    assert "No accounts yet" in parse_page(render_portfolio_page([])).text


def test_my_week_shows_each_approach_by_day_with_a_form_per_verb() -> None:
    recs = [
        _rec("r1", title=HOSTILE, priority=30.0),
        _rec("r2", due=dt.date(2026, 11, 26), compliance="needs approval"),
        _rec("r3", due=dt.date(2026, 11, 26), action="account_review", subject_kind="account", subject_id="acct"),
    ]
    items = schedule(recs, ActionCatalogue(), PlanSettings(), dt.date(2026, 11, 23))
    urls: list[tuple[str, str]] = []

    def url_for(rec_id: str, verb: str) -> str:
        urls.append((rec_id, verb))
        return f"/week/{rec_id}/{verb}"

    page = parse_page(
        render_my_week_page(LI, items, action_url_for=url_for, week="2026-W48", today=dt.date(2026, 11, 23))
    )
    assert " ".join(page.find_all(lambda e: e.tag == "h1")[0].text.split()) == "My week Li (AR) · 2026-W48"
    assert [h.text for h in page.find_all(lambda e: e.tag == "h3")] == ["Tuesday 2026-11-24", "Thursday 2026-11-26"]
    assert HOSTILE in page.text and not {e.tag for e in page.walk()} & {"script", "b"}
    forms = page.find_all(lambda e: e.tag == "form")
    assert sorted(f.attrs["action"] for f in forms) == sorted(
        f"/week/{r}/{v}" for r in ("r1", "r2", "r3") for v in VERBS
    )
    assert sorted(urls) == sorted((r, v) for r in ("r1", "r2", "r3") for v in VERBS)
    snooze = next(f for f in forms if f.attrs["action"].endswith("/snooze"))
    assert [i.attrs["value"] for i in snooze.walk() if i.attrs.get("name") == "until"] == ["2026-11-30"]
    assert "needs approval" in page.text


def test_an_empty_week_says_so() -> None:
    page = parse_page(render_my_week_page("u-ar", [], action_url_for=lambda r, v: "/", week="2026-W48"))
    assert "Nothing planned for 2026-W48." in page.text


def test_a_companion_gets_its_own_buttons() -> None:
    items = schedule([_rec("r1")], ActionCatalogue(), PlanSettings(), dt.date(2026, 11, 23))
    item = dataclasses.replace(items[0], companions=(_rec("r9", title="also this"),))
    page = parse_page(render_my_week_page(LI, [item], action_url_for=lambda r, v: f"/{r}/{v}"))
    assert "/r9/done" in [f.attrs["action"] for f in page.find_all(lambda e: e.tag == "form")]


def test_the_login_page_posts_the_token_and_shows_the_error_as_text() -> None:
    page = parse_page(render_login_page(HOSTILE, action="/session"))
    (form,) = page.find_all(lambda e: e.tag == "form")
    assert (form.attrs["method"], form.attrs["action"]) == ("post", "/session")
    assert [i.attrs["name"] for i in form.walk() if i.tag == "input"] == ["token"]
    assert HOSTILE in page.text and not {e.tag for e in page.walk()} & {"script", "b"}
    assert "alert" not in parse_page(render_login_page(None)).text
