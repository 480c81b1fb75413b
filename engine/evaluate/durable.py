"""The one door to durable_rules: create the compiled rulesets and evaluate snapshots with them.

Nothing else imports ``durable``. Every guard of ``docs/durable.md`` is here, in
``durable_rulesets.py`` or in ``durable_facts.py``, each marked ``guard N``. Evaluation of one
snapshot happens in two phases inside one session per ruleset:

1. item facts (one per item of each collection a quantifier walks), every type in one
   ``assert_facts`` per ruleset; one durable rule per quantifier fires for every item whose
   ``where`` holds, and we count them;
2. subject facts, carrying those counts as fields ``_qN`` (matched) and ``_mN`` (not matched),
   and the end-of-account fact, in one ``assert_facts`` per ruleset; the main rule of each
   playbook rule fires for every subject it holds for.

An action carries every match of its rule (``cap``), and we read from its text only the ids of
the facts it matched (each fact's number in the account, ``durable_facts.py``).

We drive durable's C core (``durable_rules_engine``) directly rather than through
``durable.engine.Host``: the Python layer serialises with ``json.dumps``, which writes
numbers such as ``1e+16`` or ``5e-324`` that the C parser rejects (error 204), so every
ruleset goes through ``encode``, which writes plain decimals, and so does every account that
holds such a number. Without a Host there are no timer threads either (guard 2).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import durable_rules_engine as core

from ..errors import EvaluationError, plain
from ..playbooks.playbook import Rule
from .durable_facts import FactWriter
from .durable_facts import dumps as _dumps  # noqa: F401 (tests read it here)
from .durable_rulesets import ACCOUNT_FIELD, ACCOUNT_FIELDS, RULES_PER_RULESET, compile_rules, encode
from .facts import Facts, Record
from .firing import Firing

__all__ = ["RULES_PER_RULESET", "DurableEvaluator", "encode"]

# assert_facts' result code when a fact was dropped as a duplicate (guard 5); it reports only
# the last fact that did not match, but every fact here has its own id, so this is a backstop.
_OBSERVED = 2
Action = Callable[[list[str]], None]  # called with the ids of the facts a rule matched


class DurableEvaluator:
    """Rules compiled once into durable rulesets; ``evaluate`` runs one snapshot at a time.

    One instance holds one live session per ruleset at a time (guard 5: a fixed sid); it is
    not thread-safe (guard 14: scale with processes).
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self._lock = threading.Lock()
        self._matched: dict[tuple[int, int], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self._fired: list[tuple[int, str]] = []
        self._errors: list[str] = []
        compiled = compile_rules(self.rules)
        short = compiled.names  # each field's name in the facts
        field_names = {t: tuple((f, short[f]) for f in sorted(names)) for t, names in compiled.fields.items()}
        every = set().union(*compiled.account_fields.values())
        field_names[ACCOUNT_FIELDS] = tuple((f, short[ACCOUNT_FIELD + f]) for f in sorted(every))
        account_names = {
            t: tuple(short[ACCOUNT_FIELD + f] for f in sorted(n)) for t, n in compiled.account_fields.items()
        }
        self._writer = FactWriter(field_names, account_names)
        self._actions = {name: self._action(binding) for name, binding in compiled.bindings.items()}
        self._item_types = [t for t, filtered in compiled.item_types.items() if filtered]
        self._kinds = sorted({rule.subject for rule in self.rules})
        # Per subject kind, the counts its facts carry: (matches key, collection, filtered, field, of matches).
        self._counted = {
            kind: [
                ((index, q.index), q.collection, q.where is not None, name, name.startswith("_q"))
                for index, q in quantifiers
                for name in (f"_q{index}_{q.index}", f"_m{index}_{q.index}")
                if name in compiled.counts  # a rule tests it: "all" counts the unmatched, the others the matched
            ]
            for kind, quantifiers in compiled.quantifiers.items()
        }
        self._handles: list[int] = []
        self._types: list[tuple[int, list[str], list[str]]] = []  # per ruleset: handle, its item and subject types
        try:
            for name, definition in compiled.definitions.items():
                handle = core.create_ruleset(name, encode(definition))
                self._handles.append(handle)
                types = [t for t, names in sorted(compiled.routes.items()) if name in names]
                self._types.append((handle, [t for t in types if t[0] == "i"], [t for t in types if t[0] == "s"]))
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

    def _action(self, binding: tuple[Any, ...]) -> Action:
        meaning = self._writer.meaning
        if binding[0] == "item":
            matched = self._matched
            key = (binding[1], binding[2])

            def record(ids: list[str]) -> None:
                # guard 15: an $or fires once per branch that holds, so collect into a set.
                found = matched[key]
                for fact_id in ids:
                    for parent, position in meaning[fact_id]:  # every item the fact stands for
                        found[parent].add(position)

        elif binding[0] == "subject":
            fired, rule_index = self._fired, binding[1]

            def record(ids: list[str]) -> None:
                fired.extend((rule_index, fact_id) for fact_id in ids)

        else:
            return lambda ids: None
        return self._guarded(record)

    def _guarded(self, action: Action) -> Action:
        # guard 11: a failing action must fail the account loudly, not vanish into the session.
        def run(ids: list[str]) -> None:
            try:
                action(ids)
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
            except BaseException:
                self._discard()
                raise
            finally:
                self._matched.clear()
                self._fired.clear()
                self._errors.clear()

    def _evaluate(self, facts: Facts) -> list[Firing]:
        writer = self._writer
        writer.start(facts)
        # Phase 1: items, so that subject facts can carry the counts.
        texts = {t: writer.fragment(writer.items(facts, t)) for t in self._item_types}
        for handle, item_types, _ in self._types:
            self._assert(handle, [texts[t] for t in item_types])
        # Phase 2: subjects, carrying the counts of phase 1, and the end of the account (guard 1).
        texts = {f"s:{kind}": writer.fragment(self._subject_facts(facts, kind)) for kind in self._kinds}
        end = writer.end()
        for handle, _, subject_types in self._types:
            self._assert(handle, [*(texts.get(t, "") for t in subject_types), end])
        for handle in self._handles:
            core.delete_state(handle, None)
        if self._errors:
            raise EvaluationError(f"a rule action failed: {self._errors[0]}")
        meaning = writer.meaning
        fired = sorted(set(self._fired), key=lambda f: (f[0], meaning[f[1]][0]))
        return [self._firing(facts, index, meaning[fact_id][1]) for index, fact_id in fired]

    def _subject_facts(self, facts: Facts, kind: str) -> list[dict[str, Any]]:
        """One fact per subject of this kind, with the counts of its quantifiers, meaning (position, record)."""
        fact_type, writer = f"s:{kind}", self._writer
        extra = writer.extra(fact_type)
        collections = facts.collections
        counted = [
            (collection, self._matched[key] if filtered else None, name, of_matches)
            for key, collection, filtered, name, of_matches in self._counted.get(kind, ())
        ]
        batch = []
        for position, subject in enumerate(facts.subjects(kind)):
            fact = writer.fact(subject, fact_type, extra, (position, subject))
            subject_id = str(subject["id"])
            for collection, found, name, of_matches in counted:
                if found is not None and of_matches:  # the matches of a where: the collection's size not needed
                    fact[name] = len(found.get(subject_id, ()))
                    continue
                total = len(collections.get((kind, subject_id, collection), ()))
                matched = total if found is None else len(found.get(subject_id, ()))
                fact[name] = matched if of_matches else total - matched
            batch.append(fact)
        return batch

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

    def _assert(self, handle: int, fragments: list[str]) -> None:
        """Assert facts of several types into one ruleset, as one JSON array, then run the actions.

        guard 3: ``assert_facts`` of the C core handles every fact of the batch (the Python
        layer's version raised when one matched nothing); its result code only tells about
        some fact, so the actions are always drained.
        """
        text = ",".join(fragment for fragment in fragments if fragment)
        if not text:
            return
        try:
            code, state = core.assert_facts(handle, f"[{text}]")
        except core.error as exc:
            raise EvaluationError(f"durable_rules failed on the facts: {exc}") from None
        if code == _OBSERVED:
            raise EvaluationError("durable dropped a fact as a duplicate")
        self._drain(handle, state)

    def _drain(self, handle: int, state: int) -> None:
        """Run every action the last assert started, one per rule that fired (``cap``)."""
        # Actions run inside assert (guard 3): drain every one now. No update_state: it only
        # re-asserts the session state, and no rule here reads state (guard 12).
        result = core.start_action_for_state(handle, state)
        message = result[1] if result else None
        ids_in, actions = self._writer.ids_in, self._actions
        while message:
            name, ids = ids_in(message)
            actions[name](ids)
            message = core.complete_and_start_action(handle, state)

    def _discard(self) -> None:
        """After a failure, end every ruleset's session all the same: the next account starts clean.

        Ids start again at 0 with each account, so a fact left behind would shadow the next
        account's fact of the same id (guard 18). The end fact runs an action in each session
        first (guard 1); one already there is refused as a duplicate, its action having run.
        """
        for handle in self._handles:
            try:
                self._drain(handle, core.assert_facts(handle, f"[{self._writer.end()}]")[1])
                core.delete_state(handle, None)
            except core.error:
                continue


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
