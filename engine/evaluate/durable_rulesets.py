"""Compile rules into durable_rules' JSON rulesets (pure Python: ``durable.py`` is the door that runs them).

Every guard here is numbered as in ``docs/durable.md``. Each playbook rule becomes one
durable rule on its subject's facts (``r<rule>``) plus one per quantifier with a ``where``
on the items of its collection (``q<rule>_<quantifier>``). A ruleset holds at most
``RULES_PER_RULESET`` rules of each fact type, of every type: each pattern tests the fact's
type first, so a fact meets only its own type's rules, and an account costs one session per
ruleset (built-in playbooks: 1 ruleset, not one per fact type).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..playbooks.conditions import ACCOUNT_PREFIX, AnyOf, Condition, FieldTest, Quantifier, quantifiers_in
from ..playbooks.playbook import Rule

# guard 13 (#312): too many rules matching one fact fail its assert (error 303): 64 of one test, 54 whose
# twelve alternatives all hold (the widest durable takes, guard 17), measured. So no ruleset holds more
# durable rules of one fact type than this; a large playbook is split over several. 40: the built-in
# playbooks' 37 contact rules in one ruleset (one session and one parse of each fact, not two).
RULES_PER_RULESET = 40
END = "$end"
# Reserved fact fields: the fact's type and its number in the account, as durable's own id (guards 5
# and 18: a field named id is the fact's identity, in place of a hash of its content). Record fields
# travel under short names, f0, f1... (``CompiledRules.names``), the record's own id among them.
TYPE, ID = "_t", "id"
# An action receives up to this many matches of its rule at once (durable's "cap"; its most):
# one action per rule that fired, not one per fact it fired for.
CAP = 65535
ACCOUNT_FIELDS = "account fields"  # the account's fields some fact carries, keyed like a fact type
ACCOUNT_FIELD = "account__"  # an account's field a contact's or a deal's rule reads: account__<field>
_COMPARATORS = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
_instances = itertools.count()


@dataclass
class CompiledRules:
    """Rules in durable's form, and what evaluation needs to feed them and read their firings."""

    definitions: dict[str, dict[str, Any]] = field(default_factory=dict)  # ruleset name -> durable JSON
    # durable rule name -> what firing it means: ("item", rule index, quantifier index),
    # ("subject", rule index) or ("end",)
    bindings: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    # What each fact type must carry: only fields some rule tests (a smaller fact is a faster
    # assert), and the account fields contact and opportunity rules read.
    fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    account_fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # per fact type
    item_types: dict[str, bool] = field(default_factory=dict)  # item fact type -> any quantifier filters it
    quantifiers: dict[str, list[tuple[int, Quantifier]]] = field(default_factory=lambda: defaultdict(list))
    routes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # fact type -> rulesets
    counts: set[str] = field(default_factory=set)  # the count fields (``_qN``, ``_mN``) some rule tests
    # record field (``account__<field>`` for the account's) -> its name in durable: ``f<n>``, a fifth of the
    # text durable parses and hashes for every fact (no record field is then called id: guard 5)
    names: dict[str, str] = field(default_factory=dict)

    def fact_field(self, name: str) -> str:
        """A record field's short name in the facts and the rulesets."""
        found = self.names.get(name)
        if found is None:
            found = self.names[name] = f"f{len(self.names)}"
        return found


def compile_rules(rules: Sequence[Rule]) -> CompiledRules:
    """The durable rulesets of ``rules``, with unique names (durable keeps rulesets in globals)."""
    compiled = CompiledRules()
    by_type: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)  # fact type -> durable rules
    for index, rule in enumerate(rules):
        for q in quantifiers_in(rule.when):
            item_type = f"i:{rule.subject}.{q.collection}"
            compiled.quantifiers[rule.subject].append((index, q))
            compiled.item_types[item_type] = compiled.item_types.get(item_type, False) or q.where is not None
            if q.where is None:
                continue  # every item matches: counted without durable
            name = f"q{index}_{q.index}"
            pattern = and_([{TYPE: item_type}, _expression(compiled, q.where, index, item_type)])
            by_type[item_type].append((name, {"all": [{"m": pattern}], "cap": CAP}))
            compiled.bindings[name] = ("item", index, q.index)
        name = f"r{index}"
        fact_type = f"s:{rule.subject}"
        pattern = and_([{TYPE: fact_type}, _expression(compiled, rule.when, index, fact_type)])
        by_type[fact_type].append((name, {"all": [{"m": pattern}], "cap": CAP}))
        compiled.bindings[name] = ("subject", index)
    _pack(compiled, by_type)
    return compiled


