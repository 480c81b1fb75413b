"""What a ``--map`` file says beyond renames: files, value maps, formats, computed fields, joins (docs/sources.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kamengine.toolkit import did_you_mean, snapshot_choices

from .crm_values import LOCALES, NumberFormat
from .tabular_columns import TABLES, is_column

#: table -> a CRM's column -> ours (a layout column, ``extra.<key>``, or "" to leave the column out).
ColumnMap = dict[str, dict[str, str]]

#: The columns whose values are one of a few words: a value map must map to one of them.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("accounts", "tier"): snapshot_choices("account", "tier"),
    ("accounts", "stage"): snapshot_choices("account", "stage"),
    ("contacts", "level"): snapshot_choices("contact", "level"),
    ("contacts", "role"): snapshot_choices("contact", "role"),
    ("contacts", "stance"): snapshot_choices("contact", "stance"),
    ("opportunities", "stage"): snapshot_choices("opportunity", "stage"),
    ("decision_groups", "group"): snapshot_choices("decision_group", "group"),
    ("team", "role"): snapshot_choices("team_member", "role"),
    ("team", "level"): snapshot_choices("team_member", "level"),
}
#: Settings of the whole map (the other top-level keys are tables).
SETTINGS = ("encoding", "locale", "dates", "numbers", "ids", "as_of", "references", "lookup")
#: Keys of a table section that are options when their value is not a string (a string is a rename).
TABLE_OPTIONS = ("files", "skip", "values", "unknown", "computed", "join", "set", "drop_other_columns")


@dataclass(frozen=True)
class Join:
    """Rows of a lookup file joined to a row by one of its columns; their columns read as ``Lookup.Column``."""

    lookup: str
    on: str
    optional: bool = False  # no match leaves the joined columns empty, instead of skipping the row


@dataclass
class Lookup:
    """A file read by its key column, for joins (``[lookup.User]``): its rows that a ``skip`` matches are not there."""

    files: list[str]
    key: str
    skip: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class TableMap:
    """How the files of one table become its rows."""

    renames: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # file names, case ignored; [] means the layout's
    skip: dict[str, frozenset[str]] = field(default_factory=dict)  # their column -> folded values that skip a row
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # our column -> folded value -> ours
    shown: dict[str, list[str]] = field(default_factory=dict)  # our column -> the values as the map writes them
    unknown: dict[str, str] = field(default_factory=dict)  # our column -> what a value the map lacks becomes
    computed: dict[str, str] = field(default_factory=dict)  # our column -> "{Their} {Columns}"
    joins: list[Join] = field(default_factory=list)
    #: (when their columns have these values, our columns get these): Salesforce's IsClosed/IsWon decide a stage.
    sets: list[tuple[dict[str, frozenset[str]], dict[str, str]]] = field(default_factory=list)
    drop_other_columns: bool = False  # columns the map does not name are left out (not kept in extra)


@dataclass
class CrmMap:
    """A whole ``--map`` file."""

    path: str = ""
    tables: dict[str, TableMap] = field(default_factory=dict)
    lookups: dict[str, Lookup] = field(default_factory=dict)
    encoding: str | None = None
    dates: tuple[str, ...] = ()
    numbers: NumberFormat | None = None
    salesforce_ids: bool = False
    as_of: str | None = None  # "today" or YYYY-MM-DD: the snapshots' date when the accounts file has none
    prune_references: bool = False  # a reference to a row that is not there is dropped with a notice

    @property
    def renames(self) -> ColumnMap:
        return {table: table_map.renames for table, table_map in self.tables.items()}

    def table(self, name: str) -> TableMap:
        return self.tables.get(name) or TableMap()

    @property
    def converts(self) -> bool:
        """Whether rows go through the map's conversions (anything beyond renames is set)."""
        return bool(
            self.lookups or self.encoding or self.dates or self.numbers or self.salesforce_ids or self.as_of
            or self.prune_references
            or any(t.skip or t.values or t.unknown or t.computed or t.joins or t.sets or t.files
                   for t in self.tables.values())
        )  # fmt: skip


