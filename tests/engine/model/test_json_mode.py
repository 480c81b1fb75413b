"""A JSON snapshot validated through pydantic's JSON mode gives what the checked parse gives: the same snapshot, or
the same messages (duplicate keys and NaN included), for one line of JSON Lines and for a whole file."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kamengine.engine.errors import SnapshotError
from kamengine.engine.model import documents, json_mode
from kamengine.engine.model.actions import ActionCatalogue
from kamengine.engine.model.documents import Document
from kamengine.engine.model.loading import snapshot_from_document, snapshot_from_json, snapshot_from_text
from kamengine.engine.model.snapshot import Snapshot

ACTIONS = ActionCatalogue()
#: Every field of the contract set somewhere, objects inside objects (``extra``, questions, roles, groups).
RICH: dict[str, Any] = {
    "schema_version": 1,
    "as_of": "2026-11-20",
    "account": {
        "id": "acme",
        "name": "Acme: Telecom",  # a ':' in a string: the key count cuts the strings out
        "industry": "telecom",
        "tier": "key",
        "strategic_partner": True,
        "crisis": False,
        "stage": "growth",
        "currency": "EUR",
        "org_relationship": {"communication": 2, "matching": 1, "joint": 0, "recognition": 3},
        "extra": {"region": "EU", "scores": [1, 2.5, {"q": {"deep": None}}], "empty": {}},
    },
    "contacts": [
        {
            "id": "c1",
            "name": "Ann",
            "title": "CTO",
            "department": "IT",
            "level": "executive",
            "role": "D",
            "stance": 1,
            "rising_star": False,
            "public_official": False,
            "birthday": "1975-03-02",
            "interests": ["golf", "jazz"],
            "owner": "u1",
            "reports_to": None,
            "in_role_since": "2025-01-01",
            "previous_stance": 0,
            "backs_competitor": None,
            "previous_role": {"title": "VP", "until": "2024-12-31"},
            "replaced_by": None,
            "moved_to": None,
            "open_questions": [{"asked": "2026-11-01", "by": "c1", "text": "When?", "answered": None}],
            "extra": {"linkedin": "https://example.com/ann"},
        },
        {"id": "c2", "name": "Bob", "reports_to": "c1", "owner": "u1", "stance": -1},
    ],
    "opportunities": [
        {
            "id": "o1",
            "name": "Core",
            "stage": "bidding",
            "value": 1500000.5,
            "close_date": "2027-02-01",
            "decision_groups": [
                {"group": "technical", "members": [{"contact_id": "c1", "proximity": 1}]},
                {"group": "final", "members": [{"contact_id": "c2", "proximity": 2}]},
            ],
        }
    ],
    "activities": [
        {
            "id": "a1",
            "type": "technical_exchange",
            "date": "2026-10-01",
            "contact_ids": ["c1", "c2"],
            "opportunity_id": "o1",
            "owner": "u1",
            "open_questions": [{"asked": "2026-10-01", "by": "c2", "text": "Price?"}],
        }
    ],
    "team": [{"id": "u1", "name": "Una", "role": "AR", "level": "senior", "email": "una@example.com"}],
}


def _one_line(text: str) -> Any:
    """The outcome of one line of JSON Lines, through JSON mode and through the checked parse."""
    origin = "p.jsonl:3"
    checked = _outcome(
        lambda: snapshot_from_document(
            Document(documents.parse_json(text, origin, SnapshotError, one_line=True), origin), ACTIONS
        )
    )
    return _outcome(lambda: snapshot_from_json(text, origin, ACTIONS)), checked


def _file(text: str) -> Any:
    """The outcome of a whole snapshot file, through JSON mode and through the checked parse."""
    checked = _outcome(
        lambda: snapshot_from_document(documents.parse(text, "s.json", SnapshotError, aliases=False), ACTIONS)
    )
    return _outcome(lambda: snapshot_from_text(text, "s.json", ACTIONS)), checked


def _outcome(validate: Any) -> tuple[Any, ...]:
    """The snapshot (its repr shows each value's type; unset fields say which keys were given), or the messages."""
    try:
        snapshot: Snapshot = validate()
    except SnapshotError as exc:
        return "refused", exc.problems, exc.paths
    return "valid", repr(snapshot), snapshot.model_dump_json(exclude_unset=True)


def _dumps(value: Any, twice: tuple[Any, ...] | None = None, path: tuple[Any, ...] = (), **options: Any) -> str:
    """``json.dumps`` that, with ``twice`` = (object path, key, value), writes that key of that object once more."""
    if isinstance(value, dict):
        pairs = [(json.dumps(k), _dumps(v, twice, (*path, k), **options)) for k, v in value.items()]
        if twice is not None and twice[0] == path:
            pairs.append((json.dumps(twice[1]), json.dumps(twice[2])))
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dumps(v, twice, (*path, i), **options) for i, v in enumerate(value)) + "]"
    return json.dumps(value, **options)


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``value``."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _places(item, (*path, index))
    return found


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


