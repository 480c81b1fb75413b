"""The plain table laid out without tabulate is tabulate's, character for character; widths are wcwidth's."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import example, given, settings
from hypothesis import strategies as st
from kamengine.plugins.text_formats import table
from kamengine.plugins.text_width import aligned, width
from support import REPO
from tabulate import tabulate
from wcwidth import wcswidth

# ASCII, spaces that strip, CJK (two columns), a combining mark, emoji and a joiner, a no-break space, a tab,
# a newline and an escape: cells that take the short way and cells that must fall back to tabulate.
CHARACTERS = st.sampled_from([*"aZ9 -().:", " ", "陈", "静", "\u0301", "🙂", "\u200d", "\xa0", "\t", "\n", "\x1b", "é"])
CELLS = st.text(CHARACTERS, max_size=8)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[list[str]], list[bool]]:
    """Rows of cells, all of one length, and which columns align to the right."""
    right = draw(st.lists(st.booleans(), min_size=1, max_size=4))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(right), max_size=len(right)), min_size=1, max_size=5))
    return rows, right


@settings(max_examples=400, deadline=None)
@given(tables())
@example(([["id", " padded "], ["陈静", "x"]], [False, True]))
def test_aligned_is_tabulates_plain_layout(drawn: tuple[list[list[str]], list[bool]]) -> None:
    rows, right = drawn
    ours = aligned(rows, right)
    colalign = ["right" if r else "left" for r in right]
    theirs = tabulate(rows, tablefmt="plain", disable_numparse=True, colalign=colalign)
    if ours is not None:
        assert ours == theirs
    else:  # only what needs tabulate goes to it
        assert any(not cell.isprintable() or wcswidth(cell.strip()) < 0 for row in rows for cell in row)


@given(st.text(max_size=12))
def test_width_is_wcwidths(text: str) -> None:
    assert width(text) == wcswidth(text)


def test_a_table_says_the_same_with_tabulate_unloaded() -> None:
    rows: list[dict[str, str | None]] = [
        {"owner": "Li Wei (AR)", "priority": "99", "title": "Re-warm Wang Fang"},
        {"owner": "x", "title": None},
    ]
    code = (
        "import sys\nfrom kamengine.plugins.text_formats import table\n"
        f"print(table({rows!r}, ('owner', 'priority', 'title'), right=('priority',)), end='')\n"
        "print(sorted(m for m in ('tabulate', 'wcwidth') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    *lines, loaded = done.stdout.splitlines()
    assert loaded == "[]"
    assert "\n".join(lines) + "\n" == table(rows, ("owner", "priority", "title"), right=("priority",))
