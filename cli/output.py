"""Rendering recommendations as table, JSON, JSON Lines, CSV or Markdown (``--format``)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click
from kamengine.engine.recommendation import Recommendation

FORMATS = ("table", "json", "jsonl", "csv", "markdown")
F = TypeVar("F", bound=Callable[..., Any])

_COLUMNS = ("priority", "due", "owner_role", "action", "title")
_CSV_COLUMNS = (
    "id",
    "account_id",
    "priority",
    "due",
    "owner_role",
    "action",
    "subject_kind",
    "subject_id",
    "title",
    "rule",
    "rationale",
    "evidence",
)


def output_options(command: F) -> F:
    """The shared ``--format`` option of every command that prints recommendations."""
    return click.option(
        "-f",
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format.",
    )(command)


def render(recs: Sequence[Recommendation], output_format: str) -> str:
    """The text of ``recs`` in one of ``FORMATS``."""
    return _RENDERERS[output_format](recs)


def _json(recs: Sequence[Recommendation]) -> str:
    return json.dumps([r.to_dict() for r in recs], indent=2, ensure_ascii=False) + "\n"


def _jsonl(recs: Sequence[Recommendation]) -> str:
    return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in recs)


def _row(rec: Recommendation) -> dict[str, str]:
    return {
        "id": rec.id,
        "account_id": rec.account_id,
        "priority": f"{rec.priority:g}",
        "due": rec.due.isoformat(),
        "owner_role": rec.owner_role,
        "action": rec.action,
        "subject_kind": rec.subject_kind,
        "subject_id": rec.subject_id,
        "title": rec.title,
        "rule": rec.rule,
        "rationale": rec.rationale,
        "evidence": json.dumps(rec.evidence, ensure_ascii=False, sort_keys=True),
    }


def _csv(recs: Sequence[Recommendation]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for rec in recs:
        writer.writerow(_row(rec))
    return buffer.getvalue()


def _columns(recs: Sequence[Recommendation]) -> tuple[str, ...]:
    several = len({r.account_id for r in recs}) > 1
    return ("account_id", *_COLUMNS) if several else _COLUMNS


def _markdown(recs: Sequence[Recommendation]) -> str:
    columns = _columns(recs)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for rec in recs:
        row = _row(rec)
        lines.append("| " + " | ".join(row[c].replace("|", "\\|") for c in columns) + " |")
    return "\n".join(lines) + "\n"


def _table(recs: Sequence[Recommendation]) -> str:
    if not recs:
        return "No recommendations.\n"
    columns = _columns(recs)
    rows = [_row(rec) for rec in recs]
    widths = {c: max(len(c), *(len(row[c]) for row in rows)) for c in columns[:-1]}

    def line(values: dict[str, str]) -> str:
        return "  ".join(values[c].ljust(widths[c]) for c in columns[:-1]) + "  " + values[columns[-1]]

    header = line({c: c.replace("_", " ") for c in columns})
    return "\n".join([header, line({c: "-" * len(c) for c in columns}), *map(line, rows)]) + "\n"


_RENDERERS: dict[str, Callable[[Sequence[Recommendation]], str]] = {
    "table": _table,
    "json": _json,
    "jsonl": _jsonl,
    "csv": _csv,
    "markdown": _markdown,
}