def read_settings(path: str, data: dict[str, Any], crm_map: CrmMap, problems: list[str]) -> None:
    """The map's top-level settings into ``crm_map``; every mistake a problem naming the file and key."""
    for key in SETTINGS:
        if key not in data:
            continue
        value = data.pop(key)
        where = f"{path}: {key}"
        if key == "lookup":
            crm_map.lookups = _lookups(path, value, problems)
        elif key == "dates":
            dates = [value] if isinstance(value, str) else value
            if not isinstance(dates, list) or not all(isinstance(d, str) and "%" in d for d in dates):
                problems.append(f'{where}: expected strftime formats such as ["%m/%d/%Y"], found {value!r}')
            else:
                crm_map.dates += tuple(dates)
        elif key == "locale":
            if value not in LOCALES:
                problems.append(f"{where}: unknown locale {value!r}{did_you_mean(str(value), LOCALES)}; "
                                f"expected one of {', '.join(LOCALES)}")  # fmt: skip
            else:
                dates, sample = LOCALES[value]
                crm_map.dates = dates + crm_map.dates
                crm_map.numbers = crm_map.numbers or NumberFormat.from_sample(sample)
        elif key == "numbers":
            try:
                crm_map.numbers = NumberFormat.from_sample(str(value))
            except ValueError:
                problems.append(f"{where}: expected how 1234.56 is written, e.g. '1,234.56', '1.234,56' or "
                                f"'1 234,56', found {value!r}")  # fmt: skip
        elif key == "encoding":
            _encoding(where, value, crm_map, problems)
        elif key == "ids":
            if value != "salesforce":
                problems.append(f"{where}: expected 'salesforce' (ids of 15 or 18 characters), found {value!r}")
            crm_map.salesforce_ids = value == "salesforce"
        elif key == "references":
            if value not in ("strict", "prune"):
                problems.append(f"{where}: expected 'strict' or 'prune', found {value!r}")
            crm_map.prune_references = value == "prune"
        elif key == "as_of":
            _as_of(where, value, crm_map, problems)


def _encoding(where: str, value: Any, crm_map: CrmMap, problems: list[str]) -> None:
    import codecs

    try:
        crm_map.encoding = codecs.lookup(str(value)).name
    except LookupError:
        problems.append(f"{where}: unknown encoding {value!r}; expected e.g. 'utf-8', 'windows-1252', 'gbk'")


def _as_of(where: str, value: Any, crm_map: CrmMap, problems: list[str]) -> None:
    import datetime as dt

    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if text != "today":
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            problems.append(f"{where}: expected 'today' or a date YYYY-MM-DD, found {value!r}")
            return
    crm_map.as_of = text


def _lookups(path: str, value: Any, problems: list[str]) -> dict[str, Lookup]:
    lookups: dict[str, Lookup] = {}
    if not isinstance(value, dict):
        problems.append(f"{path}: lookup: expected [lookup.NAME] tables with files and key")
        return lookups
    for name, spec in value.items():
        where = f"{path}: [lookup.{name}]"
        files = spec.get("files") if isinstance(spec, dict) else None
        key = spec.get("key") if isinstance(spec, dict) else None
        if not isinstance(files, list) or not _names(files) or not isinstance(key, str):
            problems.append(f'{where}: expected files = ["File.csv"] and key = "Column"')
            continue
        lookups[name] = Lookup(files, key, _skip(where, spec.get("skip", {}), problems))
    return lookups


