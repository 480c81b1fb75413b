"""The one door to durable_rules: compile rules to its JSON rulesets and evaluate snapshots.

Nothing else imports ``durable``. Every guard of ``shared/durable-notes.md`` is here, each
marked ``guard N``. Evaluation of one snapshot happens in two phases inside one session:

1. item facts (one per item of each collection a quantifier walks) are asserted; one durable
   rule per quantifier fires for every item whose ``where`` holds, and we count them;
2. subject facts, carrying those counts as fields ``_qN`` (matched) and ``_mN`` (not matched),
   are asserted; the main rule of each playbook rule fires for every subject it holds for.

We drive durable's C core (``durable_rules_engine``) directly rather than through
``durable.engine.Host``: the Python layer serialises with ``json.dumps``, which writes
numbers such as ``1e+16`` or ``5e-324`` that the C parser rejects (error 204), so every
ruleset and fact here goes through ``_encode``, which writes plain decimals. Without a Host
there are no timer threads either (guard 2).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import durable_rules_engine as core

from ..errors import EvaluationError
from ..playbooks.conditions import ACCOUNT_PREFIX, AnyOf, Condition, FieldTest, Quantifier, quantifiers_in
from ..playbooks.playbook import Rule
from .facts import Facts, Record
from .firing import Firing

# guard 13 (#312): more than 64 range rules matching one fact silently fire nothing, so no
# ruleset holds more durable rules than this; a large playbook is split over several.
RULES_PER_RULESET = 32
_END = "$end"
# Reserved fact fields (record fields never start with _): type, unique key, and for items
# the parent subject's id and the item's position in its collection.
_TYPE, _KEY, _PARENT, _POSITION = "_t", "_k", "_p", "_i"
_ACCOUNT_FIELDS = "account fields"  # the account's fields every fact carries, keyed like a fact type
# assert_facts' result code when a fact was dropped as a duplicate (guard 5); it reports only
# the last fact that did not match, but every fact here has its own _k, so this is a backstop.
_OBSERVED = 2
_COMPARATORS = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
_instances = itertools.count()


class DurableEvaluator:
    """Rules compiled once into durable rulesets; ``evaluate`` runs one snapshot at a time.

    One instance holds one live session at a time (guard 5: a fixed sid, one session per
    process); it is not thread-safe (guard 14: scale with processes).
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self._lock = threading.Lock()
        self._matched: dict[tuple[int, int], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self._fired: list[tuple[int, str]] = []
        self._errors: list[str] = []
        # What each fact type must carry: only fields some rule tests (a smaller fact is a
        # faster assert), the account fields contact and opportunity rules read, and for
        # each subject kind the quantifiers whose counts its facts carry.
        self._fields: dict[str, set[str]] = defaultdict(set)
        self._exotic_float = False  # this account has a float json.dumps would write badly
        self._uses_account: set[str] = set()
        self._item_types: dict[str, bool] = {}  # item fact type -> any quantifier filters it
        self._quantifiers: dict[str, list[tuple[int, Quantifier]]] = defaultdict(list)
        self._route_names: dict[str, list[str]] = defaultdict(list)
        definitions, self._actions = self._compile()
        self._field_names = {t: tuple((f, _fact_field(f)) for f in sorted(names)) for t, names in self._fields.items()}
        self._field_names[_ACCOUNT_FIELDS] = tuple((f, f"account__{f}") for f in sorted(self._uses_account))
        # Per subject kind, the counts its facts carry: (matches key, collection, filtered, fields).
        self._counted = {
            kind: [
                ((index, q.index), q.collection, q.where is not None, f"_q{index}_{q.index}", f"_m{index}_{q.index}")
                for index, q in quantifiers
            ]
            for kind, quantifiers in self._quantifiers.items()
        }
        self._handles: list[int] = []
        self._routes: dict[str, list[int]] = {}  # fact type -> the rulesets with rules on it
        try:
            for name, definition in definitions.items():
                self._handles.append(core.create_ruleset(name, _encode(definition)))
            handle_of = dict(zip(definitions, self._handles, strict=True))
            self._routes = {t: [handle_of[n] for n in names] for t, names in self._route_names.items()}
        except core.error as exc:
            self.close()
            raise EvaluationError(f"durable_rules rejected the compiled rules: {exc}") from None

    def close(self) -> None:
        """Free the compiled rulesets in durable's C memory (they are never freed otherwise)."""
        with self._lock:
            for handle in self._handles:
                core.delete_ruleset(handle)
            self._handles = []

    def __enter__(self) -> DurableEvaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- compilation ---------------------------------------------------------------------

    def _compile(self) -> tuple[dict[str, Any], dict[str, Callable[[dict[str, Any]], None]]]:
        by_type: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)  # fact type -> durable rules
        actions: dict[str, Callable[[dict[str, Any]], None]] = {}
        for index, rule in enumerate(self.rules):
            for q in quantifiers_in(rule.when):
                item_type = f"i:{rule.subject}.{q.collection}"
                self._quantifiers[rule.subject].append((index, q))
                self._item_types[item_type] = self._item_types.get(item_type, False) or q.where is not None
                if q.where is None:
                    continue  # every item matches: counted without durable
                name = f"q{index}_{q.index}"
                pattern = _and([{_TYPE: item_type}, self._expression(q.where, index, item_type)])
                by_type[item_type].append((name, {"all": [{"m": pattern}]}))
                actions[name] = self._guarded(self._on_item(index, q.index))
            name = f"r{index}"
            pattern = _and([{_TYPE: f"s:{rule.subject}"}, self._expression(rule.when, index, f"s:{rule.subject}")])
            by_type[f"s:{rule.subject}"].append((name, {"all": [{"m": pattern}]}))
            actions[name] = self._guarded(self._on_subject(index))
        # guard 1: a sentinel rule on the end-of-account fact, so an action always ran
        # before delete_state; every ruleset gets its own.
        # Rulesets hold rules of one fact type, so a fact is asserted only where a rule can
        # match it (asserting into every ruleset doubled the cost with two of them).
        instance = next(_instances)
        definitions: dict[str, dict[str, Any]] = {}
        for fact_type, rules in sorted(by_type.items()):
            for start in range(0, len(rules), RULES_PER_RULESET):
                name = f"kamengine_{instance}_{len(definitions)}"
                definitions[name] = {
                    **dict(rules[start : start + RULES_PER_RULESET]),
                    "end": {"all": [{"m": {_TYPE: _END}}]},
                }
                self._route_names[fact_type].append(name)
        if not definitions:
            definitions[f"kamengine_{instance}_0"] = {"end": {"all": [{"m": {_TYPE: _END}}]}}
        actions["end"] = lambda fact: None
        return definitions, actions

    def _expression(self, condition: Condition, rule_index: int, fact_type: str) -> dict[str, Any] | None:
        """durable's form of a condition; ``None`` for an empty (always true) one."""
        if isinstance(condition, FieldTest):
            return self._field_test(condition, fact_type)
        if isinstance(condition, Quantifier):
            return _quantifier_test(condition, rule_index)
        expressions = [self._expression(child, rule_index, fact_type) for child in condition.children]
        children = [e for e in expressions if e is not None]
        if isinstance(condition, AnyOf):
            if len(children) < len(expressions):
                return None  # one alternative is always true
            return children[0] if len(children) == 1 else {"$or": children}
        return _and(children) if children else None

    def _field_test(self, test: FieldTest, fact_type: str) -> dict[str, Any]:
        name = test.field
        if name.startswith(ACCOUNT_PREFIX):
            self._uses_account.add(name[len(ACCOUNT_PREFIX) :])
            name = "account__" + name[len(ACCOUNT_PREFIX) :]
        else:
            self._fields[fact_type].add(name)
        name = _fact_field(name)
        exists = {"$ex": {name: 1}}  # guard 8: never compare a missing field
        if test.op == "exists":
            return exists if test.value else {"$nex": {name: 1}}
        if test.op == "in":
            # guard 13: no $in and no array literals, so an $or of equalities.
            options = [{name: _literal(v)} for v in dict.fromkeys(test.value)]
            return _and([exists, options[0] if len(options) == 1 else {"$or": options}])
        if test.op == "not_in":
            return _and([exists, *({"$neq": {name: _literal(v)}} for v in dict.fromkeys(test.value))])
        if test.op == "eq":
            return _and([exists, {name: _literal(test.value)}])
        return _and([exists, {_COMPARATORS[test.op]: {name: _literal(test.value)}}])

    # -- actions -------------------------------------------------------------------------

    def _guarded(self, action: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        # guard 11: durable swallows exceptions raised in actions; record them instead.
        def run(fact: dict[str, Any]) -> None:
            try:
                action(fact)
            except Exception as exc:  # any failure must fail the account loudly
                self._errors.append(f"{type(exc).__name__}: {exc}")

        return run

    def _on_item(self, rule_index: int, q_index: int) -> Callable[[dict[str, Any]], None]:
        def record(fact: dict[str, Any]) -> None:
            # guard 13: an $or fires once per branch that holds, so collect into a set.
            self._matched[(rule_index, q_index)][fact[_PARENT]].add(fact[_POSITION])

        return record

    def _on_subject(self, rule_index: int) -> Callable[[dict[str, Any]], None]:
        def record(fact: dict[str, Any]) -> None:
            self._fired.append((rule_index, fact[_KEY]))

        return record

    # -- evaluation ----------------------------------------------------------------------

    def evaluate(self, facts: Facts) -> list[Firing]:
        """The firings of every rule on one snapshot, in rule order then subject order."""
        with self._lock:
            if not self._handles:
                raise EvaluationError("this evaluator was closed; build a new one")
            try:
                return self._evaluate(facts)
            finally:
                self._matched.clear()
                self._fired.clear()
                self._errors.clear()

    def _evaluate(self, facts: Facts) -> list[Firing]:
        self._exotic_float = False
        account = self._values(facts.account, _ACCOUNT_FIELDS)
        # Phase 1: items, so that subject facts can carry the counts.
        for item_type, filtered in self._item_types.items():
            if filtered:
                self._assert_all(item_type, self._item_facts(facts, item_type, account))
        # Phase 2: subjects, carrying the counts of phase 1.
        subjects: dict[str, tuple[int, Record]] = {}
        for kind in sorted({rule.subject for rule in self.rules}):
            fact_type = f"s:{kind}"
            counted = self._counted.get(kind, ())
            batch = []
            for position, subject in enumerate(facts.subjects(kind)):
                key = f"{fact_type}#{subject['id']}"
                subjects[key] = (position, subject)
                fact = self._fact(subject, fact_type, key, account)
                subject_id = str(subject["id"])
                for matched_key, collection, filtered, matched_field, unmatched_field in counted:
                    total = len(facts.items(kind, subject_id, collection))
                    matched = len(self._matched[matched_key].get(subject_id, ())) if filtered else total
                    fact[matched_field], fact[unmatched_field] = matched, total - matched
                batch.append(fact)
            self._assert_all(fact_type, batch)
        self._finish()
        if self._errors:
            raise EvaluationError(f"a rule action failed: {self._errors[0]}")
        fired = sorted(set(self._fired), key=lambda f: (f[0], subjects[f[1]][0]))
        return [self._firing(facts, index, subjects[key][1]) for index, key in fired]

    def _firing(self, facts: Facts, index: int, subject: Record) -> Firing:
        """A firing with, per quantifier of its rule, the ids of the items that matched."""
        rule, subject_id = self.rules[index], str(subject["id"])
        matches: dict[int, tuple[str, ...]] = {}
        for q in rule.quantifiers:
            items = facts.items(rule.subject, subject_id, q.collection)
            if q.where is None:
                positions: Iterable[int] = range(len(items))
            else:
                positions = sorted(self._matched[(index, q.index)].get(subject_id, ()))
            matches[q.index] = tuple(str(items[p]["id"]) for p in positions)
        return Firing(rule, subject, matches)

    def _item_facts(self, facts: Facts, item_type: str, account: dict[str, Any]) -> list[dict[str, Any]]:
        kind, collection = item_type[2:].split(".")
        batch = []
        for subject in facts.subjects(kind):
            parent = str(subject["id"])
            for position, item in enumerate(facts.items(kind, parent, collection)):
                fact = self._fact(item, item_type, f"{item_type}#{parent}#{position}", account)
                fact[_PARENT], fact[_POSITION] = parent, position
                batch.append(fact)
        return batch

    def _fact(self, record: Record, fact_type: str, key: str, account: dict[str, Any]) -> dict[str, Any]:
        fact = self._values(record, fact_type)
        fact.update(account)
        fact[_TYPE] = fact_type
        fact[_KEY] = key
        return fact

    def _values(self, record: Record, fact_type: str) -> dict[str, Any]:
        """The record's fields that rules on this fact type test, in durable's form."""
        # Missing values are left out, not sent as null: comparisons guard them with $ex.
        values = {}
        for field, name in self._field_names.get(fact_type, ()):
            value = record.get(field)
            if value is None:
                continue
            if type(value) is dt.date:
                value = value.isoformat()  # guard 6: dates travel as ISO strings (they order correctly)
            elif type(value) is float and value and not 1e-4 <= abs(value) < 1e16:
                self._exotic_float = True  # json.dumps would write it in exponent form
            values[name] = value
        return values

    def _assert_all(self, fact_type: str, batch: list[dict[str, Any]], handles: Sequence[int] | None = None) -> None:
        """Assert a batch of facts of one type into each ruleset with rules on it, then run the actions.

        guard 3: ``assert_facts`` of the C core handles every fact of the batch (the Python
        layer's version raised when one matched nothing); its result code only tells about
        some fact, so the actions are always drained.
        """
        if not batch:
            return
        text = _encode(batch) if self._exotic_float else json.dumps(batch, ensure_ascii=False)
        for handle in self._routes.get(fact_type, ()) if handles is None else handles:
            try:
                code, state = core.assert_facts(handle, text)
            except core.error as exc:
                raise EvaluationError(f"durable_rules failed on {fact_type} facts: {exc}") from None
            if code == _OBSERVED:
                raise EvaluationError(f"durable dropped a duplicate {fact_type} fact")
            self._run_actions(handle, state)

    def _run_actions(self, handle: int, state_handle: int) -> None:
        # Actions run inside assert (guard 3): drain every one now. No update_state: it only
        # re-asserts the session state, and no rule here reads state (guard 12).
        result = core.start_action_for_state(handle, state_handle)
        message_text = result[1] if result else None
        while message_text:
            for action_name, message in json.loads(message_text).items():
                self._actions[action_name](message["m"])
            message_text = core.complete_and_start_action(handle, state_handle)

    def _finish(self) -> None:
        self._assert_all(_END, [{_TYPE: _END, _KEY: _END}], self._handles)  # guard 1: into every ruleset
        for handle in self._handles:
            core.delete_state(handle, None)


def _and(parts: Sequence[dict[str, Any] | None]) -> dict[str, Any]:
    # guard 7: a pattern object with several keys uses only the first, so always $and.
    flat: list[dict[str, Any]] = []
    for part in parts:
        if part is not None:
            flat.extend(part["$and"] if list(part) == ["$and"] else [part])
    return flat[0] if len(flat) == 1 else {"$and": flat}


def _quantifier_test(q: Quantifier, rule_index: int) -> dict[str, Any]:
    matched, unmatched = f"_q{rule_index}_{q.index}", f"_m{rule_index}_{q.index}"
    if q.quantifier == "any":
        return {"$gt": {matched: 0}}
    if q.quantifier == "none":
        return {matched: 0}
    if q.quantifier == "all":
        return {unmatched: 0}
    assert q.op is not None
    return {matched: q.value} if q.op == "eq" else {_COMPARATORS[q.op]: {matched: q.value}}


def _fact_field(name: str) -> str:
    # guard 5: a field called id replaces durable's content identity.
    return "_id" if name == "id" else name


def _literal(value: Any) -> Any:
    # guard 6: dates travel as ISO strings (they order correctly); everything else is
    # already type-checked against the field by the rule compiler.
    return value.isoformat() if isinstance(value, dt.date) else value


def _encode(value: Any) -> str:
    """JSON for durable's C parser: like ``json.dumps``, but numbers never in exponent form."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{_encode(str(k))}:{_encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text if "." in text else text + ".0"
    return json.dumps(value, ensure_ascii=False)
