"""Records as text, the same way for every command and emitter: one table renderer, Markdown, CSV, JSON, JSON lines."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from kamengine.toolkit import printable

from .text_width import aligned, width

TEXT_FORMATS = ("table", "json", "jsonl", "csv", "markdown")

#: The narrowest the wrapped column gets on a narrow terminal: narrower would be one word a line.
_MIN_FIT = 16
#: ANSI colours of a note by its mark: compliance (!) stands out, explanations (·) recede.
_NOTE_COLOURS = {"!": "33", "·": "2"}
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
#: What a spreadsheet takes for the start of a formula (=HYPERLINK(...) runs when the file is opened).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Layout:
    """Where a table goes: how many columns it may take (None: as wide as it needs) and whether in colour."""

    width: int | None = None
    color: bool = False

    @classmethod
    def for_stream(cls, stream: IO[str]) -> Layout:
        """A terminal's width and colour (unless NO_COLOR is set); a file or a pipe gets neither."""
        try:
            terminal = stream.isatty()
        except (AttributeError, ValueError):  # a closed or stream-like object without a terminal
            terminal = False
        if not terminal:
            return cls()
        return cls(shutil.get_terminal_size().columns, color=not os.environ.get("NO_COLOR"))


#: Text for a file or a pipe: as wide as it needs, no colour.
PLAIN = Layout()


def text(value: Any) -> str:
    """A value as a cell shows it: lists joined with commas, nothing for None, JSON for the rest."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.12g}"
    if isinstance(value, list | tuple):
        return ", ".join(text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    headers: Mapping[str, str] | None = None,
    notes: Sequence[Sequence[str]] = (),
    right: Collection[str] = (),
    layout: Layout = PLAIN,
) -> str:
    """An aligned table for people. The last column is the one that wraps to fit ``layout.width``;
    ``notes[i]`` are lines shown under row ``i`` in that column (``! compliance``, ``+ also``)."""
    values = [[row.get(c) for c in columns] for row in rows]
    return table_of_values(values, columns, headers=headers, notes=notes, right=right, layout=layout)


def table_of_values(
    rows: Sequence[Sequence[Any]],
    columns: Sequence[str],
    *,
    headers: Mapping[str, str] | None = None,
    notes: Sequence[Sequence[str]] = (),
    right: Collection[str] = (),
    layout: Layout = PLAIN,
) -> str:
    """``table`` of rows given as their values in ``columns`` order (no mapping made for each row)."""
    named = headers or {}
    head = [named.get(c, c.replace("_", " ")) for c in columns]
    body: list[list[str]] = []
    for index, values in enumerate(rows):
        body.append(_cells(values))
        for note in notes[index] if index < len(notes) else ():
            body.append([""] * (len(columns) - 1) + [_coloured(_cell(note), layout.color)])
    # The header and its underline are rows, so that each column is as wide as its widest cell (tabulate
    # pads headers by two more) and the underline as wide as the header, as people underline.
    rule = ["-" * width(h) for h in head]
    if layout.color:
        head = [f"\x1b[1m{h}\x1b[0m" for h in head]
    wrap = _fit(body, head, layout.width)
    # Nothing to wrap: laid out here as tabulate would, without loading it (a command's first answer is sooner).
    rendered = aligned([head, rule, *body], [c in right for c in columns]) if wrap is None else None
    if rendered is not None and not rendered.endswith("\n"):
        return rendered + "\n"  # its lines end without spaces already (an empty last line is dropped below)
    if rendered is None:
        from tabulate import tabulate

        rendered = tabulate(
            [head, rule, *body], tablefmt="plain", disable_numparse=True, colalign=_alignment(columns, right),
            maxcolwidths=wrap, break_on_hyphens=False,
        )  # fmt: skip
    return "\n".join(line.rstrip() for line in rendered.splitlines()) + "\n"


def _cells(values: Sequence[Any]) -> list[str]:
    """A row's values as its cells show them (``text``, made ``printable``)."""
    if all(type(v) is str for v in values):
        joined = "".join(values)
        if joined.isascii() and joined.isprintable():  # most rows: every cell is already what it shows
            return list(values)
    return [_cell(text(v)) for v in values]


