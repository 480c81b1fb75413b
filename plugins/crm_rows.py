"""A CRM export's rows through a ``--map``: rows skipped, lookups joined, fields computed, values and formats read.

A value the map does not know, or a date or number not written as the map says, leaves that row out
(``DROPPED``, named by file, line and column), never its account; an activity type that is no action
becomes ``other`` (contact happened, no ladder rung), counted in one notice per file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kamengine.toolkit import OTHER_ACTIVITY, ActionCatalogue, brief

from .crm_map import CHOICES, CrmMap, Lookup, TableMap
from .crm_values import date_example, fold, parse_date, salesforce_id
from .tabular_columns import TABLES

DROPPED = "\0dropped"  # why a row the map could not read is left out (its account is read without it)
RawRows = Callable[[list[str]], Iterable[tuple[str, Mapping[str, Any]]]]  # file names -> (where, their row)
_FIELD = re.compile(r"\{([^{}]+)\}")
_ID_COLUMNS = frozenset({"id", "account_id", "contact_id", "opportunity_id", "owner", "reports_to", "contact_ids"})


@dataclass
class FileReport:
    """What reading one file did: rows read, skipped (and why), left out (and why), values the map lacked."""

    rows: int = 0
    looked_up: int = 0  # rows read as a lookup (User.csv is only that)
    table: str = ""  # the table it was read as (a file may serve two: HubSpot's contacts and their buying roles)
    skipped: Counter[str] = field(default_factory=Counter)
    dropped: list[str] = field(default_factory=list)
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)  # (column, value) -> rows
    encoding: str = ""


class Lookups:
    """The lookup files of a map, each read once when a join first needs it, by its key column."""

    def __init__(self, crm_map: CrmMap, raw_rows: RawRows) -> None:
        self.crm_map, self.raw_rows = crm_map, raw_rows
        self._rows: dict[str, dict[str, Mapping[str, Any]]] = {}
        self._skipped: dict[str, dict[str, str]] = {}  # lookup -> key -> why its row is not there

    def find(self, name: str, key: str) -> tuple[Mapping[str, Any] | None, str]:
        """The lookup's row with this key, or None and why."""
        if name not in self._rows:
            self._load(name, self.crm_map.lookups[name])
        found = self._rows[name].get(key)
        if found is not None:
            return found, ""
        return None, self._skipped[name].get(key, f"its {name} is not in the export")

    def _load(self, name: str, lookup: Lookup) -> None:
        rows, skipped = self._rows.setdefault(name, {}), self._skipped.setdefault(name, {})
        for _, row in self.raw_rows(lookup.files):
            key = self.key(row.get(lookup.key))
            why = _skip_reason(lookup.skip, row)
            if why:
                skipped[key] = f"its {name} has {why}"
            elif key:
                rows[key] = row

    def key(self, value: Any) -> str:
        """A key as the map compares keys (a Salesforce id in its 18-character form)."""
        text = "" if value is None else str(value).strip()
        return salesforce_id(text) if self.crm_map.salesforce_ids else text


