"""The condition language: its syntax tree and the parser that validates YAML into it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import article, did_you_mean
from ..model.actions import ActionCatalogue
from ..model.fields import COLLECTIONS, KINDS, FieldSpec

ORDERING = ("lt", "lte", "gt", "gte")
OPERATORS = ("eq", "ne", *ORDERING, "in", "not_in", "exists")
COMBINATORS = ("all_of", "any_of")
QUANTIFIERS = ("any", "all", "none", "count")
ACCOUNT_PREFIX = "account."

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldTest:
    """``field op value``; ``field`` may be ``account.<name>`` on contact and opportunity rules."""

    field: str
    op: str
    value: Any
    type: str


@dataclass(frozen=True)
class AllOf:
    children: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Condition, ...]


@dataclass(frozen=True)
class Quantifier:
    """``any | all | none | count`` of a subject's collection whose items match ``where``."""

    quantifier: str
    collection: str
    item_kind: str
    where: Condition | None
    index: int  # unique within its rule: names the derived count the engine computes
    op: str | None = None  # count only
    value: int | None = None


Condition = FieldTest | AllOf | AnyOf | Quantifier


@dataclass
class ParseContext:
    """What the parser needs besides the YAML: parameters, known actions, where to report."""

    params: Mapping[str, Any]
    actions: ActionCatalogue
    report: Callable[[Path, str], None]
    kinds: Mapping[str, Mapping[str, FieldSpec]] = field(default_factory=lambda: KINDS)  # plus enrichers' fields
    quantifiers: int = 0


#: How deep ``all_of``/``any_of`` may nest: far beyond a readable rule, far short of Python's stack.
MAX_DEPTH = 16
#: How many alternatives one rule's conditions may hold in all (the values of ``in``, the
#: branches of ``any_of``): durable_rules hangs on a rule with 512 or more.
MAX_ALTERNATIVES = 500


def parse_when(raw: Any, kind: str, path: Path, ctx: ParseContext) -> Condition:
    """Parse a rule's ``when`` (a list of conditions, all of which must hold, or one mapping)."""
    condition = _when(raw, kind, path, ctx, nested=False)
    for where, found in ((path, condition), *(((*path, "where"), q.where) for q in quantifiers_in(condition))):
        if found is not None and (count := alternatives(found)) > MAX_ALTERNATIVES:
            ctx.report(where, f"{count} alternatives (values of 'in' and 'not_in', branches of 'any_of'); at most "
                       f"{MAX_ALTERNATIVES} in one rule: split it into several rules")  # fmt: skip
    return condition


def alternatives(condition: Condition) -> int:
    """How many alternatives a condition holds, the way durable_rules counts them (its ``$or`` branches)."""
    if isinstance(condition, FieldTest):
        return len(condition.value) if condition.op in ("in", "not_in") else 1
    if isinstance(condition, AllOf | AnyOf):
        return sum(alternatives(child) for child in condition.children)
    return 1  # a quantifier's ``where`` is a rule of its own


def _when(raw: Any, kind: str, path: Path, ctx: ParseContext, nested: bool) -> Condition:
    if raw is None:
        return AllOf(())
    if isinstance(raw, list):
        return AllOf(tuple(_condition(item, kind, (*path, i), ctx, nested) for i, item in enumerate(raw)))
    return _condition(raw, kind, path, ctx, nested)


def _condition(raw: Any, kind: str, path: Path, ctx: ParseContext, nested: bool) -> Condition:
    if sum(1 for part in path if part in COMBINATORS) > MAX_DEPTH:
        ctx.report(path, f"conditions nest more than {MAX_DEPTH} levels deep; write the rule flatter")
        return AllOf(())
    if not isinstance(raw, dict) or not raw:
        ctx.report(path, f"expected a condition such as '{{stance: -1}}', found {_show(raw)}")
        return AllOf(())
    parts = [_entry(str(key), value, kind, (*path, key), ctx, nested) for key, value in raw.items()]
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _entry(key: str, value: Any, kind: str, path: Path, ctx: ParseContext, nested: bool) -> Condition:
    if key in COMBINATORS:
        if not isinstance(value, list) or not value:
            ctx.report(path, f"'{key}' takes a non-empty list of conditions, found {_show(value)}")
            return AllOf(())
        children = tuple(_condition(item, kind, (*path, i), ctx, nested) for i, item in enumerate(value))
        return AllOf(children) if key == "all_of" else AnyOf(children)
    if key in QUANTIFIERS:
        return _quantifier(key, value, kind, path, ctx, nested)
    spec = _field(key, kind, path, ctx)
    if spec is None:
        return AllOf(())
    if isinstance(value, dict):
        if not value:
            ctx.report(path, "expected a value or operators such as '{gte: 1}', found an empty mapping")
        tests = [_test(key, spec, str(op), operand, (*path, op), ctx) for op, operand in value.items()]
        return tests[0] if len(tests) == 1 else AllOf(tuple(tests))
    return _test(key, spec, "eq", value, path, ctx)


def _field(name: str, kind: str, path: Path, ctx: ParseContext) -> FieldSpec | None:
    fields = ctx.kinds[kind]
    if name.startswith(ACCOUNT_PREFIX) and kind in ("contact", "opportunity"):
        fields, name = ctx.kinds["account"], name[len(ACCOUNT_PREFIX) :]
    if name in fields:
        return fields[name]
    words = [*fields, *COMBINATORS, *(QUANTIFIERS if kind in COLLECTIONS else ())]
    ctx.report(path, f"unknown field '{name}' for {article(kind)}{did_you_mean(name, words)}")
    return None


