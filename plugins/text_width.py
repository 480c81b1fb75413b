"""Text's width on a terminal, and the plain aligned table, without loading wcwidth or tabulate for plain text."""

from __future__ import annotations

from collections.abc import Sequence

#: Between two columns, as tabulate's "plain" format puts it.
_GAP = "  "


def width(text: str) -> int:
    """The columns ``text`` takes on a terminal, as wcwidth counts them (a CJK character two, a combining mark
    none, -1 for a control character). wcwidth (~20 ms to load) loads only for text beyond printable ASCII,
    whose every character takes one column."""
    if text.isascii() and text.isprintable():
        return len(text)
    from wcwidth import wcswidth

    return int(wcswidth(text))


def aligned(rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str | None:
    """The rows as tabulate's "plain" format lays them out: each cell stripped and padded to its column's widest
    (``right`` columns to the right), two spaces between columns, no space at a line's end. For rows of one-line
    printable cells only; None for any other (a cell of several lines, a colour code, a character wcwidth gives no
    width), which tabulate lays out. A table printed to a file or a pipe loads no tabulate, and in ASCII no wcwidth."""
    if not rows or not right or any(len(row) != len(right) for row in rows):
        return None
    cells: list[list[str]] = []  # each row's cells, stripped
    beyond: list[list[int] | None] = []  # each row's code points beyond each cell's width; None: all ASCII (none)
    for row in rows:
        joined = "".join(row)  # a character is printable, and ASCII, whatever cell it is in
        if not joined.isprintable():
            return None
        if joined.isascii():  # most rows: a column a character, no wcwidth
            cells.append([cell.strip() for cell in row])
            beyond.append(None)
            continue
        stripped = [cell.strip() for cell in row]
        taken = [len(cell) if cell.isascii() else width(cell) for cell in stripped]
        if min(taken) < 0:
            return None
        cells.append(stripped)
        beyond.append([len(cell) - columns for cell, columns in zip(stripped, taken, strict=True)])
    measured = [_taken(row, extra) for row, extra in zip(cells, beyond, strict=True)]
    widest = [max(column) for column in zip(*measured, strict=True)]
    plain = not any(right)
    lines = []
    for row, extra in zip(cells, beyond, strict=True):
        if extra is None and plain:  # ASCII to the left: each cell padded to its column's width
            lines.append(_GAP.join(map(str.ljust, row, widest)).rstrip())
            continue
        # ljust/rjust pad to code points: the room in columns plus the code points beyond the cell's width
        padded = [
            cell.rjust(room + more) if to_right else cell.ljust(room + more)
            for cell, room, more, to_right in zip(row, widest, extra or [0] * len(row), right, strict=True)
        ]
        lines.append(_GAP.join(padded).rstrip())
    return "\n".join(lines)


def _taken(row: list[str], beyond: list[int] | None) -> list[int]:
    """The columns each cell of a row takes."""
    if beyond is None:
        return list(map(len, row))
    return [len(cell) - more for cell, more in zip(row, beyond, strict=True)]
