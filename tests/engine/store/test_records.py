"""What people ask of the store by hand: ids by prefix, pages, one item with its history, decisions on several."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from kamengine.engine.errors import UsageError
from kamengine.engine.store import records
from kamengine.engine.store.store import Store, StoreError
from support import activity, builtin_advisor, contact, make_snapshot


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A store holding one run's advice for an account of three contacts (nine recommendations)."""
    people = [contact(f"c{n}", name=f"P{n}", role="E", stance=-1) for n in range(3)]
    visits = [activity(f"a{n}", "project_office_visit", "2026-11-01", f"c{n}") for n in range(3)]
    snapshot = make_snapshot(as_of="2026-11-20", contacts=people, activities=visits)
    opened = Store(tmp_path / "k.db")
    run_id, _ = opened.start_run("test")
    opened.apply_advice(run_id, snapshot, builtin_advisor().advise(snapshot).recommendations)
    return opened


def _ids(store: Store) -> list[str]:
    return sorted(r["id"] for r in store.find())


def test_an_id_is_found_by_any_unique_start_with_or_without_rec(store: Store) -> None:
    whole = _ids(store)[0]
    assert records.resolve(store, whole) == whole
    shortest = next(n for n in range(5, len(whole)) if sum(i.startswith(whole[:n]) for i in _ids(store)) == 1)
    assert records.resolve(store, whole[:shortest]) == whole
    assert records.resolve(store, whole[4:shortest]) == whole  # "rec-" left out


def test_an_ambiguous_start_lists_its_candidates_and_an_unknown_one_the_nearest(store: Store) -> None:
    with pytest.raises(StoreError, match="'rec-' is the start of more than one id") as raised:
        records.resolve(store, "rec-")
    assert all(i in str(raised.value) for i in _ids(store))
    near = _ids(store)[0][:-1] + ("0" if _ids(store)[0][-1] != "0" else "1")
    with pytest.raises(StoreError, match=f"no recommendation '{near}' in .*did you mean '{_ids(store)[0]}'"):
        records.resolve(store, near)
    with pytest.raises(StoreError, match="no recommendation 'zzz'"):
        records.resolve(store, "zzz")


def test_pages_cover_the_list_once_soonest_due_first(store: Store) -> None:
    everything = records.list_page(store, limit=0)
    assert everything.total == len(everything.rows) == 9 and not everything.more
    keys = [(r["due"], -r["priority"]) for r in everything.rows]
    assert keys == sorted(keys)
    pages = [records.list_page(store, limit=4, page=n) for n in (1, 2, 3)]
    assert [(p.first, len(p.rows), p.more) for p in pages] == [(1, 4, True), (5, 4, True), (9, 1, False)]
    assert [r["id"] for p in pages for r in p.rows] == [r["id"] for r in everything.rows]
    assert records.list_page(store, statuses=["done"]).total == 0
    assert records.list_page(store, owner="u-nobody").rows == []
    with pytest.raises(UsageError, match="not page 0"):
        records.list_page(store, page=0)


def test_show_gives_every_field_and_the_history(store: Store) -> None:
    rec_id = _ids(store)[0]
    store.change(rec_id, "accepted", "li.wei", "on it")
    shown = records.show(store, rec_id[:12])
    assert shown["id"] == rec_id and shown["status"] == "accepted" and "evidence" in shown
    assert [(h["status"], h["by"], h["reason"]) for h in shown["history"]] == [
        ("open", "kamengine", "new"),
        ("accepted", "li.wei", "on it"),
    ]


def test_one_decision_on_several_ids_makes_each_it_can(store: Store) -> None:
    first, second = _ids(store)[:2]
    store.change(second, "done", "li.wei")
    decided = records.decide(store, [first[:10], "nope", second], "dismissed", "li.wei", "not for us")
    assert [d.row["status"] if d.row else None for d in decided] == ["dismissed", None, None]
    assert "no recommendation 'nope'" in str(decided[1].error)
    assert "is done; reopen it first" in str(decided[2].error)


def test_a_mistaken_decision_changes_nothing(store: Store) -> None:
    rec_id = _ids(store)[0]
    with pytest.raises(UsageError, match="a dismissal needs a reason"):
        records.decide(store, [rec_id], "dismissed", "li.wei")
    with pytest.raises(UsageError, match="is in the past"):
        records.decide(store, [rec_id], "snoozed", "li.wei", until=dt.date(2026, 11, 1), today=dt.date(2026, 11, 2))
    assert store.get(rec_id)["status"] == "open"
