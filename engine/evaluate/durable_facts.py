"""One snapshot's facts as durable's JSON text: the fields rules test, each fact numbered by its own id."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

import orjson

from .durable_rulesets import ACCOUNT_FIELDS, END, ID, TYPE, encode
from .facts import Facts, Record

# A fact's id in an action's text. It cannot be read inside a string value, where JSON escapes
# every quote; a value that is a list or an object is read by a full parse (FactWriter.nested).
_ID_IN_TEXT = re.compile(r'"id":\s*(\d+)')
END_ID = "$end"  # the end-of-account fact's id: no number's hash is its hash (FactIds)


def fnv1a_32(text: str) -> int:
    """durable's hash of an id (``fnv1Hash32``, FNV-1a over the bytes; ids here are ASCII)."""
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


class FactIds:
    """The numbers facts take as ids, in order, none of whose hashes equal an earlier one's.

    durable finds a fact by the 32-bit hash of its id and drops one whose hash it already holds
    as a duplicate, silently (guard 18). Hashed as durable hashes them, 0, 1, 2... are all
    distinct up to 797,185 and differ from the session's own fact (``sid-0``) and ``$end``;
    beyond, a number whose hash was taken is skipped, so no fact is ever dropped.
    """

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.texts: list[str] = []
        self._hashes: set[int] = {fnv1a_32("sid-0"), fnv1a_32(END_ID)}
        self._next = 0

    def reach(self, count: int) -> None:
        """Make at least ``count`` ids available."""
        while len(self.ids) < count:
            text = str(self._next)
            self._next += 1
            hashed = fnv1a_32(text)
            if hashed not in self._hashes:
                self._hashes.add(hashed)
                self.ids.append(int(text))
                self.texts.append(text)


class FactWriter:
    """Builds one account's facts at a time and writes them as JSON text; not thread-safe."""

    def __init__(self, field_names: dict[str, tuple[tuple[str, str], ...]], account_names: dict[str, tuple[str, ...]]):
        self._field_names = field_names  # fact type -> (record field, fact field), ...
        self._account_names = account_names  # fact type -> the account's fields its rules read
        self._ids = FactIds()
        self._count = 0
        self._account: dict[str, Any] = {}
        # id text -> what the fact stands for: the (parent id, position) of each item it is, (position, record)
        # of a subject
        self.meaning: dict[str, Any] = {}
        self.exotic = False  # a float of this account json.dumps would write in exponent form
        self.nested = False  # a value of this account is a list or an object: its text may hold "id":

    def start(self, facts: Facts) -> None:
        """Forget the last account; numbering starts again at the first id."""
        self._count = 0
        self.meaning.clear()
        self.exotic = self.nested = False
        self._account = self.values(facts.account, ACCOUNT_FIELDS)

    def items(self, facts: Facts, item_type: str) -> list[dict[str, Any]]:
        """One fact per item of the subjects' collections, meaning [(parent id, position), ...]: a record in
        several collections (an activity with three contacts) is one fact, which stands for each of them."""
        kind, collection = item_type[2:].split(".")
        batch = []
        extra = self.extra(item_type)
        # id(record) -> where it is: a quantifier's where reads only the item (and the account), so one fact
        # answers for the record wherever it is
        seen: dict[int, list[tuple[str, int]]] = {}
        for subject in facts.subjects(kind):
            parent = str(subject["id"])
            for position, item in enumerate(facts.items(kind, parent, collection)):
                where = seen.get(id(item))
                if where is None:
                    seen[id(item)] = where = []
                    batch.append(self.fact(item, item_type, extra, where))
                where.append((parent, position))
        return batch

    def fact(self, record: Record, fact_type: str, extra: dict[str, Any], meaning: Any) -> dict[str, Any]:
        """The record's fact of this type, with the next id, which will mean ``meaning`` in an action."""
        fact = self.values(record, fact_type)
        fact.update(extra)
        fact[TYPE] = fact_type
        count = self._count
        self._count = count + 1
        if count >= len(self._ids.ids):
            self._ids.reach(2 * count + 64)
        fact[ID] = self._ids.ids[count]
        self.meaning[self._ids.texts[count]] = meaning
        return fact

    def extra(self, fact_type: str) -> dict[str, Any]:
        """The account's fields the rules on this fact type read (an activity fact need not carry the tier)."""
        account = self._account
        return {name: account[name] for name in self._account_names.get(fact_type, ()) if name in account}

    def values(self, record: Record, fact_type: str) -> dict[str, Any]:
        """The record's fields that rules on this fact type test, in durable's form."""
        # Missing values are left out, not sent as null: comparisons guard them with $ex.
        values = {}
        get = record.get
        for field, name in self._field_names.get(fact_type, ()):
            value = get(field)
            if value is None:  # the common case first: 40% of a contact's
                continue
            kind: type = type(value)
            if kind is int or kind is str or kind is bool or kind is dt.date:
                values[name] = value  # guard 6: a date is written as its ISO string (they order correctly)
            else:
                if kind is float:
                    if value and not 1e-4 <= abs(value) < 1e16:
                        self.exotic = True  # json.dumps would write it in exponent form
                elif not isinstance(value, int | str):  # a list or an object: its text may hold "id":
                    self.nested = True
                values[name] = value
        return values

    def fragment(self, batch: Sequence[dict[str, Any]]) -> str:
        """The facts as JSON, without the brackets, to join with other types' into one array."""
        if not batch:
            return ""
        return (encode(batch) if self.exotic else dumps(batch))[1:-1]

    def end(self) -> str:
        """The end-of-account fact's text (guard 1)."""
        return f'{{"{ID}":"{END_ID}","{TYPE}":"{END}"}}'

    def ids_in(self, text: str) -> tuple[str, list[str]]:
        """An action's rule name and the ids of the facts it matched, as written in ``meaning``."""
        if not self.nested:
            return text[2 : text.index('"', 2)], _ID_IN_TEXT.findall(text)
        ((name, frames),) = orjson.loads(text).items()
        return name, [str(frame["m"][ID]) for frame in frames]


def dumps(batch: Sequence[dict[str, Any]]) -> str:
    """Facts as JSON text: orjson, four times faster than ``json`` on the hot path of every account."""
    try:
        return orjson.dumps(batch).decode()
    except TypeError:  # an integer beyond 64 bits (an enricher's field): the standard library writes it
        return json.dumps(batch, ensure_ascii=False, default=_iso_date)


def _iso_date(value: Any) -> str:
    """A date as orjson writes it (guard 6), for ``json.dumps``."""
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
