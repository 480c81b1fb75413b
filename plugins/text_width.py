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
    cells: list[list[tuple[str, int]]] = []  # each cell stripped, with the code points it has beyond its width
    for row in rows:
        measured = []
        for cell in row:
            if not cell.isprintable():
                return None
            cell = cell.strip()
            if cell.isascii():  # printable ASCII (most cells): a column a character, no wcwidth
                measured.append((cell, 0))
                continue
            taken = width(cell)
            if taken < 0:
                return None
            measured.append((cell, len(cell) - taken))
        cells.append(measured)
    widest = [max(len(row[column][0]) - row[column][1] for row in cells) for column in range(len(right))]
    lines = []
    for row in cells:
        # ljust/rjust pad to code points: the room in columns plus the code points beyond the cell's width
        padded = [
            cell.rjust(room + extra) if to_right else cell.ljust(room + extra)
            for (cell, extra), room, to_right in zip(row, widest, right, strict=True)
        ]
        lines.append(_GAP.join(padded).rstrip())
    return "\n".join(lines)
