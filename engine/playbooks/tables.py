"""Decision tables in a playbook (a ``table:`` rule): read, checked, and compiled to one rule per row.

Cells use the condition language on their column's field: a literal (equality), a list
(``in``), a mapping of operators (``{gte: 1}``), a range ``"1..3"`` (``"1.."``, ``"..60"``;
ends included, may be ``$parameter``) or ``any`` (``-``). The compiled rules are ordinary
rules (``table_logic.py``), so both evaluators run them unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from ..errors import article, did_you_mean
from ..model.fields import FieldSpec
from .checker import Checker
from .conditions import ACCOUNT_PREFIX, MAX_ALTERNATIVES, MAX_DEPTH, AllOf, Condition, ParseContext, Path, alternatives
from .conditions import parse_when as parse
from .file_shape import RowFile, TableRuleFile
from .playbook import ActionSpec, Rule, Table, TableRow
from .table_logic import ANY_VALUE, Findings, GapColumn, Grid, Row, check, compile_rows, depth

ANY = ("any", "-")
_RANGE = re.compile(r"^\s*(\S*?)\s*\.\.\s*(\S*)\s*$")


def table_rules(
    v: Checker, item: dict[str, Any], path: Path, playbook_id: str, values: Mapping[str, Any]
) -> Iterator[tuple[Rule, Path]]:
    """The rules of a ``table:`` rule, each with its row's path; problems are reported to ``v``."""
    file: TableRuleFile | None = v.shape(TableRuleFile, item, path)
    if file is None or file.subject not in v.kinds:
        return
    table, tpath = file.table, (*path, "table")
    specs = [_column(v, name, file.subject, (*tpath, "inputs", i)) for i, name in enumerate(table.inputs)]
    if None in specs:
        return  # its cells cannot be read
    rationale = v.localized(item.get("rationale"), (*path, "rationale"), "rationale")
    templates: dict[str, ActionSpec] = {}
    for index, raw in enumerate(table.actions):
        spec = v.action(raw, (*tpath, "actions", index), file.subject, values)
        if spec is not None and spec.action in templates:
            v.report((*tpath, "actions", index, "action"), f"the table already has an action '{spec.action}'")
        elif spec is not None:
            templates[spec.action] = spec
    rows: list[tuple[Row, RowFile, Path, Rule]] = []
    for index, raw in enumerate(table.rows):
        rpath: Path = (*tpath, "rows", index)
        found = _row(v, raw, rpath, file, [s for s in specs if s], values)
        if found is None:
            continue
        row, row_file = found
        priority = row_file.priority if row_file.priority is not None else file.priority
        rule = Rule(
            playbook_id, row_file.id or f"{file.id}-{index + 1}",
            row_file.description if row_file.description is not None else file.description,
            v.localized(raw.get("rationale"), (*rpath, "rationale"), "rationale") or rationale or {},
            file.subject, priority, AllOf(()),  # its condition is compiled below
            _row_actions(v, row_file.actions, (*rpath, "actions"), templates, file.subject, values),
            v.doc.where(rpath), row_file.exclusive_group or file.exclusive_group or None,
            row_file.priority_in_crisis if row_file.priority_in_crisis is not None else file.priority_in_crisis,
            file.id,
        )  # fmt: skip
        if not rule.rationale:
            v.report((*rpath, "rationale"), "a row needs a rationale, or the table one for all its rows")
        if not rule.actions and row_file.actions is None:
            v.report(rpath, "a row needs 'actions': action ids from the table's 'actions', or actions")
        rows.append((row, row_file, rpath, rule))
    if len(rows) < len(table.rows):
        return  # a bad row: its neighbours cannot be checked against it
    grid = Grid([row for row, *_ in rows], [s for s in specs if s])
    findings = check(table.hit_policy, grid)
    _report(v, findings, table.inputs, [(rpath, rule.id, row.when is not None) for row, _, rpath, rule in rows])
    gaps = _gaps(findings, table.inputs)
    v.tables.append(
        Table(file.id, file.subject, table.hit_policy, tuple(table.inputs),
              tuple(TableRow(rule.id, row.cells, row.when) for row, _, _, rule in rows), v.doc.where(path), gaps)
    )  # fmt: skip
    for (_, _, rpath, rule), when in zip(rows, compile_rows(table.hit_policy, grid.rows, grid), strict=True):
        if (count := alternatives(when)) > MAX_ALTERNATIVES or depth(when) > MAX_DEPTH:
            v.report(rpath, f"with the rows above it, this row compiles to {count} alternatives nested "
                     f"{depth(when)} deep; at most {MAX_ALTERNATIVES} and {MAX_DEPTH}: use hit_policy unique, "
                     "or split the table")  # fmt: skip
        yield replace(rule, when=when), rpath


def _column(v: Checker, name: str, subject: str, path: Path) -> FieldSpec | None:
    fields, field = v.kinds[subject], name
    if name.startswith(ACCOUNT_PREFIX) and subject in ("contact", "opportunity"):
        fields, field = v.kinds["account"], name[len(ACCOUNT_PREFIX) :]
    if field in fields:
        return fields[field]
    v.report(path, f"unknown field '{name}' for {article(subject)}{did_you_mean(field, fields)}; an input is a field")
    return None


