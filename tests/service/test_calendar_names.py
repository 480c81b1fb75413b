"""A calendar's owner comes from the URL: any name gives a calendar (or a refusal), never a server path."""

from __future__ import annotations

from pathlib import Path

from serving import serving
from support import REPO

ACME = REPO / "examples" / "acme-telecom.yaml"


def test_odd_owner_names_give_calendars_and_no_server_path(tmp_path: Path) -> None:
    with serving(tmp_path / "k.db") as server:
        server.token("admin", "crm", "admin")
        server.token("member", "u-ar", "read")
        with server.client("admin") as admin, server.client("member") as member:
            assert admin.put("/v1/accounts/acme-tel/snapshot", content=ACME.read_bytes()).status_code == 200
            odd = [admin.get(f"/v1/calendar/{name}.ics") for name in ("a" * 300, "..%00", "..", "u-ar")]
            refused = member.get(f"/v1/calendar/{'b' * 300}.ics")
    assert [a.status_code for a in odd] == [200] * len(odd)
    assert all(a.text.startswith("BEGIN:VCALENDAR") for a in odd)
    assert "BEGIN:VEVENT" in odd[-1].text  # the real owner's calendar has their meetings
    assert refused.status_code == 403
    for answer in (*odd, refused):
        assert "/tmp" not in answer.text and "kamengine-ics" not in answer.text
