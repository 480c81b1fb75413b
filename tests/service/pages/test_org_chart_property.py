"""Any org chart: every person has one card, under the manager ``reports_to`` names (hypothesis, the snapshot as reference)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from kamengine.engine.model.snapshot import Snapshot
from kamengine.service.pages import render_account_page
from page_parsing import cards, manager_of, parse_page


def _snapshot(bosses: list[int | None], order: list[int]) -> Snapshot:
    people = [
        {"id": f"c{i}", "name": f"P{i}", "reports_to": None if bosses[i] is None else f"c{bosses[i]}"} for i in order
    ]
    return Snapshot.model_validate({"as_of": "2026-11-20", "account": {"id": "a", "name": "A"}, "contacts": people})


@st.composite
def _forest(draw: st.DrawFn) -> tuple[list[int | None], list[int]]:
    """Each person reports to nobody, to someone earlier, or to someone not in the snapshot (-1)."""
    size = draw(st.integers(1, 25))
    bosses = [draw(st.one_of(st.none(), st.integers(-1, i - 1))) if i else None for i in range(size)]
    return bosses, draw(st.permutations(range(size)))


@settings(max_examples=60, deadline=None)
@given(_forest())
def test_each_card_sits_under_the_manager_reports_to_names(forest: tuple[list[int | None], list[int]]) -> None:
    bosses, order = forest
    page = parse_page(render_account_page(_snapshot(bosses, order), [], standalone=True))
    found = cards(page)
    assert set(found) == {f"P{i}" for i in range(len(bosses))}
    expected = {f"P{i}": None if boss is None or boss < 0 else f"P{boss}" for i, boss in enumerate(bosses)}
    assert {name: manager_of(card) for name, card in found.items()} == expected


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 15).flatmap(lambda n: st.lists(st.integers(0, n - 1), min_size=n, max_size=n)))
def test_any_reports_to_even_loops_gives_one_card_each(bosses: list[int]) -> None:
    page = parse_page(render_account_page(_snapshot(list(bosses), list(range(len(bosses)))), [], standalone=True))
    assert sorted(cards(page)) == sorted(f"P{i}" for i in range(len(bosses)))
