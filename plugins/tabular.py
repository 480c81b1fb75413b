"""The tabular snapshot layout shared by the ``csv`` and ``sqlite`` sources: rows into one snapshot.

Six tables, one row per thing, every child row carrying its ``account_id`` — the shape a
CRM export has. Documented in docs/sources.md; ``TABLES`` (tabular_columns.py) is the source of truth.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from kamengine.engine.errors import did_you_mean
from kamengine.engine.plugin import (
    ActionCatalogue,
    Document,
    InputError,
    Snapshot,
    SnapshotError,
    snapshot_from_document,
)

from .tabular_columns import REQUIRED, TABLES, convert_row

Row = Mapping[str, Any]
Located = tuple[str, Row]  # ("contacts.csv:7", row)
OVERFLOW = "\0overflow"  # the cells of a row beyond its header
PROBLEM = "\0problem"  # why a row could not be read at all
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept as lone surrogates

_ORG = ("communication", "matching", "joint", "recognition")
_EXTRA_TABLES = ("accounts", "contacts")


def check_columns(table: str, columns: Iterable[str], where: str) -> None:
    """Reject unknown or missing columns for a whole table: a header typo affects every row."""
    columns = list(columns)
    known = TABLES[table]
    problems = []
    for column in columns:
        if column not in known and not (table in _EXTRA_TABLES and column.startswith("extra.")):
            problems.append(
                f"{where}: unknown column '{column}'{did_you_mean(column, known)}; expected some of {', '.join(known)}"
            )
    for column in REQUIRED[table]:
        if column not in columns:
            problems.append(f"{where}: required column '{column}' is missing")
    if problems:
        raise SnapshotError(problems)


def build_snapshot(
    account: Located, children: Mapping[str, list[Located]], actions: ActionCatalogue, source: str
) -> Snapshot:
    """One account's rows as a validated snapshot; problems name the file (or table) and row."""
    problems: list[str] = []
    lines: dict[tuple[str | int, ...], int | str] = {}

    def convert(table: str, located: Located, path: tuple[str | int, ...]) -> dict[str, Any]:
        where, row = located
        lines[path] = where
        cells, extra = {}, {}
        for column, raw in row.items():
            if column == PROBLEM:
                problems.append(f"{where}: {raw}")
                continue
            if column == OVERFLOW:
                problems.append(f"{where}: {len(raw)} more cell(s) than the header has columns")
                continue
            if isinstance(raw, str) and _UNDECODED.search(raw):
                problems.append(f"{where}: {column}: not UTF-8 text")
                continue
            if raw is None or (isinstance(raw, str) and raw.strip() == ""):
                continue
            if column.startswith("extra."):
                extra[column[6:]] = raw
            else:
                cells[column] = raw
        values, bad = convert_row(table, cells)
        problems.extend(f"{where}: {problem}" for problem in bad)
        if extra:
            values["extra"] = extra
        values.pop("account_id", None)
        return values

    head = convert("accounts", account, ("account",))
    data: dict[str, Any] = {"schema_version": 1, "as_of": head.pop("as_of", None)}
    lines[("as_of",)] = account[0]
    org = {name: head.pop(name) for name in _ORG if name in head}
    if org:
        head["org_relationship"] = org
    data["account"] = head
    for table in ("contacts", "opportunities", "activities", "team"):
        data[table] = [convert(table, row, (table, i)) for i, row in enumerate(children.get(table, []))]
    deal_index = {deal.get("id"): index for index, deal in enumerate(data["opportunities"])}
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for number, located in enumerate(children.get("decision_groups", [])):
        row = convert("decision_groups", located, ("decision_groups", number))
        index = deal_index.get(row.get("opportunity_id"))
        if index is None:
            problems.append(
                f"{located[0]}: opportunity_id: unknown opportunity '{row.get('opportunity_id')}' for this account"
            )
            continue
        deal_groups = data["opportunities"][index].setdefault("decision_groups", [])
        key = (row["opportunity_id"], row.get("group"))
        if key not in groups:
            deal_groups.append({"group": row.get("group"), "members": []})
            groups[key] = deal_groups[-1]["members"]
            lines[("opportunities", index, "decision_groups", len(deal_groups) - 1)] = located[0]
        members = groups[key]
        position = next(i for i, g in enumerate(deal_groups) if g["members"] is members)
        lines[("opportunities", index, "decision_groups", position, "members", len(members))] = located[0]
        members.append({"contact_id": row.get("contact_id"), "proximity": row.get("proximity", 1)})
    if problems:
        raise SnapshotError(problems)
    return snapshot_from_document(Document(data, source, lines), actions)


def build_record(
    account: Located, children: Mapping[str, list[Located]], actions: ActionCatalogue, source: str
) -> tuple[Snapshot | None, InputError | None]:
    """``build_snapshot`` that returns its error instead of raising (one bad account is skipped)."""
    try:
        return build_snapshot(account, children, actions, source), None
    except InputError as exc:
        return None, exc
