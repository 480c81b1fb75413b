"""What a rule's action writes into every recommendation it makes, worked out once per rule, action and language."""

from __future__ import annotations

import functools

from ..model.i18n import pick
from ..playbooks.conditions import ACCOUNT_PREFIX
from ..playbooks.playbook import ActionSpec, Rule
from ..playbooks.templates import Sourced, sourced


class Recipe:
    """The parts of a recommendation that are the same for every subject: the texts in one language (templates
    parsed), the rule's ids, the evidence's keys and where each of its fields is read."""

    __slots__ = (
        "action", "body", "id_key", "kind", "owner_role", "quantifiers", "rationale", "readers", "rule_id", "title",
    )  # fmt: skip

    def __init__(self, rule: Rule, spec: ActionSpec, lang: str) -> None:
        self.rule_id, self.kind = rule.qualified_id, rule.subject
        self.action, self.owner_role = spec.action, spec.owner_role
        self.title: Sourced = sourced(pick(spec.title, lang))
        self.body: Sourced | None = sourced(pick(spec.body, lang)) if spec.body else None
        self.rationale = one_line(pick(rule.rationale, lang))
        self.id_key = f"{rule.subject}_id"
        # Each tested field with the account's field it reads (None: the subject's own), as ``field_value`` reads it.
        self.readers: tuple[tuple[str, str | None], ...] = tuple(
            (name, name[len(ACCOUNT_PREFIX) :] if name.startswith(ACCOUNT_PREFIX) else None)
            for name in rule.tested_fields
        )
        self.quantifiers = tuple((f"{q.quantifier} {q.collection}", q.index) for q in rule.quantifiers)


#: Recipes by the ids of their rule and action and the language, with the rule and action themselves: an id is
#: only ever reused once its object is gone, and these keep theirs alive (bounded: cleared when full).
_RECIPES: dict[tuple[int, int, str], tuple[Rule, ActionSpec, Recipe]] = {}
_MOST = 4096


def recipe(rule: Rule, spec: ActionSpec, lang: str) -> Recipe:
    """The recipe of ``spec`` of ``rule`` in ``lang``, made the first time it is asked for."""
    key = (id(rule), id(spec), lang)
    found = _RECIPES.get(key)
    if found is not None and found[0] is rule and found[1] is spec:
        return found[2]
    if len(_RECIPES) >= _MOST:
        _RECIPES.clear()  # rules of playbooks loaded again and again (a long-lived service): keep memory bounded
    made = Recipe(rule, spec, lang)
    _RECIPES[key] = (rule, spec, made)
    return made


@functools.lru_cache(maxsize=1024)
def one_line(text: str) -> str:
    """A rationale as one line: its whitespace runs made single spaces."""
    return " ".join(text.split())
