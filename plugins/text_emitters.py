"""Built-in emitters ``table``, ``json``, ``jsonl``, ``csv``, ``markdown``: text to a file or stdout."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from kamengine.engine.plugin import EmitContext, Emitter, Recommendation, hookimpl, printable, write_atomically

_COLUMNS = ("priority", "due", "owner", "action", "title")
# The flat form without the body (a drafted letter is too long for a cell); ``explanation`` is added with --explain.
_CSV_COLUMNS = (
    "id", "account_id", "priority", "due", "owner_role", "action", "subject_kind", "subject_id",
    "title", "rule", "rationale", "evidence", "owner_id", "owner", "approach", "opportunity_id", "compliance",
    "account_name",
)  # fmt: skip


class TextEmitter(Emitter):
    """Renders text; TARGET is a file path, or ``-`` (the default) for standard output."""

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        text = self.render(recommendations, context.explanations)
        if self.target in (None, "", "-"):
            context.stdout.write(text)
            return f"{len(recommendations)} recommendations to standard output"
        write_atomically(self.target, text)
        return f"{len(recommendations)} recommendations to {self.target}"

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]]) -> str:
        raise NotImplementedError


def _row(rec: Recommendation) -> dict[str, Any]:
    """The flat form as text: a priority as people write it (140, 143.5), the owner by name and role."""
    row = rec.row_dict()
    owner = f"{rec.owner.name} ({rec.owner.role})" if rec.owner else f"nobody yet ({rec.owner_role})"
    return {**row, "priority": f"{rec.priority:g}", "owner": owner}


def _for_terminal(row: dict[str, Any]) -> dict[str, Any]:
    """A row whose texts cannot move a terminal's cursor or break a line: control characters shown escaped."""
    return {key: printable(value) if isinstance(value, str) else value for key, value in row.items()}


#: What a spreadsheet takes for the start of a formula (=HYPERLINK(...) runs when the file is opened).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(value: Any) -> Any:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading apostrophe."""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _for_people(recs: Sequence[Recommendation]) -> list[dict[str, Any]]:
    """Rows for a person to read: what an occasion carries along reads ``+ ...`` under its lead."""
    rows, previous = [], None
    for rec in recs:
        row = _for_terminal(_row(rec))
        if rec.approach is not None and rec.approach == previous:
            row["title"] = f"+ {row['title']}"
        rows.append(row)
        previous = rec.approach
    return rows


def _columns(recs: Sequence[Recommendation]) -> tuple[str, ...]:
    several = len({r.account_id for r in recs}) > 1
    return ("account_id", *_COLUMNS) if several else _COLUMNS


def _document(rec: Recommendation, explanations: dict[str, list[str]]) -> dict[str, Any]:
    document = rec.to_dict()
    if rec.id in explanations:
        document["explanation"] = explanations[rec.id]
    return document


class JsonEmitter(TextEmitter):
    PLUGIN_NAME = "json"
    DESCRIPTION = "a JSON array of recommendations (docs/recommendations.md); TARGET a file, default stdout"

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]]) -> str:
        return json.dumps([_document(r, explanations) for r in recs], indent=2, ensure_ascii=False) + "\n"


class JsonLinesEmitter(TextEmitter):
    PLUGIN_NAME = "jsonl"
    DESCRIPTION = "one JSON object per line; TARGET a file, default stdout"

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]]) -> str:
        return "".join(json.dumps(_document(r, explanations), ensure_ascii=False) + "\n" for r in recs)


class CsvEmitter(TextEmitter):
    PLUGIN_NAME = "csv"
    DESCRIPTION = "CSV with a header row; TARGET a file, default stdout"

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]]) -> str:
        buffer = io.StringIO()
        columns = (*_CSV_COLUMNS, "explanation") if explanations else _CSV_COLUMNS
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for rec in recs:
            row = _row(rec)
            if explanations:
                row["explanation"] = "; ".join(explanations.get(rec.id, []))
            writer.writerow({key: _spreadsheet_safe(value) for key, value in row.items()})
        return buffer.getvalue()


class MarkdownEmitter(TextEmitter):
    PLUGIN_NAME = "markdown"
    DESCRIPTION = "a Markdown table; TARGET a file, default stdout"

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]]) -> str:
        columns = _columns(recs)
        header = (*columns, "why") if explanations else columns
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for rec, row in zip(recs, _for_people(recs), strict=True):
            if rec.compliance:
                row["title"] += f" — **compliance:** {printable(rec.compliance)}"
            cells = [row[c] for c in columns]
            if explanations:
                cells.append("<br>".join(printable(line) for line in explanations.get(rec.id, [])))
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        return "\n".join(lines) + "\n"


class TableEmitter(TextEmitter):
    PLUGIN_NAME = "table"
    DESCRIPTION = "an aligned table for people; TARGET a file, default stdout"

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]]) -> str:
        if not recs:
            return "No recommendations.\n"
        columns = _columns(recs)
        rows = _for_people(recs)
        widths = {c: max(len(c), *(len(row[c]) for row in rows)) for c in columns[:-1]}

        def line(values: dict[str, str]) -> str:
            return "  ".join(values[c].ljust(widths[c]) for c in columns[:-1]) + "  " + values[columns[-1]]

        out = [line({c: c.replace("_", " ") for c in columns}), line({c: "-" * len(c) for c in columns})]
        indent = " " * (sum(widths.values()) + 2 * len(widths))
        said: set[str] = set()  # what compliance says of an occasion, said once for it
        occasion = None
        for rec, row in zip(recs, rows, strict=True):
            out.append(line(row))
            if rec.approach is None or rec.approach != occasion:
                said, occasion = set(), rec.approach
            if rec.compliance and rec.compliance not in said:
                out.append(f"{indent}  ! {printable(rec.compliance)}")
                said.add(rec.compliance)
            out.extend(f"{indent}  · {printable(text)}" for text in explanations.get(rec.id, []))
        return "\n".join(out) + "\n"


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [TableEmitter, JsonEmitter, JsonLinesEmitter, CsvEmitter, MarkdownEmitter]