def _row(
    v: Checker, raw: Any, path: Path, file: TableRuleFile, specs: list[FieldSpec], values: Mapping[str, Any]
) -> tuple[Row, RowFile] | None:
    if not isinstance(raw, dict):
        v.report(path, "a row must be a mapping with cells (one per input) and actions")
        return None
    row: RowFile | None = v.shape(RowFile, raw, path)
    if row is None:
        return None
    inputs = file.table.inputs
    if len(row.cells) != len(inputs):
        v.report((*path, "cells"), f"{len(row.cells)} cell(s) for {len(inputs)} input(s) ({', '.join(inputs)})")
        return None
    ctx = ParseContext(values, v.actions, v.report, v.kinds)
    problems = len(v.problems)
    cells = tuple(
        _cell(raw_cell, name, spec, (*path, "cells", i), file.subject, ctx)
        for i, (raw_cell, name, spec) in enumerate(zip(row.cells, inputs, specs, strict=True))
    )
    when = parse(row.when, file.subject, (*path, "when"), ctx) if row.when is not None else None
    if len(v.problems) > problems:
        return None  # a cell it could not read (reported) would make the grid's checks guess
    return Row(cells, when), row


def _cell(raw: Any, name: str, spec: FieldSpec, path: Path, subject: str, ctx: ParseContext) -> Condition | None:
    if isinstance(raw, str) and raw.strip() in ANY:
        return None
    if raw is None:
        ctx.report(path, f"an empty cell; write 'any' for any value of '{name}'")
        return None
    range_ = _RANGE.match(raw) if isinstance(raw, str) and spec.type in ("int", "number", "date") else None
    if range_ and any(range_.groups()):
        low, high = (_scalar(end) for end in range_.groups())
        raw = {**({"gte": low} if low != "" else {}), **({"lte": high} if high != "" else {})}
    elif isinstance(raw, list):
        raw = {"in": raw}
    return parse({name: raw}, subject, path, ctx)


def _scalar(text: str) -> Any:
    """A range's end as YAML would read it: ``$name`` and dates stay text, numbers become numbers."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _row_actions(
    v: Checker, raw: list[Any] | None, path: Path, templates: dict[str, ActionSpec], subject: str,
    values: Mapping[str, Any],
) -> tuple[ActionSpec, ...]:  # fmt: skip
    specs = []
    for index, item in enumerate(raw or []):
        if isinstance(item, str):
            if item in templates:
                specs.append(templates[item])
            else:
                hint = did_you_mean(item, templates) or f"; the table's actions are {', '.join(templates) or 'none'}"
                v.report((*path, index), f"no action '{item}' in the table's 'actions'{hint}")
        elif (spec := v.action(item, (*path, index), subject, values)) is not None:
            specs.append(spec)
    return tuple(specs)


def _report(v: Checker, findings: Findings, inputs: list[str], rows: list[tuple[Path, str, bool]]) -> None:
    """Each finding that stops the table loading, at its row (``rows``: path, rule id, has a ``when``)."""
    for k in findings.empty:
        v.report((*rows[k][0], "cells"), f"row '{rows[k][1]}' can never fire: its cells cannot all hold")
    for k, earlier in findings.unreachable:
        names = ", ".join(f"'{rows[j][1]}' ({v.doc.where(rows[j][0]).rsplit(': ', 1)[0]})" for j in earlier)
        v.report(rows[k][0], f"row '{rows[k][1]}' is unreachable under hit_policy first: whatever it matches, {names} "
                 "matched first")  # fmt: skip
    for j, k, both in findings.overlaps:
        where = v.doc.where(rows[j][0]).rsplit(": ", 1)[0]
        v.report(
            rows[k][0],
            f"rows '{rows[j][1]}' ({where}) and '{rows[k][1]}' overlap under hit_policy unique: "
            f"both match {_named(inputs, both)}"
            + (
                "; a row's when is not looked into: to tell them apart, make its field an input"
                if rows[j][2] or rows[k][2]
                else ""
            ),
        )


def _gaps(findings: Findings, inputs: list[str]) -> tuple[str, ...]:
    if findings.gap_count is None:
        return ("too many input combinations to look for gaps",)
    more = findings.gap_count - len(findings.gaps)
    shown = [f"no row covers {_gap_named(inputs, gap)}" for gap in findings.gaps]
    return (*shown, f"... and {more} more gap(s)") if more else tuple(shown)


def _gap_named(inputs: list[str], gap: tuple[GapColumn, ...]) -> str:
    named = [
        f"{name} {_show(cell[0])}" if len(cell) == 1 else f"{name} in [{', '.join(map(_show, cell))}]"
        for name, cell in zip(inputs, gap, strict=True)
        if cell != ANY_VALUE
    ]
    return ", ".join(named) or "any input (the table has no rows)"


def _named(inputs: list[str], values: list[Any]) -> str:
    return ", ".join(f"{name} {_show(value)}" for name, value in zip(inputs, values, strict=True))


def _show(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and value.startswith("\x00"):
        return "(another value)"
    return str(value)