def _pack(compiled: CompiledRules, by_type: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
    """Ruleset ``n`` holds the ``n``-th ``RULES_PER_RULESET`` rules of every fact type.

    guard 13 (#312) counts the rules one fact meets, and a fact meets only its own type's: every
    pattern's first test is ``_t`` (durable shares that node among a type's rules, and a fact's
    other ``_t`` nodes fail at once). guard 1: every ruleset has the sentinel rule on the
    end-of-account fact, so an action always ran before ``delete_state``.
    """
    instance = next(_instances)
    chunks = max((-(-len(durable_rules) // RULES_PER_RULESET) for durable_rules in by_type.values()), default=1)
    names = [f"kamengine_{instance}_{n}" for n in range(chunks)]
    for name in names:
        compiled.definitions[name] = {}
    for fact_type, durable_rules in sorted(by_type.items()):
        for start in range(0, len(durable_rules), RULES_PER_RULESET):
            name = names[start // RULES_PER_RULESET]
            compiled.definitions[name].update(durable_rules[start : start + RULES_PER_RULESET])
            compiled.routes[fact_type].append(name)
    for name in names:
        compiled.definitions[name]["end"] = {"all": [{"m": {TYPE: END}}], "cap": CAP}
    compiled.bindings["end"] = ("end",)


def _expression(
    compiled: CompiledRules, condition: Condition, rule_index: int, fact_type: str
) -> dict[str, Any] | None:
    """durable's form of a condition; ``None`` for an empty (always true) one."""
    if isinstance(condition, FieldTest):
        return _field_test(compiled, condition, fact_type)
    if isinstance(condition, Quantifier):
        return _quantifier_test(compiled, condition, rule_index)
    # Inside "any of: f <op> v, f is missing", f <op> v needs no guard 8: whatever durable makes of a
    # missing f, the alternative already holds. Fewer nested $and keep durable within its 32 expressions
    # a sequence (error 113), which negated decision-table rows would otherwise reach.
    missing = {c.field for c in condition.children if isinstance(c, FieldTest) and c.op == "exists" and not c.value}
    expressions = [
        _field_test(compiled, child, fact_type, guard=False)
        if isinstance(condition, AnyOf) and isinstance(child, FieldTest) and child.field in missing
        else _expression(compiled, child, rule_index, fact_type)
        for child in condition.children
    ]
    children = [e for e in expressions if e is not None]
    if isinstance(condition, AnyOf):
        if len(children) < len(expressions):
            return None  # one alternative is always true
        return children[0] if len(children) == 1 else {"$or": children}
    return and_(children) if children else None


def _field_test(compiled: CompiledRules, test: FieldTest, fact_type: str, guard: bool = True) -> dict[str, Any]:
    name = test.field
    if name.startswith(ACCOUNT_PREFIX):
        compiled.account_fields[fact_type].add(name[len(ACCOUNT_PREFIX) :])
        name = ACCOUNT_FIELD + name[len(ACCOUNT_PREFIX) :]
    else:
        compiled.fields[fact_type].add(name)
    name = compiled.fact_field(name)
    if test.op == "exists":
        return {"$ex": {name: 1}} if test.value else {"$nex": {name: 1}}
    exists = {"$ex": {name: 1}} if guard else None  # guard 8: never compare a missing field
    if test.op == "in":
        # guard 13: no $in and no array literals, so an $or of equalities.
        options = [{name: _literal(v)} for v in dict.fromkeys(test.value)]
        return and_([exists, options[0] if len(options) == 1 else {"$or": options}])
    if test.op == "not_in":
        return and_([exists, *({"$neq": {name: _literal(v)}} for v in dict.fromkeys(test.value))])
    if test.op == "eq":
        return and_([exists, {name: _literal(test.value)}])
    return and_([exists, {_COMPARATORS[test.op]: {name: _literal(test.value)}}])


def and_(parts: Sequence[dict[str, Any] | None]) -> dict[str, Any]:
    # guard 7: a pattern object with several keys uses only the first, so always $and.
    flat: list[dict[str, Any]] = []
    for part in parts:
        if part is not None:
            flat.extend(part["$and"] if list(part) == ["$and"] else [part])
    return flat[0] if len(flat) == 1 else {"$and": flat}


def _quantifier_test(compiled: CompiledRules, q: Quantifier, rule_index: int) -> dict[str, Any]:
    matched, unmatched = f"_q{rule_index}_{q.index}", f"_m{rule_index}_{q.index}"
    compiled.counts.add(unmatched if q.quantifier == "all" else matched)  # a subject's fact carries only these
    if q.quantifier == "any":
        return {"$gt": {matched: 0}}
    if q.quantifier == "none":
        return {matched: 0}
    if q.quantifier == "all":
        return {unmatched: 0}
    assert q.op is not None
    return {matched: q.value} if q.op == "eq" else {_COMPARATORS[q.op]: {matched: q.value}}


def _literal(value: Any) -> Any:
    # guard 6: dates travel as ISO strings (they order correctly); everything else is
    # already type-checked against the field by the rule compiler.
    return value.isoformat() if isinstance(value, dt.date) else value


def encode(value: Any) -> str:
    """JSON for durable's C parser: like ``json.dumps``, but numbers never in exponent form."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{encode(str(k))}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(encode(v) for v in value) + "]"
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text if "." in text else text + ".0"
    if isinstance(value, dt.date):  # a fact's date, written as orjson writes it (guard 6)
        return json.dumps(value.isoformat())
    return json.dumps(value, ensure_ascii=False)
