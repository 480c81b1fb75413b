"""In the nightly batch, a stance that dropped since the last night is an event, even if the snapshot does not say so."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from kamengine.cli import main
from support import contact, snapshot_data


def _night(folder: Path, as_of: str, stance: int) -> None:
    people = [contact("c1", name="Lena", title="Director", role="D", stance=stance, owner="u-ar")]
    data = snapshot_data(as_of=as_of, contacts=people, activities=[
        {"id": "a1", "type": "regular_office_visit", "date": "2026-09-01", "contact_ids": ["c1"]},
    ])  # fmt: skip
    (folder / "acct.json").write_text(json.dumps(data), encoding="utf-8")


def test_a_drop_since_the_last_night_is_an_event(tmp_path: Path) -> None:
    folder, db = tmp_path / "p", tmp_path / "k.db"
    folder.mkdir()

    def batch() -> set[str]:
        result = CliRunner().invoke(main, ["batch", "--source", f"file:{folder}", "--db", str(db), "--workers", "1"])
        assert result.exit_code == 0, result.output
        listed = CliRunner().invoke(main, ["recs", "list", "--db", str(db), "-f", "json"]).output
        return {r["rule"] for r in json.loads(listed)}

    _night(folder, "2026-11-19", stance=2)
    assert "power-map/stance-dropped" not in batch()
    _night(folder, "2026-11-20", stance=0)  # the snapshot has no previous_stance: the store remembers 2
    assert "power-map/stance-dropped" in batch()
