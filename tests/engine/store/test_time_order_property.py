"""Over any sequence of nights, the store takes exactly the runs a plain reference says time allows."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from kamengine.engine.model.rows import account_advice, kept_snapshot
from kamengine.engine.store.store import Store
from kamengine.engine.store.time_order import TimeOrder, TimeOrderError
from support import contact, make_snapshot

TODAY = dt.date(2026, 12, 7)
nights = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.integers(min_value=-6, max_value=5), st.booleans()),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(nights)
def test_a_night_is_taken_exactly_when_it_is_neither_before_the_account_s_last_nor_past_future_days(
    runs: list[tuple[str, int, bool]],
) -> None:
    """Each run is one account's night, ``offset`` days from today, with or without its snapshot kept."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "k.db")
        store.time_order = TimeOrder(future_days=2, today=lambda: TODAY)
        last: dict[str, dt.date] = {}
        try:
            for account, offset, keep in runs:
                night = TODAY + dt.timedelta(days=offset)
                snapshot = make_snapshot(
                    as_of=night.isoformat(),
                    account={"id": account, "name": account.upper()},
                    contacts=[contact("c1", name="P", stance=1)],
                )
                advice = account_advice(snapshot, [], kept_snapshot(snapshot) if keep else None)
                allowed = offset <= 2 and night >= last.get(account, night)
                try:
                    store.apply(store.start_run("t")[0], advice)
                except TimeOrderError:
                    assert not allowed
                else:
                    assert allowed
                    last[account] = night
        finally:
            store.close()
