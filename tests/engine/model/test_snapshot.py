"""The snapshot model: the contract's fields, integrity checks and located error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kamengine.engine.errors import SnapshotError
from kamengine.engine.model.loading import load_snapshot
from support import activity, contact, make_snapshot, snapshot_data


def _problems(tmp_path: Path, text: str, name: str = "snap.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SnapshotError) as caught:
        load_snapshot(str(path))
    return [p.replace(str(tmp_path) + "/", "") for p in caught.value.problems]


def test_the_bundled_example_is_valid(example_path: str) -> None:
    snapshot = load_snapshot(example_path)
    assert snapshot.account.id == "acme-tel"
    assert snapshot.contacts[1].birthday is not None
    assert snapshot.opportunities[0].decision_groups[0].members[0].contact_id == "c-eng"


def test_json_and_yaml_give_the_same_snapshot(tmp_path: Path, example_path: str) -> None:
    from_yaml = load_snapshot(example_path)
    path = tmp_path / "snap.json"
    path.write_text(from_yaml.model_dump_json(), encoding="utf-8")
    assert load_snapshot(str(path)) == from_yaml


def test_unknown_key_names_file_line_path_and_suggestion(tmp_path: Path) -> None:
    text = "as_of: 2026-11-20\naccount:\n  id: a\n  name: A\n  tyer: key\n"
    assert _problems(tmp_path, text) == [
        "snap.yaml:5: account.tyer: unknown field 'tyer' (did you mean 'tier'?); expected one of "
        "id, name, industry, tier, strategic_partner, crisis, stage, currency, org_relationship, extra"
    ]


def test_unknown_top_level_key_is_an_error(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "as_of: 2026-11-20\naccount: {id: a, name: A}\ncontact: []\n")
    assert problems[0].startswith("snap.yaml:3: contact: unknown field 'contact' (did you mean 'contacts'?)")


def test_bad_enum_value_names_the_field_and_what_was_found(tmp_path: Path) -> None:
    text = "as_of: 2026-11-20\naccount: {id: a, name: A}\ncontacts:\n  - id: c1\n    name: C\n    stance: 5\n"
    assert _problems(tmp_path, text) == ["snap.yaml:6: contacts[0].stance: Input should be -1, 0, 1, 2 or 3 (found 5)"]


def test_missing_required_field(tmp_path: Path) -> None:
    assert _problems(tmp_path, "account: {id: a, name: A}\n") == ["snap.yaml:1: as_of: required field is missing"]


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "as_of: 2026-11-20\naccount: {id: a, name: A\ncontacts: []\n")
    assert len(problems) == 1
    assert problems[0].startswith("snap.yaml:3: invalid YAML")


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    problems = _problems(tmp_path, '{"as_of": "2026-11-20",\n "account": }\n', "snap.json")
    assert problems == ["snap.json:2: invalid JSON: Expecting value"]


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "as_of: !!python/object/apply:os.system ['echo pwned']\n")
    assert "invalid YAML" in problems[0]


def test_duplicate_yaml_keys_are_errors(tmp_path: Path) -> None:
    text = "as_of: 2026-11-20\naccount: {id: a, name: A}\nas_of: 2026-11-21\n"
    assert _problems(tmp_path, text) == ["snap.yaml:3: duplicate key 'as_of'"]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no such file"):
        load_snapshot(str(tmp_path / "nope.yaml"))
    with pytest.raises(SnapshotError, match="is a directory"):
        load_snapshot(str(tmp_path))


def test_a_list_instead_of_a_snapshot(tmp_path: Path) -> None:
    assert _problems(tmp_path, "- 1\n- 2\n") == ["snap.yaml: expected a mapping with 'as_of' and 'account', found list"]


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        ({"contacts": [contact("c1"), contact("c1")]}, "contacts[1].id: duplicate id 'c1'"),
        ({"contacts": [contact("c1", owner="u-xx")]}, "contacts[0].owner: unknown team member 'u-xx'"),
        (
            {"activities": [activity("a1", "executive_visit", "2026-01-01", "c9")]},
            "activities[0].contact_ids[0]: unknown contact 'c9'",
        ),
        (
            {"activities": [activity("a1", "exec_visit", "2026-01-01")]},
            "activities[0].type: unknown action id 'exec_visit' (did you mean 'executive_visit'?)",
        ),
        (
            {"activities": [activity("a1", "hq_tour", "2026-01-01", owner="nobody")]},
            "activities[0].owner: unknown team member 'nobody'",
        ),
        (
            {"activities": [activity("a1", "hq_tour", "2026-01-01", opportunity_id="o9")]},
            "activities[0].opportunity_id: unknown opportunity 'o9'",
        ),
        (
            {
                "opportunities": [
                    {
                        "id": "o1",
                        "name": "D",
                        "decision_groups": [{"group": "final", "members": [{"contact_id": "c7", "proximity": 1}]}],
                    }
                ]
            },
            "opportunities[0].decision_groups[0].members[0].contact_id: unknown contact 'c7'",
        ),
    ],
)
def test_integrity_problems_are_reported_with_their_path(tmp_path: Path, sections: dict, expected: str) -> None:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(snapshot_data(**sections), indent=1), encoding="utf-8")
    with pytest.raises(SnapshotError) as caught:
        load_snapshot(str(path))
    assert [p.split(": ", 1)[1] for p in caught.value.problems] == [expected]
    assert caught.value.problems[0].startswith(f"{path}:")


def test_contract_defaults() -> None:
    snapshot = make_snapshot(contacts=[{"id": "c1", "name": "C"}])
    person = snapshot.contacts[0]
    assert (person.role, person.stance, person.level, person.public_official) == (None, 0, "staff", False)
    assert snapshot.account.tier == "standard"


def test_the_org_chart_names_known_contacts_and_has_no_loops(tmp_path: Path) -> None:
    text = (
        "as_of: 2026-11-20\naccount: {id: a, name: A}\ncontacts:\n"
        "  - {id: c1, name: One, reports_to: c2}\n"
        "  - {id: c2, name: Two, reports_to: c1}\n"
        "  - {id: c3, name: Three, reports_to: c9}\n"
    )
    assert _problems(tmp_path, text) == [
        "snap.yaml:6: contacts[2].reports_to: unknown contact 'c9'",
        "snap.yaml:4: contacts[0].reports_to: reports_to makes a loop: c1 -> c2 -> c1",
    ]


def test_the_new_optional_fields_are_read(tmp_path: Path) -> None:
    text = (
        "as_of: 2026-11-20\naccount: {id: a, name: A, stage: growth}\ncontacts:\n"
        "  - {id: c1, name: One, in_role_since: 2026-10-01, previous_stance: 2, stance: 0, backs_competitor: Rival}\n"
    )
    path = tmp_path / "snap.yaml"
    path.write_text(text, encoding="utf-8")
    from kamengine.engine.model.loading import load_snapshot

    snapshot = load_snapshot(str(path))
    person = snapshot.contacts[0]
    assert (snapshot.account.stage, person.previous_stance, person.backs_competitor) == ("growth", 2, "Rival")
    assert person.in_role_since is not None and person.in_role_since.isoformat() == "2026-10-01"