TRICKY = st.sampled_from(
    [True, False, None, 0, 1, -1, 2, 3, 4, 1.0, 0.5, -0.0, "1", "true", "", "x", "2026-01-01", "2026-01-01T00:00:00",
     "2026-01-01T10:00:00", "20260101", "0527-07-22", "2200-01-01", "1e3", 1e18, 1e19, 10**30, 86400, [], {}, ["c1"],
     {"a": 1}, "a:b", 'q"uote', "é", "AR", "executive", "won", "final", "technical_exchange", "c1", "u1", "o1"]
)  # fmt: skip
VALUES = st.recursive(
    TRICKY | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
KEYS = st.sampled_from(["id", "name", "stance", "extra", "members", "tyer", "as_of", "x:y", "open_questions", "date"])


def _alike(value: Any) -> list[Any]:
    """Values near ``value``, most of them still valid where it stands: a number as another type of number or as
    text, a date written otherwise, a flag as a number."""
    if isinstance(value, bool):
        return [not value, int(value), str(value).lower(), None]
    if isinstance(value, int | float):
        return [int(value), float(value), str(value), value + 1, -value, value * 1e12, True, None]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return [value + "T00:00:00", value + "T00:00:00Z", value.replace("-", ""), "19" + value[2:], None, value]
    if isinstance(value, str):
        return [value + ":", value.upper(), "", value * 2, f"{value}\u00e9", None]
    if isinstance(value, list):
        return [value[:1], value * 2, [], None]
    if isinstance(value, dict):
        return [{}, dict(list(value.items())[:1]), None]
    return [None, 0, ""]


@st.composite
def documents_(draw: st.DrawFn) -> tuple[Any, tuple[Any, ...] | None]:
    """RICH with a few changes: a value replaced, a key removed or added; sometimes a key written twice."""
    data = copy.deepcopy(RICH)
    for _ in range(draw(st.integers(0, 2))):
        path = draw(st.sampled_from(_places(data)[1:]))
        parent, last = _at(data, path[:-1]), path[-1]
        change = draw(st.sampled_from(["alike", "alike", "replace", "remove", "add"]))
        if change == "alike":
            parent[last] = draw(st.sampled_from(_alike(parent[last])))
        elif change == "replace":
            parent[last] = draw(VALUES)
        elif change == "remove":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(KEYS)] = draw(VALUES)
        if not _places(data)[1:]:
            break
    twice = None
    objects = [path for path in _places(data) if isinstance(_at(data, path), dict) and _at(data, path)]
    if objects and draw(st.sampled_from([False, False, False, True])):
        path = draw(st.sampled_from(objects))
        twice = (path, draw(st.sampled_from(sorted(_at(data, path)))), draw(VALUES))
    return data, twice


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_(), st.booleans())
def test_json_mode_gives_what_the_checked_parse_gives(document: tuple[Any, Any], ascii_only: bool) -> None:
    data, twice = document
    line = _dumps(data, twice, ensure_ascii=ascii_only)
    new, checked = _one_line(line)
    assert new == checked
    new, checked = _file(line.replace(", ", ",\n "))
    assert new == checked


def test_a_valid_snapshot_takes_json_mode_and_every_key_is_counted() -> None:
    """The key count covers every object of the contract (a missed one would send every snapshot the slow way)."""
    for text in (json.dumps(RICH), json.dumps(RICH, indent=2), json.dumps(RICH, separators=(",", ":"))):
        snapshot = json_mode.validated(text)
        assert snapshot is not None and snapshot == Snapshot.model_validate(RICH)
    assert _one_line(json.dumps(RICH))[0][0] == "valid"


@pytest.mark.parametrize(
    ("twice", "key"),
    [
        (((), "opportunities", []), "opportunities"),
        ((("contacts", 1), "stance", 3), "stance"),
        ((("account", "extra", "scores", 2), "q", 1), "q"),
        ((("opportunities", 0, "decision_groups", 1, "members", 0), "proximity", 1), "proximity"),
        ((("account", "extra"), "region", "EU"), "region"),  # the same value twice is refused too
    ],
)
def test_a_key_written_twice_is_refused_with_the_checked_message(twice: tuple[Any, ...], key: str) -> None:
    line = _dumps(RICH, twice)
    assert json_mode.validated(line) is None
    new, checked = _one_line(line)
    assert new == checked == ("refused", [f"p.jsonl:3: duplicate key '{key}'"], [None])
    text = _dumps(RICH, twice, indent=1).replace(", ", ",\n ")
    new, checked = _file(text)
    assert new == checked and new[0] == "refused" and f"duplicate key '{key}'" in new[1][0]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_as_before(constant: str) -> None:
    line = json.dumps(RICH).replace('"region": "EU"', f'"region": {constant}')
    new, checked = _one_line(line)
    assert new == checked
    assert new == ("refused", [f"p.jsonl:3: invalid JSON: {constant} is not a number kamengine accepts"], [None])


def test_integrity_problems_keep_their_lines() -> None:
    data = copy.deepcopy(RICH)
    data["activities"][0]["contact_ids"] = ["c2", "c-nobody"]
    text = json.dumps(data, indent=1)
    new, checked = _file(text)
    assert new == checked and new[0] == "refused"
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if '"c-nobody"' in t)
    assert new[1] == [f"s.json:{line}: activities[0].contact_ids[1]: unknown contact 'c-nobody'"]
