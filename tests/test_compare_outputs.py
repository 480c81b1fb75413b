"""benchmarks/compare_outputs.py's normaliser hides what differs between two runs of the same code, and nothing else."""

from __future__ import annotations

import importlib.util
import sys
import threading
import urllib.request
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "compare_outputs.py"


@pytest.fixture(scope="module")
def compare() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_outputs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["compare_outputs"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_run_and_decision_ids_timestamps_and_tokens_are_normalised(compare: ModuleType) -> None:
    normalise = compare.Normaliser.standard()
    text = (
        '"first_run": "run-20261207T095836865381Z", "id": "dec-0123456789abcdef0123",'
        ' "started_at": "2026-12-07T09:58:40+00:00", "status_at": "2026-12-07 09:58:40.123456"\n'
        "DTSTAMP:20261207T095931Z\n"
        'kamengine serving on http://127.0.0.1:18765 <input type="hidden" name="csrf" value="b0bf0a73">\n'
        "5 accounts, 4 accounts/s, 0 failed; wrote /tmp/tmpab12cd_x/store.db"
    )
    assert normalise(text) == (
        '"first_run": "run-<id>", "id": "dec-<id>",'
        ' "started_at": "<timestamp>", "status_at": "<timestamp>"\n'
        "DTSTAMP:<timestamp>\n"
        'kamengine serving on http://127.0.0.1:<port> <input type="hidden" name="csrf" value="<csrf>">\n'
        "5 accounts, <n> accounts/s, 0 failed; wrote <tmp>/store.db"
    )
    assert normalise.hits["run ids"] == 1 and normalise.hits["timestamps (ISO 8601)"] == 2


def test_dates_priorities_and_ids_of_the_advice_are_kept(compare: ModuleType) -> None:
    normalise = compare.Normaliser.standard()
    text = (
        '"due": "2026-11-27", "as_of": "2026-11-20", "priority": 432.89, "id": "rec-694fae00dec378d9"\n'
        "2026-12-07 Mon  Globex Energy  226.44  Review the plan: it closes in 56 days\n"
        "DTSTART;VALUE=DATE:20261209\n"
        "week 2026-W50: leads 5 customer meetings"
    )
    assert normalise(text) == text
    assert not normalise.hits


def test_a_side_s_folders_are_named_before_the_other_rules(compare: ModuleType) -> None:
    work, venv = Path("/tmp/kamengine-compare-now-x1"), Path("/work/main/.venv")
    normalise = compare.Normaliser.standard().with_paths({work: "<workdir>", venv: "<venv>", venv.parent: "<checkout>"})
    text = f"{work}/home/kamengine.db {venv}/bin/kamengine {venv.parent}/examples"
    assert normalise(text) == "<workdir>/home/kamengine.db <venv>/bin/kamengine <checkout>/examples"
    assert "paths (<workdir>)" in normalise.describe()


def test_picks_spread_over_the_listing_with_the_account_director_first(compare: ModuleType) -> None:
    rows = [
        {"id": f"rec-{n:02}", "account_id": f"acct-{n % 3}", "owner": {"id": f"u-{n % 4}"} if n % 5 else None}
        for n in range(11)
    ]
    rows[3]["owner"] = {"id": "u-ad"}
    picks = compare.Picks.from_listing(compare.json.dumps(rows))
    assert picks.ids == ["rec-00", "rec-02", "rec-04", "rec-06", "rec-08", "rec-10"]
    assert picks.accounts == ["acct-0", "acct-1", "acct-2"]
    assert picks.owners == ["u-ad", "u-0", "u-1", "u-2", "u-3"]


def test_path_parameters_are_filled_from_the_picks(compare: ModuleType) -> None:
    picks = compare.Picks(ids=["rec-a", "rec-b", "rec-c"], accounts=["acme-tel", "initech"], owners=["u-ad", "u-ar"])
    assert compare.fill("/v1/recommendations/{rec_id}", picks) == [
        "/v1/recommendations/rec-a",
        "/v1/recommendations/rec-b",
    ]
    assert compare.fill("/v1/calendar/{owner}.ics", picks) == ["/v1/calendar/u-ad.ics", "/v1/calendar/u-ar.ics"]
    assert compare.fill("/v1/things/{thing}", picks) == []


def test_what_the_emitters_delivered_is_read_from_out_and_the_sink(compare: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "out" / "calendars").mkdir(parents=True)
    (tmp_path / "out" / "advice.csv").write_text("id,title\n", encoding="utf-8")
    (tmp_path / "out" / "calendars" / "u-ad.ics").write_text("BEGIN:VCALENDAR\n", encoding="utf-8")
    side = compare.Side("now", Path("/venv"), Path("/checkout"), tmp_path)
    sink = compare.WebhookSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    try:
        post = urllib.request.Request(sink.url, data=b'{"chunk": 1}', headers={"Content-Type": "application/json"})
        urllib.request.urlopen(post, timeout=10).close()
        outcome = compare.delivered(side, sink)
    finally:
        sink.shutdown()
        sink.server_close()
    assert outcome.status == "2 files"
    assert outcome.out == "=== advice.csv\nid,title\n\n=== calendars/u-ad.ics\nBEGIN:VCALENDAR\n"
    assert outcome.err == 'POST /hook (content-type: application/json, idempotency-key: None)\n{\n  "chunk": 1\n}'
    assert sink.drain() == ""
