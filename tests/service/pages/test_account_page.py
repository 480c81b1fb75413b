"""The account page: well formed, escaped, self-contained offline; the org chart, the cards and the fishbone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from kamengine.engine.model.recommendation import Owner, Recommendation
from kamengine.engine.model.snapshot import Contact, Snapshot
from kamengine.service.pages import render_account_page
from page_parsing import Element, cards, manager_of, parse_page
from support import activity, contact, make_snapshot

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def _rec(subject_kind: str, subject_id: str, title: str, **fields: Any) -> Recommendation:
    values: dict[str, Any] = {
        "id": f"rec-{subject_id}-{len(title)}",
        "account_id": "acct",
        "action": "executive_visit",
        "subject_kind": subject_kind,
        "subject_id": subject_id,
        "title": title,
        "rationale": "why",
        "rule": "p/r",
        "priority": 50.0,
        "due": dt.date(2026, 12, 4),
        "owner_role": "AD",
        "owner": Owner("u-ad", "Chen", "AD"),
    }
    return Recommendation(**{**values, **fields})


def _company() -> Snapshot:
    return make_snapshot(
        contacts=[
            contact("c-ceo", name="Marta", role="A", stance=0, level="executive"),
            contact("c-cto", name="Ana", role="D", stance=1, reports_to="c-ceo", public_official=True),
            contact("c-eng", name="Jonas", role="E", stance=-1, reports_to="c-cto"),
            contact("c-arch", name="Priya", role="S", stance=2, reports_to="c-eng"),
            contact("c-proc", name="Tom", role="I", stance=3, reports_to="c-ceo"),
            contact("c-solo", name="Solo", stance=1),
        ],
        opportunities=[
            {
                "id": "o-1",
                "name": "Core tender",
                "stage": "bidding",
                "value": 1000,
                "decision_groups": [
                    {
                        "group": "technical",
                        "members": [{"contact_id": "c-arch", "proximity": 2}, {"contact_id": "c-eng", "proximity": 1}],
                    },
                    {"group": "final", "members": [{"contact_id": "c-ceo", "proximity": 1}]},
                ],
            },
            {"id": "o-2", "name": "Old deal", "stage": "lost"},
        ],
        activities=[activity("a-1", "regular_office_visit", "2026-10-01", "c-cto")],
    )


def _page(snapshot: Snapshot, recs: list[Recommendation] | None = None, **options: Any) -> tuple[str, Element]:
    html = render_account_page(snapshot, recs or [], **{"standalone": True, **options})
    return html, parse_page(html)


def test_a_report_sits_under_their_manager_and_everyone_has_one_card() -> None:
    _, page = _page(_company())
    found = cards(page)
    assert set(found) == {"Marta", "Ana", "Jonas", "Priya", "Tom", "Solo"}
    assert {name: manager_of(card) for name, card in found.items()} == {
        "Marta": None, "Ana": "Marta", "Jonas": "Ana", "Priya": "Jonas", "Tom": "Marta", "Solo": None,
    }  # fmt: skip


def test_a_card_shows_role_stance_rung_owner_last_touch_and_marks() -> None:
    _, page = _page(_company())
    ana = cards(page)["Ana"]
    (role,) = ana.find_all(lambda e: "role" in e.classes)
    (stance,) = ana.find_all(lambda e: "stance" in e.classes)
    assert (role.text, stance.text) == ("D", "+1")
    assert "s2" in stance.classes  # the colour of stance 1, beside its number
    text = " ".join(ana.text.split())
    assert "rung 2/5 regular office visit" in text
    assert "owner Li" in text and "last touch 2026-10-01" in text
    assert "public official" in text
    jonas = cards(page)["Jonas"]
    assert [e.text for e in jonas.find_all(lambda e: "stance" in e.classes)] == ["-1"]
    assert "key person" in jonas.text  # nearest the axis in the technical group of a live deal
    assert "last touch never" in " ".join(cards(page)["Marta"].text.split())


def test_a_contact_with_advice_shows_it_on_their_card_and_every_advice_is_listed_once() -> None:
    recs = [
        _rec("contact", "c-eng", "Invite Jonas to the HQ", action="hq_tour", due=dt.date(2027, 1, 4)),
        _rec("opportunity", "o-1", "Review the tender"),
        _rec("account", "acct", "Account review"),
        _rec("contact", "c-eng", "Someone else's", account_id="other"),
    ]
    _, page = _page(_company(), recs)
    jonas = " ".join(cards(page)["Jonas"].text.split())
    assert "Headquarters tour 2027-01-04 Chen" in jonas
    assert "Someone else" not in " ".join(page.text.split())
    (table,) = page.find_all(lambda e: "advice-table" in e.classes)
    rows = [" ".join(r.text.split()) for r in table.find_all(lambda e: e.tag == "tr")][1:]
    assert rows == [
        "2026-12-04 the account Account review Chen",
        "2026-12-04 Core tender Review the tender Chen",
        "2027-01-04 Jonas Invite Jonas to the HQ Chen",
    ]


def test_the_fishbone_has_four_groups_with_the_deals_members_nearest_first() -> None:
    _, page = _page(_company())
    (svg,) = page.find_all(lambda e: e.tag == "svg")
    bones = {next(iter(b.classes - {"bone"})): b for b in svg.find_all(lambda e: "bone" in e.classes)}
    assert list(bones) == ["commercial", "technical", "selection", "final"]

    def members(bone: Element) -> list[str]:
        labels = bone.find_all(lambda e: "who" in e.classes)
        return [" ".join(label.own_text.split()) for label in labels]

    assert members(bones["technical"]) == ["Jonas (E) · key", "✔ Priya (S)"]
    assert members(bones["final"]) == ["Marta (A) · key"]
    assert members(bones["commercial"]) == members(bones["selection"]) == []
    assert "supporter" in bones["technical"].find_all(lambda e: "member" in e.classes)[1].classes
    assert len(page.find_all(lambda e: e.tag == "svg")) == 1  # the lost deal has none


def test_hostile_text_is_text_never_markup_nor_an_attribute() -> None:
    snapshot = make_snapshot(
        account={"id": "acct", "name": HOSTILE, "industry": HOSTILE},
        contacts=[
            contact("c-1", name=HOSTILE, title=HOSTILE, backs_competitor=HOSTILE),
            contact("c-2", reports_to="c-1"),
        ],
        opportunities=[
            {
                "id": "o-1",
                "name": HOSTILE,
                "decision_groups": [{"group": "final", "members": [{"contact_id": "c-1", "proximity": 1}]}],
            }
        ],
        team=[{"id": "u-ar", "name": HOSTILE, "role": "AR"}],
    )
    html, page = _page(
        snapshot, [_rec("contact", "c-1", HOSTILE, compliance=HOSTILE)], standalone=False, actions_url="/recs"
    )
    tags = {e.tag for e in page.walk()}
    assert not tags & {"script", "img"}
    assert HOSTILE in page.text
    assert all(HOSTILE not in value and "alert" not in value for e in page.walk() for value in e.attrs.values())
    assert "<script>alert" not in html


def test_the_standalone_page_needs_nothing_from_outside() -> None:
    html, page = _page(_company(), [_rec("contact", "c-eng", "Visit")], actions_url="/recs", nav=[("Home", "/")])
    assert not re.search(r"https?://|src=|url\(|@import", html)
    assert not {e.tag for e in page.walk()} & {"script", "link", "form", "img", "iframe", "object"}
    assert [e.tag for e in page.find_all(lambda e: e.tag == "style")] == ["style"]
    assert all(e.attrs["href"].startswith("#") for e in page.find_all(lambda e: "href" in e.attrs))


def test_the_served_page_links_its_stylesheet_and_posts_each_verb() -> None:
    _, page = _page(
        _company(),
        [_rec("contact", "c-eng", "Visit", id="rec-a/b")],
        standalone=False,
        actions_url="/recs/",
        form_fields={"csrf": "t0k"},
        today=dt.date(2026, 11, 20),
        nav=[("Portfolio", "/"), ("My week", "/week")],
    )
    (nav,) = page.find_all(lambda e: e.tag == "nav")
    assert [(a.text, a.attrs["href"]) for a in nav.walk()] == [("Portfolio", "/"), ("My week", "/week")]
    assert [e.attrs["href"] for e in page.find_all(lambda e: e.tag == "link")] == ["/static/kamengine.css"]
    forms = page.find_all(lambda e: e.tag == "form")
    assert [f.attrs["action"] for f in forms] == [
        f"/recs/rec-a%2Fb/{verb}" for verb in ("accept", "done", "dismiss", "snooze")
    ]
    assert all(any(i.attrs.get("name") == "csrf" and i.attrs["value"] == "t0k" for i in f.walk()) for f in forms)
    (until,) = forms[-1].find_all(lambda e: e.attrs.get("name") == "until")
    assert until.attrs["value"] == "2026-11-27"


def test_only_the_advice_the_reader_may_decide_on_gets_buttons() -> None:
    mine, theirs = _rec("contact", "c-eng", "Visit", id="rec-mine"), _rec("contact", "c-cto", "Tour", id="rec-theirs")
    _, page = _page(_company(), [mine, theirs], standalone=False, actions_url="/recs", actionable={"rec-mine"})
    actions = {f.attrs["action"].split("/")[2] for f in page.find_all(lambda e: e.tag == "form")}
    assert actions == {"rec-mine"}
    assert "Tour" in page.text  # the other advice is shown, without buttons


def test_a_loop_in_reports_to_is_drawn_once_and_a_deep_line_needs_no_recursion() -> None:
    # The validator refuses a loop; a page given an unvalidated snapshot must still end.
    people = [contact("c-a", reports_to="c-b"), contact("c-b", reports_to="c-a"), contact("c-c", reports_to="c-a")]
    looped = Snapshot.model_validate(
        {"as_of": "2026-11-20", "account": {"id": "acct", "name": "A"}, "contacts": people}
    )
    assert set(cards(_page(looped)[1])) == {"C-A", "C-B", "C-C"}
    deep = Snapshot.model_validate(
        {"as_of": "2026-11-20", "account": {"id": "acct", "name": "A"},
         "contacts": [Contact(id=f"c{i}", name=f"P{i}", reports_to=f"c{i - 1}" if i else None) for i in range(2000)]}
    )  # fmt: skip
    page = parse_page(render_account_page(deep, [], standalone=True))
    chain = cards(page)
    assert len(chain) == 2000 and manager_of(chain["P1999"]) == "P1998"


@pytest.mark.parametrize("contacts", [[], [contact("c-1")]])
def test_an_account_with_few_people_still_renders(contacts: list[dict[str, Any]]) -> None:
    _, page = _page(make_snapshot(contacts=contacts))
    assert len(cards(page)) == len(contacts)