class MappedRows:
    """The rows of one file of one table, as the map reads them (their column names in, the layout's out)."""

    def __init__(
        self, crm_map: CrmMap, table: str, path: str, lookups: Lookups, actions: ActionCatalogue, report: FileReport
    ) -> None:
        self.crm_map, self.table, self.path, self.lookups, self.actions = crm_map, table, path, lookups, actions
        self.table_map: TableMap = crm_map.table(table)
        self.report = report
        self.file = Path(path).stem
        self._needed = {join.lookup: list(dict.fromkeys(self._lookup_columns(join))) for join in self.table_map.joins}

    def extra_columns(self, columns: Iterable[str]) -> list[str]:
        """The columns the map adds to a file's own: the joined lookups' and the computed ones."""
        added = [f"{join.lookup}.{column}" for join in self.table_map.joins for column in self._lookup_columns(join)]
        dated = (
            self.table == "accounts"
            and self.crm_map.as_of
            and "as_of" not in [*columns, *self.table_map.renames.values()]
        )
        added += ["as_of"] if dated else []  # the map's date for an export that has none
        return list(dict.fromkeys([*added, *(c for c in self.table_map.computed if c not in columns)]))

    def _lookup_columns(self, join: Any) -> list[str]:
        renames = self.table_map.renames
        prefix = f"{join.lookup}."
        return [name[len(prefix) :] for name in renames if name.startswith(prefix)] + [
            name.strip()[len(prefix) :] for template in self.table_map.computed.values()
            for names in _FIELD.findall(template) for name in names.split("|") if name.strip().startswith(prefix)
        ]  # fmt: skip

    def before(self, raw: Mapping[str, Any]) -> dict[str, Any] | None:
        """A row with their column names, its lookups joined and its fields computed; None when it is skipped."""
        self.report.rows += 1
        why = _skip_reason(self.table_map.skip, raw)
        row = dict(raw)
        for join in self.table_map.joins if not why else ():
            key = self.lookups.key(raw.get(join.on))
            found, missing = self.lookups.find(join.lookup, key) if key else (None, f"{join.on} is empty")
            if found is None and not join.optional:
                why = missing
                break
            # Only the lookup's columns the map names: a joined User row has dozens of others.
            row.update({f"{join.lookup}.{c}": (found or {}).get(c) for c in self._needed[join.lookup]})
        if why:
            self.report.skipped[why] += 1
            return None
        for column, template in self.table_map.computed.items():
            text = _FIELD.sub(lambda m: self._field(row, m.group(1)), template)
            row[column] = " ".join(text.split()) or None
        for when, given in self.table_map.sets:
            if all(_skip_reason({column: values}, row) for column, values in when.items()):
                row.update({self._their(column): value for column, value in given.items()})
        return row

    def _field(self, row: Mapping[str, Any], names: str) -> str:
        """A template's ``{Column}``: the first of ``{A|B}`` that is not empty; ``{_file}`` the file's name."""
        for name in names.split("|"):
            value = self.file if name == "_file" else row.get(name.strip())
            if value is not None and str(value).strip():
                return str(value)
        return ""

    def after(self, row: dict[str, Any], where: str, sources: Mapping[str, str]) -> dict[str, Any]:
        """A renamed row with the map's values, dates, numbers and ids read; one it cannot read gets ``DROPPED``."""
        problems = []
        kinds = TABLES[self.table]
        for column, value in list(row.items()):
            if column.startswith("\0") or value is None or (isinstance(value, str) and not value.strip()):
                continue
            their = sources.get(column, column)
            try:
                row[column] = self._value(column, value, kinds.get(column, "text"), their)
            except ValueError as exc:
                problems.append(f"{their}: {exc}")
        if self.table == "activities":
            self._activity_type(row)
        if self.table == "accounts" and not row.get("as_of") and self.crm_map.as_of:
            row["as_of"] = dt.date.today().isoformat() if self.crm_map.as_of == "today" else self.crm_map.as_of
        if problems:
            self.report.dropped.extend(f"{where}: {problem}" for problem in problems)
            row[DROPPED] = "; ".join(problems)
        return row

    def _value(self, column: str, value: Any, kind: str, their: str) -> Any:
        mapping = self.table_map.values.get(column)
        if mapping is not None and not (self.table == "activities" and column == "type"):
            value = self._mapped(column, value, mapping, their)
        if not isinstance(value, str):
            return value
        if kind == "date":
            try:
                return parse_date(value, self.crm_map.dates).isoformat()
            except ValueError:
                example = date_example(self.crm_map.dates)
                raise ValueError(f"expected a date like {example}, found '{brief(value)}'") from None
        if kind in ("number", "int") and self.crm_map.numbers is not None:
            try:
                return self.crm_map.numbers.parse(value)
            except ValueError:
                sample = self.crm_map.numbers.sample
                raise ValueError(f"expected a number written like {sample}, found '{brief(value)}'") from None
        if column in _ID_COLUMNS and self.crm_map.salesforce_ids:
            return (
                ";".join(salesforce_id(part) for part in value.split(";")) if kind == "list" else salesforce_id(value)
            )
        return value

    def _mapped(self, column: str, value: Any, mapping: Mapping[str, str], their: str) -> str:
        folded = fold(value)
        if folded in mapping:
            return mapping[folded]
        if folded in CHOICES.get((self.table, column), ()):
            return folded  # already the layout's word
        self.report.unmapped[(their, str(value).strip())] += 1
        if column in self.table_map.unknown:
            return self.table_map.unknown[column]
        known = ", ".join(f"'{shown}'" for shown in self.table_map.shown[column])
        raise ValueError(f"unknown value '{brief(str(value).strip())}'; the map knows {known}")

    def _activity_type(self, row: dict[str, Any]) -> None:
        """A type that is no action (a call, an e-mail, a CRM "Meeting") is kept as ``other``: contact happened."""
        given = str(row.get("type") or "").strip()
        mapping = self.table_map.values.get("type", {})
        kind = mapping.get(fold(given), given)
        if kind not in self.actions and kind != OTHER_ACTIVITY:
            self.report.unmapped[(self._their("type"), given or "(empty)")] += 1
            kind = OTHER_ACTIVITY
        row["type"] = kind

    def _their(self, column: str) -> str:
        """The CRM's column that gives ours (``Type`` for type from ``{KAM_Action__c|Type}``: its last)."""
        computed = self.table_map.computed.get(column)
        if computed is not None:
            return _FIELD.findall(computed)[-1].split("|")[-1].strip() if _FIELD.search(computed) else column
        return next((theirs for theirs, ours in self.table_map.renames.items() if ours == column), column)

    def notice(self) -> str | None:
        """One line for the activity types kept as ``other`` in this file, or None."""
        if self.table != "activities":
            return None
        kept = [
            (value, count) for (column, value), count in self.report.unmapped.items() if column == self._their("type")
        ]
        if not kept:
            return None
        listed = ", ".join(f"'{value}' ×{count}" for value, count in sorted(kept))
        total = sum(count for _, count in kept)
        return (f"{self.path}: {total} activit(y/ies) of a type that is no action kept as 'other' "
                f"(contact happened, no ladder rung): {listed}")  # fmt: skip


def _skip_reason(skip: Mapping[str, frozenset[str]], row: Mapping[str, Any]) -> str:
    """Why a row is skipped (``IsDeleted = true``), or "" when it is not."""
    for column, values in skip.items():
        value = "" if row.get(column) is None else fold(row[column])
        if value in values:
            return f"{column} = {str(row[column]).strip()}" if value else f"{column} is empty"
    return ""


def open_files(folder: Path, names: Iterable[str]) -> list[Path]:
    """The files of a folder with these names, case ignored (``accounts.csv`` finds ``Accounts.csv``), in order."""
    present = {path.name.casefold(): path for path in folder.iterdir() if path.is_file()}
    found = [present.get(name.casefold()) for name in names]
    return [path for path in found if path is not None]