def _cell(value: str) -> str:
    """``printable(value)``; printable ASCII (most cells) is already, and is checked faster than translated."""
    return value if value.isascii() and value.isprintable() else printable(value)


def _alignment(columns: Sequence[str], right: Collection[str]) -> list[str]:
    return ["right" if c in right else "left" for c in columns]


def _fit(body: list[list[str]], head: list[str], room_for: int | None) -> list[int | None] | None:
    """How wide the last column may be so that a row fits ``room_for`` columns; the other columns keep their width."""
    if room_for is None or not head:
        return None

    def widest(column: int) -> int:
        cells = [head[column], *(row[column] for row in body)]
        return max(max(width(line) for line in _plain(cell).splitlines() or [""]) for cell in cells)

    taken = sum(widest(c) + 2 for c in range(len(head) - 1))
    room = max(room_for - taken, _MIN_FIT)
    return [None] * (len(head) - 1) + [room] if widest(len(head) - 1) > room else None


def _plain(cell: str) -> str:
    return _COLOUR.sub("", cell)


def _coloured(note: str, color: bool) -> str:
    code = _NOTE_COLOURS.get(note[:1])
    return f"\x1b[{code}m{note}\x1b[0m" if color and code else note


def markdown(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], headers: Mapping[str, str] | None = None
) -> str:
    """A GitHub-flavoured Markdown table: a list's items as lines (``<br>``), ``|`` escaped, controls shown."""
    from tabulate import tabulate

    named = headers or {}
    head = [named.get(c, c) for c in columns]
    body = [[_markdown_cell(row.get(c)) for c in columns] for row in rows]
    return str(tabulate(body, headers=head, tablefmt="github", disable_numparse=True)) + "\n"


def markdown_text(value: str) -> str:
    """Text as Markdown shows it and never runs it: HTML (``<img onerror=...>``) and entities are escaped, and the
    ``](`` that makes ``[click](javascript:...)`` a link or an image; control characters are shown. Markdown
    renders the HTML a text carries, so a name must never be markup."""
    import html

    return html.escape(printable(value), quote=False).replace("](", "\\](")


def _markdown_cell(value: Any) -> str:
    """A cell of one line: a list's items on lines of their own (``<br>``), each escaped, ``|`` escaped."""
    lines = value if isinstance(value, list | tuple) else [value]
    return "<br>".join(markdown_text(text(line)) for line in lines).replace("|", "\\|")


def spreadsheet_safe(value: Any) -> Any:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading apostrophe."""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], excel: bool = False) -> str:
    """CSV with a header row; lists joined with ``; ``. ``excel``: the byte-order mark and CRLF line ends
    Excel needs to read UTF-8 (Chinese names) as UTF-8."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if excel else "\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
    return ("\ufeff" if excel else "") + buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    """Texts safe for a spreadsheet; numbers stay numbers (-0.5 is not a formula). A carriage return is a line
    break: the writer quotes a cell with one (it quoted only "\n"), so a cell never splits into a row that
    starts a formula."""
    if isinstance(value, list | tuple):
        value = "; ".join(text(item) for item in value)
    if not isinstance(value, str):
        return text(value)
    return spreadsheet_safe(value.replace("\r\n", "\n").replace("\r", "\n"))


def json_text(documents: Sequence[Any]) -> str:
    """A JSON array, indented, non-ASCII kept as it is."""
    try:  # the standard library indents in pure Python: a quarter of a served /v1/advise; orjson in C
        import orjson
    except ImportError:  # Python 3.13+, where kamengine does not install it
        return json.dumps(documents, indent=2, ensure_ascii=False) + "\n"
    try:
        return orjson.dumps(documents, option=orjson.OPT_INDENT_2).decode() + "\n"
    except TypeError:  # beyond what orjson writes (an integer over 64 bits): the standard library's way
        return json.dumps(documents, indent=2, ensure_ascii=False) + "\n"


def jsonl_text(documents: Iterable[Any]) -> str:
    """One JSON document per line."""
    return "".join(json.dumps(document, ensure_ascii=False) + "\n" for document in documents)