def read_table_option(
    where: str, table: str, key: str, value: Any, table_map: TableMap, lookups: dict[str, Any], problems: list[str]
) -> None:
    """One option of a table section (``files``, ``skip``, ``values``, ...) into ``table_map``."""
    if key == "files":
        if not _names(value):
            problems.append(f'{where} files: expected a list of file names, e.g. ["Account.csv"]')
        else:
            table_map.files = value
    elif key == "skip":
        table_map.skip = _skip(f"{where} skip", value, problems)
    elif key == "set":
        _sets(f"{where} set", table, value, table_map, problems)
    elif key == "drop_other_columns":
        if not isinstance(value, bool):
            problems.append(f"{where} drop_other_columns: expected true or false, found {value!r}")
        table_map.drop_other_columns = value is True
    elif not isinstance(value, dict):
        problems.append(f"{where} {key}: expected a table [{table}.{key}]")
    elif key == "values":
        for column, mapping in value.items():
            _value_map(f"{where} values.{column}", table, column, mapping, table_map, problems)
    elif key == "unknown":
        for column, fallback in value.items():
            if _our_column(f"{where} unknown", table, column, problems):
                table_map.unknown[column] = str(fallback)
    elif key == "computed":
        for column, template in value.items():
            if _our_column(f"{where} computed", table, column, problems) and isinstance(template, str):
                table_map.computed[column] = template
            elif isinstance(template, str) is False:
                problems.append(f'{where} computed.{column}: expected a text such as "{{FirstName}} {{LastName}}"')
    elif key == "join":
        for lookup, on in value.items():
            spec = {"on": on} if isinstance(on, str) else on
            if lookup not in lookups:
                known = ", ".join(lookups) or "none"
                problems.append(f"{where} join.{lookup}: no [lookup.{lookup}]{did_you_mean(lookup, lookups)}; "
                                f"lookups: {known}")  # fmt: skip
            elif not isinstance(spec, dict) or not isinstance(spec.get("on"), str):
                problems.append(f'{where} join.{lookup}: expected "Column" or {{ on = "Column", optional = true }}')
            else:
                table_map.joins.append(Join(lookup, spec["on"], spec.get("optional") is True))


def _value_map(where: str, table: str, column: str, mapping: Any, table_map: TableMap, problems: list[str]) -> None:
    from .crm_values import fold

    if not _our_column(where.rsplit(" ", 1)[0] + " values", table, column, problems):
        return
    if not isinstance(mapping, dict):
        problems.append(f'{where}: expected "CRM value" = "our value" lines')
        return
    choices = CHOICES.get((table, column))
    folded: dict[str, str] = {}
    for theirs, ours in mapping.items():
        ours_text = str(ours).lower() if isinstance(ours, bool) else str(ours)
        if choices is not None and ours_text not in choices:
            hint = did_you_mean(ours_text, choices)
            problems.append(f"{where} '{theirs}': '{ours_text}' is not a {column}{hint}; expected one of "
                            f"{', '.join(choices)}")  # fmt: skip
        folded[fold(theirs)] = ours_text
    table_map.values[column] = folded
    table_map.shown[column] = list(mapping)


def _sets(where: str, table: str, value: Any, table_map: TableMap, problems: list[str]) -> None:
    if not isinstance(value, list) or not all(isinstance(rule, dict) and isinstance(rule.get("when"), dict)
                                              for rule in value):  # fmt: skip
        problems.append(f'{where}: expected [[{table}.set]] tables with when = {{ Column = "value" }} and our columns')
        return
    for rule in value:
        when = _skip(where, rule["when"], problems)
        given = {column: str(v).lower() if isinstance(v, bool) else str(v) for column, v in rule.items()
                 if column != "when" and _our_column(where, table, column, problems)}  # fmt: skip
        table_map.sets.append((when, given))


def _our_column(where: str, table: str, column: str, problems: list[str]) -> bool:
    if is_column(table, column):
        return True
    problems.append(f"{where}: '{column}' is not a column of {table}{did_you_mean(column, TABLES[table])}")
    return False


def _skip(where: str, value: Any, problems: list[str]) -> dict[str, frozenset[str]]:
    from .crm_values import fold

    if not isinstance(value, dict):
        problems.append(f'{where}: expected {{ Column = "value" }} or {{ Column = ["value", ...] }}')
        return {}
    skip = {}
    for column, values in value.items():
        listed = values if isinstance(values, list) else [values]
        skip[column] = frozenset(fold(str(v).lower() if isinstance(v, bool) else v) for v in listed)
    return skip


def _names(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(name, str) and name for name in value)
