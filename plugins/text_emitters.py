"""Built-in emitters ``table``, ``json``, ``jsonl``, ``csv``, ``markdown``: text to a file or stdout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from kamengine import EmitContext, Emitter, Recommendation, hookimpl
from kamengine.toolkit import write_atomically

from .text_formats import PLAIN, Layout, csv_text, json_text, jsonl_text, markdown, table_of_values

_COLUMNS = ("priority", "due", "owner", "action", "title")
# The flat form without the body (a drafted letter is too long for a cell); ``explanation`` is added with --explain.
CSV_COLUMNS = (
    "id", "account_id", "priority", "due", "owner_role", "action", "subject_kind", "subject_id",
    "title", "rule", "rationale", "evidence", "owner_id", "owner", "approach", "opportunity_id", "compliance",
    "account_name",
)  # fmt: skip


class TextEmitter(Emitter):
    """Renders text; TARGET is a file path, or ``-`` (the default) for standard output."""

    def emit(self, recommendations: Sequence[Recommendation], context: EmitContext) -> str:
        if self.target in (None, "", "-"):
            context.stdout.write(self.render(recommendations, context.explanations, Layout.for_stream(context.stdout)))
            return f"{len(recommendations)} recommendations to standard output"
        write_atomically(self.target, self.render(recommendations, context.explanations))
        return f"{len(recommendations)} recommendations to {self.target}"

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]], layout: Layout = PLAIN) -> str:
        """The text; ``layout`` is the terminal's when it goes to one (a table fits it)."""
        raise NotImplementedError


def flat_row(rec: Recommendation) -> dict[str, Any]:
    """The flat form as text: a priority as people write it (140, 143.5), the owner by name and role."""
    return {**rec.row_dict(), "priority": f"{rec.priority:g}", "owner": _owner_text(rec)}


def _owner_text(rec: Recommendation) -> str:
    """The owner as a person reads it: by name and role, or the role nobody holds yet."""
    return f"{rec.owner.name} ({rec.owner.role})" if rec.owner else f"nobody yet ({rec.owner_role})"


def _for_people(recs: Sequence[Recommendation]) -> list[dict[str, Any]]:
    """Rows for a person to read, by column (``account_id`` too): what an occasion carries along reads ``+ ...``
    under its lead. Only the shown columns are made (the flat form's evidence JSON was a third of a table's time)."""
    return [dict(zip(("account_id", *_COLUMNS), values, strict=True)) for values in _people_values(recs, True)]


#: Texts of priorities and due dates by value: an account's recommendations share a few of each, a run's too,
#: and a float's or a date's text is made in as long as the rest of a row (bounded: cleared when full).
_PRIORITIES: dict[float, str] = {}
_DAYS: dict[dt.date, str] = {}
_MOST = 4096


def _people_values(recs: Sequence[Recommendation], several: bool) -> list[list[str]]:
    """``_for_people``'s rows as their values in ``_columns`` order (``account_id`` first when ``several``)."""
    rows, previous = [], None
    for rec in recs:
        title = f"+ {rec.title}" if rec.approach is not None and rec.approach == previous else rec.title
        row = [_priority_text(rec.priority), _day_text(rec.due), _owner_text(rec), rec.action, title]
        rows.append([rec.account_id, *row] if several else row)
        previous = rec.approach
    return rows


def _priority_text(priority: float) -> str:
    """``f"{priority:g}"``."""
    if type(priority) is not float or not priority:  # 1 == 1.0 and -0.0 == 0.0 as keys, but their texts differ
        return f"{priority:g}"
    found = _PRIORITIES.get(priority)
    if found is None:
        if len(_PRIORITIES) >= _MOST:
            _PRIORITIES.clear()
        found = _PRIORITIES[priority] = f"{priority:g}"
    return found


def _day_text(day: dt.date) -> str:
    """``day.isoformat()``."""
    found = _DAYS.get(day)
    if found is None:
        if len(_DAYS) >= _MOST:
            _DAYS.clear()
        found = _DAYS[day] = day.isoformat()
    return found


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

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]], layout: Layout = PLAIN) -> str:
        return json_text([_document(r, explanations) for r in recs])


class JsonLinesEmitter(TextEmitter):
    PLUGIN_NAME = "jsonl"
    DESCRIPTION = "one JSON object per line; TARGET a file, default stdout"

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]], layout: Layout = PLAIN) -> str:
        return jsonl_text(_document(r, explanations) for r in recs)


class CsvEmitter(TextEmitter):
    PLUGIN_NAME = "csv"
    DESCRIPTION = "CSV with a header row; TARGET a file, default stdout (with --excel: for Excel)"
    #: Set by ``--excel``: the byte-order mark and line ends Excel needs to read UTF-8.
    excel = False

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]], layout: Layout = PLAIN) -> str:
        columns = (*CSV_COLUMNS, "explanation") if explanations else CSV_COLUMNS
        rows = [{**flat_row(rec), "explanation": "; ".join(explanations.get(rec.id, []))} for rec in recs]
        return csv_text(rows, columns, excel=self.excel)


class MarkdownEmitter(TextEmitter):
    PLUGIN_NAME = "markdown"
    DESCRIPTION = "a Markdown table; TARGET a file, default stdout"

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]], layout: Layout = PLAIN) -> str:
        columns = _columns(recs)
        rows = _for_people(recs)
        for rec, row in zip(recs, rows, strict=True):
            if rec.compliance:
                row["title"] += f" — **compliance:** {rec.compliance}"
            row["why"] = explanations.get(rec.id, [])
        return markdown(rows, (*columns, "why") if explanations else columns)


class TableEmitter(TextEmitter):
    PLUGIN_NAME = "table"
    DESCRIPTION = "an aligned table for people, as wide as the terminal; TARGET a file, default stdout"

    def render(self, recs: Sequence[Recommendation], explanations: dict[str, list[str]], layout: Layout = PLAIN) -> str:
        if not recs:
            return "No recommendations.\n"
        notes: list[list[str]] = []
        said: set[str] = set()  # what compliance says of an occasion, said once for it
        occasion = None
        for rec in recs:
            if rec.approach is None or rec.approach != occasion:
                said, occasion = set(), rec.approach
            compliance = rec.compliance
            if not compliance:  # most: no compliance note (what is said of the occasion stays as it was)
                notes.append([f"· {line}" for line in explanations.get(rec.id, ())] if explanations else [])
                said.add("")
                continue
            notes.append([f"! {compliance}"] if compliance not in said else [])
            said.add(compliance)
            notes[-1] += [f"· {line}" for line in explanations.get(rec.id, ())]
        columns = _columns(recs)
        return table_of_values(_people_values(recs, len(columns) > len(_COLUMNS)), columns, notes=notes, layout=layout)


@hookimpl
def kamengine_register_emitters() -> list[type[Emitter]]:
    return [TableEmitter, JsonEmitter, JsonLinesEmitter, CsvEmitter, MarkdownEmitter]