def _quantifier(key: str, value: Any, kind: str, path: Path, ctx: ParseContext, nested: bool) -> Condition:
    collections = COLLECTIONS.get(kind, {})
    if nested or not collections:
        ctx.report(path, f"'{key}' cannot be used inside another quantifier")
        return AllOf(())
    if not isinstance(value, dict):
        ctx.report(path, f"'{key}' takes a mapping like '{{of: {next(iter(collections))}, where: ...}}'")
        return AllOf(())
    allowed = {"of", "where", *(("eq", "ne", *ORDERING) if key == "count" else ())}
    for extra in sorted(set(map(str, value)) - allowed):
        ctx.report((*path, extra), f"unknown key '{extra}' in '{key}'{did_you_mean(extra, allowed)}")
    collection = value.get("of")
    if collection not in collections:
        found = f"'{collection}'" if collection is not None else "nothing"
        hint = did_you_mean(str(collection), collections) if collection else ""
        ctx.report(
            (*path, "of"),
            f"'of' must name a collection of {article(kind)} ({', '.join(collections)}), found {found}{hint}",
        )
        return AllOf(())
    item_kind = collections[collection][0]
    where = value.get("where")
    condition = _when(where, item_kind, (*path, "where"), ctx, nested=True) if where is not None else None
    op, count = None, None
    if key == "count":
        ops = [o for o in ("eq", "ne", *ORDERING) if o in value]
        if len(ops) != 1:
            ctx.report(path, "'count' takes exactly one comparison, e.g. 'gte: 2'")
            return AllOf(())
        op, count = ops[0], _literal(value[ops[0]], FieldSpec("count", "int", ""), (*path, ops[0]), ctx)
    ctx.quantifiers += 1
    return Quantifier(key, collection, item_kind, condition, ctx.quantifiers, op, count)


def _test(name: str, spec: FieldSpec, op: str, value: Any, path: Path, ctx: ParseContext) -> Condition:
    if op not in OPERATORS:
        ctx.report(
            path, f"unknown operator '{op}'{did_you_mean(op, OPERATORS)}; expected one of {', '.join(OPERATORS)}"
        )
        return AllOf(())
    if op == "exists":
        if not isinstance(value, bool):
            ctx.report(path, f"'exists' takes true or false, found {_show(value)}")
        return FieldTest(name, op, bool(value), spec.type)
    if op in ORDERING and spec.type not in ("int", "number", "date"):
        ctx.report(path, f"'{op}' compares numbers and dates, but '{name}' is {spec.type}; use eq, ne, in or not_in")
        return AllOf(())
    if op in ("in", "not_in"):
        value = _resolve(value, path, ctx)
        if not isinstance(value, list) or not value:
            ctx.report(path, f"'{op}' takes a non-empty list, found {_show(value)}")
            return AllOf(())
        items = tuple(_literal(item, spec, (*path, i), ctx) for i, item in enumerate(value))
        return FieldTest(name, op, items, spec.type)
    return FieldTest(name, op, _literal(value, spec, path, ctx), spec.type)


def _resolve(value: Any, path: Path, ctx: ParseContext) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        if name not in ctx.params:
            ctx.report(path, f"unknown parameter '{name}'{did_you_mean(name, ctx.params)}")
            return _REPORTED
        return ctx.params[name]
    return value


_REPORTED = object()  # a value whose problem was already reported


_TYPE_WORDS = {
    "int": "a whole number",
    "number": "a number",
    "str": "text",
    "bool": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "action": "an action id",
}


def _literal(raw: Any, spec: FieldSpec, path: Path, ctx: ParseContext) -> Any:
    """Type-check one literal against its field (durable compares loosely, so we must not)."""
    value = _resolve(raw, path, ctx)
    if value is _REPORTED:
        return None
    if value is None:
        expected = f"expected {_TYPE_WORDS[spec.type]} for '{spec.name}'"
        ctx.report(path, f"{expected}, found null; test missing values with 'exists: false'")
        return None
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value),
        "str": isinstance(value, str),
        "bool": isinstance(value, bool),
        "date": isinstance(value, dt.date) and not isinstance(value, dt.datetime),
        "action": isinstance(value, str),
    }[spec.type]
    if spec.type == "date" and isinstance(value, str):
        try:
            value, ok = dt.date.fromisoformat(value), True
        except ValueError:
            ok = False
    if not ok:
        hint = " (quote it to make it text)" if spec.type == "str" and not isinstance(value, list | dict) else ""
        ctx.report(path, f"expected {_TYPE_WORDS[spec.type]} for '{spec.name}', found {_show(value)}{hint}")
        return None
    if spec.type == "action" and value not in ctx.actions:
        ctx.report(path, f"unknown action id '{value}'{did_you_mean(value, ctx.actions.ids())}")
    if spec.choices is not None and value not in spec.choices:
        choices = [str(choice) for choice in spec.choices]
        hint = did_you_mean(str(value), choices)
        ctx.report(path, f"'{spec.name}' is one of {', '.join(choices)}, found {_show(value)}{hint}")
    return value


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def fields_used(condition: Condition | None) -> list[str]:
    """Subject-level field names a condition tests, in order (not inside quantifiers)."""
    if isinstance(condition, FieldTest):
        return [condition.field]
    if isinstance(condition, AllOf | AnyOf):
        return [name for child in condition.children for name in fields_used(child)]
    return []


def quantifiers_in(condition: Condition | None) -> list[Quantifier]:
    """Every quantifier in a condition tree, in order."""
    if isinstance(condition, Quantifier):
        return [condition]
    if isinstance(condition, AllOf | AnyOf):
        return [q for child in condition.children for q in quantifiers_in(child)]
    return []
