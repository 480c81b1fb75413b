"""The tabular snapshot layout shared by the ``csv``, ``xlsx`` and ``sqlite`` sources: rows into snapshots.

Six tables, one row per thing, every child row carrying its ``account_id`` — the shape a
CRM export has. Documented in docs/sources.md; ``TABLES`` (tabular_columns.py) is the source of truth.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from kamengine import InputError, Snapshot, SnapshotError, SourceRecord
from kamengine.toolkit import ActionCatalogue, Document, did_you_mean, snapshot_from_document

from .crm_references import LEFT_OUT, left_out, member_known, prune_references
from .crm_rows import DROPPED
from .tabular_columns import EXTRA_TABLES, REQUIRED, TABLES, convert_row, is_column

Row = Mapping[str, Any]
Located = tuple[str, Row]  # ("contacts.csv:7", row)
OVERFLOW = "\0overflow"  # the cells of a row beyond its header
PROBLEM = "\0problem"  # why a row could not be read at all
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept as lone surrogates

LEFT_ROW = "; the row is left out"  # how the error of a row a --map could not read ends
_ORG = ("communication", "matching", "joint", "recognition")


class Header:
    """How the columns of one file (sheet, table) become the layout's: renamed by the ``--map`` file,
    kept as they are, kept in ``extra`` (an unknown column of accounts or contacts), or left out."""

    def __init__(
        self, table: str, columns: Iterable[str], where: str, renames: Mapping[str, str] | None = None,
        drop_others: bool = False,
    ):  # fmt: skip
        renames = renames or {}
        #: The columns neither the layout nor the map names, left out without a notice (the map said so).
        self.dropped: list[str] = []
        self.targets: dict[str, str | None] = {}
        unknown: list[str] = []
        given: dict[str, str] = {}  # our column -> the column that gives it
        problems = []
        for column in columns:
            name = column.strip()
            if name in renames:
                target: str | None = renames[name] or None
            elif is_column(table, name) or not name:  # a column without a name has nothing to say
                target = name or None
            elif drop_others:
                self.dropped.append(name)
                target = None
            else:
                unknown.append(name)
                target = f"extra.{name}" if table in EXTRA_TABLES else None
            if target is not None and target in given:
                problems.append(f"{where}: columns '{given[target]}' and '{name}' both give '{target}'")
            elif target is not None:
                given[target] = name
            self.targets[column] = target
        for column in REQUIRED[table]:
            if column not in given:
                hint = did_you_mean(column, unknown)
                problems.append(f"{where}: required column '{column}' is missing{hint}; --map can rename one to it")
        if problems:
            raise SnapshotError(problems)
        fate = "kept in extra" if table in EXTRA_TABLES else "left out"
        listed = ", ".join(f"'{name}'{did_you_mean(name, TABLES[table])}" for name in unknown)
        #: One line naming the columns kamengine does not know, or None.
        self.notice: str | None = None
        if unknown:
            self.notice = f"{where}: {len(unknown)} column(s) not in the {table} layout, {fate}: {listed}"

    def rename(self, row: Row) -> dict[str, Any]:
        """A row with the layout's column names (and a source's ``OVERFLOW`` and ``PROBLEM`` as they are)."""
        # A column the header does not have (a lookup's, joined whole) is no column of the row.
        known = self.targets
        return {
            target: value
            for column, value in row.items()
            if (target := known[column] if column in known else _own(column))
        }


def _own(column: str) -> str | None:
    return column if column.startswith("\0") else None


def assemble(
    read: Callable[[str], Iterable[Located] | None],
    actions: ActionCatalogue,
    accounts: str,
    prune: bool = False,
    notice: Callable[[str], None] | None = None,
) -> Iterator[SourceRecord]:
    """Every account of a tabular source: ``read(table)`` gives a table's located rows (None when it is
    absent); child rows are grouped by ``account_id``, each account is built as one snapshot. A row
    that cannot be read, an account that does not validate, a child of no account (not in
    ``accounts``, the accounts table's name) is a record with its error, and the rest goes on; a row that
    cannot be read but says its ``account_id`` fails that account. A row a ``--map`` could not read
    (``DROPPED``) is a record with its error and its account is read without it; ``prune`` (the map's
    ``references = "prune"``) leaves out references to rows not there, told to ``notice`` per account."""
    dropped: list[SourceRecord] = []

    def kept(where: str, row: Row) -> bool:
        if DROPPED not in row:
            return True
        whose = row.get("account_id") or row.get("id") or "?"  # the origin names the account the row was for
        problem = f"{where}: {row[DROPPED]}{LEFT_ROW}"
        dropped.append(SourceRecord(f"{where} ({whose})", error=SnapshotError([problem])))
        return False

    children: dict[str, dict[str, list[Located]]] = defaultdict(lambda: defaultdict(list))
    unreadable: list[SourceRecord] = []  # rows that could not be read, so whose account is unknown
    for table in TABLES:
        for where, row in (read(table) if table != "accounts" else None) or ():
            if PROBLEM in row and not row.get("account_id"):  # whose row it is is unknown: an error of its own
                unreadable.append(SourceRecord(where, error=SnapshotError([f"{where}: {row[PROBLEM]}"])))
            elif kept(where, row):
                children[str(row.get("account_id") or "")][table].append((where, row))
    yield from unreadable
    rows = [(where, row) for where, row in read("accounts") or () if kept(where, row)]
    yield from dropped
    known = {str(row.get("id")) for _, row in rows}
    for where, row in rows:
        account_id = str(row.get("id") or "")
        pruned: list[str] = [] if prune else None  # type: ignore[assignment]
        snapshot, error = build_record((where, row), children.get(account_id, {}), actions, where, pruned)
        if pruned and notice is not None:
            notice(f"{where} ({account_id}){LEFT_OUT}{left_out(pruned)}")
        yield SourceRecord(f"{where} ({account_id})", snapshot, error)
    for account_id in sorted(set(children) - known):
        first = next(iter(children[account_id].values()))[0][0]
        yield SourceRecord(first, error=SnapshotError([f"{first}: account_id '{account_id}' is not in {accounts}"]))


class _Converter:
    """Rows into a snapshot's values: gathers every row's problems, and the file and row of each field path."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.lines: dict[tuple[str | int, ...], int | str] = {}

    def __call__(self, table: str, located: Located, path: tuple[str | int, ...]) -> dict[str, Any]:
        """One row of ``table`` as the snapshot's values at ``path`` (its ``account_id`` dropped)."""
        where, row = located
        self.lines[path] = where
        cells, extra = {}, {}
        for column, raw in row.items():
            if column == PROBLEM:
                self.problems.append(f"{where}: {raw}")
                continue
            if column == OVERFLOW:
                self.problems.append(f"{where}: {len(raw)} more cell(s) than the header has columns")
                continue
            if isinstance(raw, str) and _UNDECODED.search(raw):
                self.problems.append(f"{where}: {column}: not UTF-8 text")
                continue
            if raw is None or (isinstance(raw, str) and raw.strip() == ""):
                continue
            if column.startswith("extra."):
                extra[column[6:]] = raw
            else:
                cells[column] = raw
        values, bad = convert_row(table, cells)
        self.problems.extend(f"{where}: {problem}" for problem in bad)
        if extra:
            values["extra"] = extra
        values.pop("account_id", None)
        return values


def build_snapshot(
    account: Located,
    children: Mapping[str, list[Located]],
    actions: ActionCatalogue,
    source: str,
    pruned: list[str] | None = None,
) -> Snapshot:
    """One account's rows as a validated snapshot; problems name the file (or table) and row. With ``pruned``
    (a list), references to contacts, deals and team members the account does not have are left out and
    counted in it."""
    convert = _Converter()
    head = convert("accounts", account, ("account",))
    data: dict[str, Any] = {"schema_version": 1, "as_of": head.pop("as_of", None)}
    convert.lines[("as_of",)] = account[0]
    org = {name: head.pop(name) for name in _ORG if name in head}
    if org:
        head["org_relationship"] = org
    data["account"] = head
    for table in ("contacts", "opportunities", "activities", "team"):
        data[table] = [convert(table, row, (table, i)) for i, row in enumerate(children.get(table, []))]
    if pruned is not None:
        pruned.extend(prune_references(data))
    _add_decision_groups(data, children.get("decision_groups", []), convert, pruned)
    if convert.problems:
        raise SnapshotError(convert.problems)
    return snapshot_from_document(Document(data, source, convert.lines), actions)


def _add_decision_groups(
    data: dict[str, Any], rows: Iterable[Located], convert: _Converter, pruned: list[str] | None
) -> None:
    # Each row is one member of one group of one deal: the deal's groups are built in the order rows name them.
    deal_index = {deal.get("id"): index for index, deal in enumerate(data["opportunities"])}
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    lines = convert.lines
    for number, located in enumerate(rows):
        row = convert("decision_groups", located, ("decision_groups", number))
        if pruned is not None and not member_known(data, row, pruned):
            continue
        index = deal_index.get(row.get("opportunity_id"))
        if index is None and pruned is not None:  # its deal was deleted or left out
            pruned.append("decision-group member(s) of a deal not among the account's")
            continue
        if index is None:
            convert.problems.append(
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


def build_record(
    account: Located,
    children: Mapping[str, list[Located]],
    actions: ActionCatalogue,
    source: str,
    pruned: list[str] | None = None,
) -> tuple[Snapshot | None, InputError | None]:
    """``build_snapshot`` that returns its error instead of raising (one bad account is skipped)."""
    try:
        return build_snapshot(account, children, actions, source, pruned), None
    except InputError as exc:
        return None, exc
