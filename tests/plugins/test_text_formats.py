"""The one table renderer: terminal width, Chinese text, colour only on a terminal; CSV for spreadsheets and Excel."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kamengine.plugins.text_formats import Layout, csv_text, markdown, table
from wcwidth import wcswidth

ROWS = [
    {
        "owner": "陈静 (AD)",
        "priority": "432.89",
        "title": "新任职：我们的高管拜会玛尔塔·维达尔（首席执行官），已上任67天",
    },
    {"owner": "Li Wei (AR)", "priority": "99", "title": "Re-warm Wang Fang (Director General): not met for 66 days"},
]


def _starts(line: str, column: str, header: str) -> int:
    """The display column where ``column``'s text starts in ``line``, by the header's position."""
    return wcswidth(header[: header.index(column)])


def test_columns_line_up_by_display_width_with_chinese_text() -> None:
    lines = table(ROWS, ("owner", "priority", "title")).splitlines()
    header = lines[0]
    for line in lines[2:]:
        # The text before the title is exactly as wide, on the screen, as the header before "title".
        title_at = line.index("新") if "新" in line else line.index("Re-warm")
        assert wcswidth(line[:title_at]) == _starts(line, "title", header)
    assert lines[1].split() == ["-----", "--------", "-----"]  # each header underlined by its own width


def test_the_last_column_wraps_to_the_terminal_width_and_the_rest_stay_whole() -> None:
    lines = table(ROWS, ("owner", "priority", "title"), layout=Layout(width=50)).splitlines()
    assert all(wcswidth(line) <= 50 for line in lines)
    assert lines[2].startswith("陈静 (AD)    432.89")
    continued = [line for line in lines if line.startswith(" ")]
    assert continued and all(line.startswith(" " * wcswidth("Li Wei (AR)  priority  ")) for line in continued)
    assert "".join(line.split("  ")[-1].strip() for line in lines[2:-2]).startswith("新任职：我们的高管拜会")


@given(st.lists(st.text(alphabet="ab 陈静复盘-x", min_size=1, max_size=60), min_size=1, max_size=5))
def test_no_line_is_wider_than_the_terminal_when_the_other_columns_fit(titles: list[str]) -> None:
    rows = [{"owner": "Li Wei (AR)", "title": title} for title in titles]
    for line in table(rows, ("owner", "title"), layout=Layout(width=40)).splitlines():
        assert wcswidth(line) <= 40


def test_notes_go_under_their_row_in_the_last_column_and_colour_only_when_asked() -> None:
    plain = table(ROWS[:1], ("owner", "title"), notes=[["! needs compliance approval"]]).splitlines()
    assert plain[3] == " " * wcswidth("陈静 (AD)  ") + "! needs compliance approval"
    assert "\x1b" not in "".join(plain)
    coloured = table(ROWS[:1], ("owner", "title"), notes=[["! x"]], layout=Layout(width=80, color=True))
    assert "\x1b[1mowner\x1b[0m" in coloured and "\x1b[33m! x\x1b[0m" in coloured


def test_control_characters_in_data_are_shown_not_acted_on() -> None:
    rendered = table([{"name": "Ana\r\nRuiz\x1b[2J"}], ("name",))
    assert "Ana\\r\\nRuiz\\x1b[2J" in rendered and "\x1b" not in rendered


@pytest.mark.parametrize("tty", [False, True])
def test_the_layout_is_the_terminal_s_only_on_a_terminal(tty: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    monkeypatch.setenv("COLUMNS", "77")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert Layout.for_stream(Stream()) == (Layout(77, color=True) if tty else Layout())
    monkeypatch.setenv("NO_COLOR", "1")
    assert Layout.for_stream(Stream()).color is False


def test_markdown_escapes_pipes_and_puts_list_items_on_lines() -> None:
    text = markdown([{"title": "a | b", "why": ["first", "second"]}], ("title", "why")).splitlines()
    assert [cell.strip() for cell in text[2].split(" | ")] == ["| a \\| b", "first<br>second |"]


def test_csv_cells_never_start_a_formula_but_numbers_stay_numbers() -> None:
    text = csv_text([{"name": "=HYPERLINK(1)", "change": -0.5, "tags": ["-x", "y"]}], ("name", "change", "tags"))
    assert text == "name,change,tags\n'=HYPERLINK(1),-0.5,'-x; y\n"


def test_csv_for_excel_has_the_byte_order_mark_and_crlf() -> None:
    text = csv_text([{"name": "陈静"}], ("name",), excel=True)
    assert text == "\ufeffname\r\n陈静\r\n"
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == [["name"], ["陈静"]]
