"""The one door to durable_rules: create the compiled rulesets and evaluate snapshots with them.

Nothing else imports ``durable``. Every guard of ``docs/durable.md`` is here or in
``durable_rulesets.py``, each marked ``guard N``. Evaluation of one snapshot happens in two
phases inside one session:

1. item facts (one per item of each collection a quantifier walks) are asserted; one durable
   rule per quantifier fires for every item whose ``where`` holds, and we count them;
2. subject facts, carrying those counts as fields ``_qN`` (matched) and ``_mN`` (not matched),
   are asserted; the main rule of each playbook rule fires for every subject it holds for.

We drive durable's C core (``durable_rules_engine``) directly rather than through
``durable.engine.Host``: the Python layer serialises with ``json.dumps``, which writes
numbers such as ``1e+16`` or ``5e-324`` that the C parser rejects (error 204), so every
ruleset and fact here goes through ``encode``, which writes plain decimals. Without a Host
there are no timer threads either (guard 2).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import durable_rules_engine as core
import orjson

from ..errors import EvaluationError, plain
from ..playbooks.playbook import Rule
from .durable_rulesets import (
    ACCOUNT_FIELDS,
    END,
    KEY,
    PARENT,
    POSITION,
    RULES_PER_RULESET,
    TYPE,
    compile_rules,
    encode,
    fact_field,
)
from .facts import Facts, Record
from .firing import Firing

__all__ = ["RULES_PER_RULESET", "DurableEvaluator", "encode"]

# assert_facts' result code when a fact was dropped as a duplicate (guard 5); it reports only
# the last fact that did not match, but every fact here has its own _k, so this is a backstop.
_OBSERVED = 2


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
        self._exotic_float = False  # this account has a float json.dumps would write badly
        compiled = compile_rules(self.rules)
        self._actions = {name: self._action(binding) for name, binding in compiled.bindings.items()}
        self._item_types = compiled.item_types
        self._field_names = {
            t: tuple((f, fact_field(f)) for f in sorted(names)) for t, names in compiled.fields.items()
        }
        every = set().union(*compiled.account_fields.values())
        self._field_names[ACCOUNT_FIELDS] = tuple((f, f"account__{f}") for f in sorted(every))
        # Per fact type, the account's fields its rules read: an activity fact need not carry the tier.
        self._account_names = {t: tuple(f"account__{f}" for f in sorted(n)) for t, n in compiled.account_fields.items()}
        # Per subject kind, the counts its facts carry: (matches key, collection, filtered, fields).
        self._counted = {
            kind: [
                ((index, q.index), q.collection, q.where is not None, f"_q{index}_{q.index}", f"_m{index}_{q.index}")
                for index, q in quantifiers
            ]
            for kind, quantifiers in compiled.quantifiers.items()
        }
        self._handles: list[int] = []
        self._routes: dict[str, list[int]] = {}  # fact type -> the rulesets with rules on it
        try:
            for name, definition in compiled.definitions.items():
                self._handles.append(core.create_ruleset(name, encode(definition)))
            handle_of = dict(zip(compiled.definitions, self._handles, strict=True))
            self._routes = {t: [handle_of[n] for n in names] for t, names in compiled.routes.items()}
        except core.error as exc:
            self.close()
            raise EvaluationError(f"durable_rules rejected the compiled rules: {exc}{_culprits(self.rules)}") from None

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

    # -- actions -------------------------------------------------------------------------

    def _action(self, binding: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
        if binding[0] == "item":
            matched = self._matched
            key = (binding[1], binding[2])

            def record(fact: dict[str, Any]) -> None:
                # guard 13: an $or fires once per branch that holds, so collect into a set.
                matched[key][fact[PARENT]].add(fact[POSITION])

        elif binding[0] == "subject":
            fired, rule_index = self._fired, binding[1]

            def record(fact: dict[str, Any]) -> None:
                fired.append((rule_index, fact[KEY]))

        else:
            return lambda fact: None
        return self._guarded(record)

    def _guarded(self, action: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        # guard 11: durable swallows exceptions raised in actions; record them instead.
        def run(fact: dict[str, Any]) -> None:
            try:
                action(fact)
            except Exception as exc:  # any failure must fail the account loudly
                self._errors.append(plain(exc))

        return run

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
        account = self._values(facts.account, ACCOUNT_FIELDS)
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
                fact[PARENT], fact[POSITION] = parent, position
                batch.append(fact)
        return batch

    def _fact(self, record: Record, fact_type: str, key: str, account: dict[str, Any]) -> dict[str, Any]:
        fact = self._values(record, fact_type)
        for name in self._account_names.get(fact_type, ()):
            if name in account:
                fact[name] = account[name]
        fact[TYPE] = fact_type
        fact[KEY] = key
        return fact

    def _values(self, record: Record, fact_type: str) -> dict[str, Any]:
        """The record's fields that rules on this fact type test, in durable's form."""
        # Missing values are left out, not sent as null: comparisons guard them with $ex.
        values = {}
        for field, name in self._field_names.get(fact_type, ()):
            value = record.get(field)
            kind: type = type(value)
            if kind is int or kind is str or kind is bool:  # the common case first: a third of the time
                values[name] = value
            elif value is None:
                continue
            elif kind is dt.date:
                values[name] = value.isoformat()  # guard 6: dates travel as ISO strings (they order correctly)
            else:
                if kind is float and value and not 1e-4 <= abs(value) < 1e16:
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
        text = encode(batch) if self._exotic_float else _dumps(batch)
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
            for action_name, message in orjson.loads(message_text).items():
                self._actions[action_name](message["m"])
            message_text = core.complete_and_start_action(handle, state_handle)

    def _finish(self) -> None:
        self._assert_all(END, [{TYPE: END, KEY: END}], self._handles)  # guard 1: into every ruleset
        for handle in self._handles:
            core.delete_state(handle, None)


def _dumps(batch: list[dict[str, Any]]) -> str:
    """Facts as JSON text: orjson, four times faster than ``json`` on the hot path of every account."""
    try:
        return orjson.dumps(batch).decode()
    except TypeError:  # an integer beyond 64 bits (an enricher's field): the standard library writes it
        return json.dumps(batch, ensure_ascii=False)


def _culprits(rules: Sequence[Rule]) -> str:
    """``; rejected: file:line (rule)`` for each rule durable rejects on its own (error 113: too many
    expressions in one sequence, e.g. many alternatives of several conditions each)."""
    rejected = []
    for rule in rules:
        try:
            for name, definition in compile_rules([rule]).definitions.items():
                core.delete_ruleset(core.create_ruleset(name, encode(definition)))
        except core.error:
            rejected.append(f"{rule.source} ({rule.qualified_id})")
    return f"; it cannot hold {'; '.join(rejected)}: write them with fewer alternatives" if rejected else ""
