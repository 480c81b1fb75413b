"""The service keeps the store's bounds on decisions: a snooze within a year, a reason of at most 2,000 characters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from serving import serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"


def test_a_snooze_past_a_year_and_a_long_reason_are_refused(tmp_path: Path) -> None:
    with serving(tmp_path / "k.db", auth=False) as server, server.client() as client:
        assert client.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).status_code == 200
        rec = client.get("/v1/recommendations").json()["items"][0]["id"]
        forever = client.post(f"/v1/recommendations/{rec}/snooze", json={"until": "9999-12-31", "reason": "later"})
        wordy = client.post(f"/v1/recommendations/{rec}/dismiss", json={"reason": "x" * 3000})
        huge = client.post(f"/v1/recommendations/{rec}/dismiss", json={"reason": "x" * 5_000_000})
        after = client.get(f"/v1/recommendations/{rec}").json()
        soon = (dt.date.today() + dt.timedelta(days=200)).isoformat()
        fine = client.post(f"/v1/recommendations/{rec}/snooze", json={"until": soon, "reason": "y" * 2000})
    assert forever.status_code == 422 and "9999-12-31 is more than a year ahead" in forever.json()["detail"]
    assert wordy.status_code == 422 and "at most 2,000" in wordy.json()["detail"]
    assert huge.status_code == 413  # never read: over the 64 KB a decision's body may be
    assert after["status"] == "open" and len(after["history"]) == 1
    assert fine.status_code == 200 and fine.json()["snoozed_until"] == soon
