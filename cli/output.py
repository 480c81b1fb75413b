"""How a command prints its records: the format chosen with ``--format``/``--json``/``--csv``, rendered one way."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class Output:
    """The output the options chose: a text format, and for CSV whether Excel reads it."""

    format: str
    excel: bool = False
    chosen: bool = True  # False: the command's default (advise then prints only when nothing is emitted)

    def print(
        self,
        rows: Sequence[Mapping[str, Any]],
        columns: Sequence[str],
        *,
        documents: Any = None,
        shown: Sequence[str] | None = None,
        display: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        notes: Sequence[Sequence[str]] = (),
        right: Sequence[str] = (),
        empty: str = "Nothing to show.",
    ) -> None:
        """Print ``rows``, flat records with ``columns``, in the chosen format.

        JSON prints ``documents`` when given (the command's JSON shape), JSON lines too when they
        are a list; else the rows. A table and Markdown show the ``shown`` columns (default: all)
        of ``display`` (the rows as people read them, default: the rows), a table with ``notes``
        under its rows, or ``empty`` when there are none."""
        click.echo(self.text(rows, columns, documents, shown, display, headers, notes, right, empty), nl=False)

    def text(
        self,
        rows: Sequence[Mapping[str, Any]],
        columns: Sequence[str],
        documents: Any = None,
        shown: Sequence[str] | None = None,
        display: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        notes: Sequence[Sequence[str]] = (),
        right: Sequence[str] = (),
        empty: str = "Nothing to show.",
    ) -> str:
        """What ``print`` prints."""
        from kamengine.plugins import text_formats as formats

        people = rows if display is None else display
        if self.format == "json":
            return formats.json_text(list(rows) if documents is None else documents)
        if self.format == "jsonl":
            return formats.jsonl_text(documents if isinstance(documents, list) else rows)
        if self.format == "csv":
            return formats.csv_text(rows, columns, excel=self.excel)
        if self.format == "markdown":
            return formats.markdown(people, shown or columns, headers)
        if not rows:
            return f"{empty}\n" if empty else ""
        layout = formats.Layout.for_stream(sys.stdout)
        return formats.table(people, shown or columns, headers=headers, notes=notes, right=right, layout=layout)
