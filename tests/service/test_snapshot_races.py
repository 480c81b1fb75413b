"""Snapshot updates racing for one account: each applied whole, one after the other; nothing lost or doubled."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kamengine.engine.store.kept import KEPT_PER_ACCOUNT
from kamengine.engine.store.statuses import LIVE
from kamengine.engine.store.store import Store
from serving import serving
from support import REPO

ACME = (REPO / "examples" / "acme-telecom.yaml").read_text()


def test_racing_puts_for_one_account_leave_exactly_one_live_set(tmp_path: Path) -> None:
    # Two versions of the account (a contact warms to us and cools again): their advice differs.
    warmer = ACME.replace("stance: 0", "stance: 2", 1)
    bodies = [ACME if k % 2 else warmer for k in range(8)]
    with serving(tmp_path / "kamengine.db") as server:
        server.token("crm", "crm", "admin")

        def put(body: str) -> dict[str, object]:
            with server.client("crm") as client:
                response = client.put("/v1/accounts/acme-tel/snapshot", content=body)
                assert response.status_code == 200, response.text
                return dict(response.json())

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(put, bodies))
    store = Store(tmp_path / "kamengine.db")
    runs = list(store.db.table("runs").rows_where("source = ?", ["api:acme-tel"], order_by="started_at, id"))
    assert len(runs) == 8 and {r["status"] for r in runs} == {"finished"}
    assert sorted(r["id"] for r in runs) == sorted(str(a["run_id"]) for a in answers)
    last = max(answers, key=lambda a: str(a["run_id"]))  # run ids are ordered by when the run began
    live = store.find("acme-tel", LIVE)
    assert sorted(r["id"] for r in live) == sorted(str(r["id"]) for r in last["recommendations"])  # type: ignore[attr-defined]
    assert {r["last_run"] for r in live} == {last["run_id"]}
    # Each recommendation opened once, however many updates raced for it.
    opened = store.db.execute(
        "select recommendation_id, count(*) from status_history where status = 'open' and reason = 'new'"
        " group by recommendation_id having count(*) > 1"
    ).fetchall()
    assert opened == []
    kept = store.db.execute("select decision_id from snapshots where account_id = 'acme-tel' order by id").fetchall()
    assert len(kept) == KEPT_PER_ACCOUNT and kept[-1][0] == last["decision_id"]  # the newest, the last run's last
    assert store.db.execute("select count(*) from decisions where kind = 'refresh'").fetchone()[0] == 8
    store.close()
