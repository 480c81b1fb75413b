"""The org chart's loop check: linear in the contacts, and saying exactly what the plain walk from each contact says."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import given
from hypothesis import strategies as st
from kamengine.engine.model.snapshot import Contact, _reporting_loops
from support import make_snapshot


def _reference(contacts: list[Contact]) -> Iterable[tuple[object, str]]:
    """The first, quadratic check: walk up from every contact, looking back along the line walked."""
    boss = {c.id: c.reports_to for c in contacts}
    reported: set[str] = set()
    for index, contact in enumerate(contacts):
        line, current = [contact.id], boss.get(contact.id)
        while current is not None and current in boss and current not in line:
            line.append(current)
            current = boss[current]
        if current == contact.id and contact.id not in reported:
            reported.update(line)
            yield ("contacts", index, "reports_to"), "reports_to makes a loop: " + " -> ".join([*line, contact.id])


def _contacts(bosses: list[int | None]) -> list[Contact]:
    return [Contact(id=f"c{i}", name="N", reports_to=None if b is None else f"c{b}") for i, b in enumerate(bosses)]


@given(
    st.integers(1, 12).flatmap(lambda n: st.lists(st.one_of(st.none(), st.integers(0, n + 1)), min_size=n, max_size=n))
)
def test_the_same_loops_and_words_as_the_walk_from_each_contact(bosses: list[int | None]) -> None:
    contacts = _contacts(bosses)
    assert list(_reporting_loops(contacts)) == list(_reference(contacts))


def test_a_twenty_thousand_contact_chain_validates() -> None:
    # c0 reports to nobody, each next one to the one before: one long line, no loop
    chain = [{"id": f"c{i}", "name": "N", **({"reports_to": f"c{i - 1}"} if i else {})} for i in range(20_000)]
    snapshot = make_snapshot(contacts=chain)
    assert len(snapshot.contacts) == 20_000
    looped = _contacts([19_999, *range(19_999)])  # c0 reports to the last: the whole chain is one loop
    [(path, message)] = list(_reporting_loops(looped))
    assert path == ("contacts", 0, "reports_to")
    assert message.startswith("reports_to makes a loop: c0 -> c19999 -> c19998") and message.endswith("c1 -> c0")
