"""Compliance and level: what a public official or the gift cap rules out, what a person's level does not
call for (our executive for a middle manager), and the step offered instead."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, NamedTuple

from ..model.actions import ActionCatalogue, ActionType, Compliance
from ..model.recommendation import Recommendation, recommendation_id
from ..model.texts import label, say
from ..playbooks.playbook import ActionSpec
from .firing import Firing

#: Actions a person's level or place decides: our executive visits executive and senior people and those who
#: sign; the exhibition goes to the people who sign and the key people. An opponent keeps the three axes
#: whatever their level.
_BY_LEVEL = frozenset({"executive_visit", "exhibition_invite"})
_SENIOR = frozenset({"executive", "senior"})
_OWNER_VISIT = "regular_office_visit"

#: How the rule's own recommendation becomes the one kept (a compliant step, a note): applied when it is made.
Offer = Callable[[Recommendation], Recommendation]


class Verdict(NamedTuple):
    """What compliance makes of one action a rule asked for, decided before any recommendation is made.

    ``action``: what is recommended (the rule's action, the compliant step in its place), or None
    when nothing is; ``offer``: how the rule's recommendation becomes that one (None: unchanged);
    ``veto``: ``(reason, detail)`` when the rule's own recommendation is held back.
    """

    action: str | None
    offer: Offer | None = None
    veto: tuple[str, str] | None = None


def compliant(
    spec: ActionSpec,
    firing: Firing,
    actions: ActionCatalogue,
    gift_cap: float,
    currency: str,
    lang: str,
    cooling: Callable[[str], str | None],
) -> Verdict:
    """``spec``'s action as compliance allows it: unchanged, with a note, replaced by its compliant step, or
    ruled out.

    A public official is never offered a private rung or a gift: the first of the action's
    ``alternatives`` that is not cooling down (``cooling`` says why one is) takes its place,
    with a note saying why. A gift above the cap stays, with a note to keep it within the cap.
    """
    action = actions[spec.action]
    if firing.rule.subject == "contact" and spec.action in _BY_LEVEL:
        return _by_level(spec.action, firing.subject, actions, lang, cooling)
    if action.compliance is Compliance.NONE:
        return Verdict(spec.action)
    if firing.rule.subject == "contact" and firing.subject.get("public_official"):
        vetoed = f"{spec.action} is never offered to a public official"
        for alternative in action.alternatives:
            step = actions.get(alternative)
            if step is None or step.compliance is not Compliance.NONE or cooling(alternative):
                continue
            offer = functools.partial(
                _official_step, vetoed=action, instead=alternative, step=step, subject=firing.subject, lang=lang
            )
            return Verdict(alternative, offer, ("compliance", f"{vetoed}; {alternative} offered instead"))
        return Verdict(None, None, ("compliance", vetoed))
    if action.compliance is Compliance.GIFT and spec.value is not None and spec.value > gift_cap:
        note = say("over_cap", lang, value=spec.value, cap=gift_cap, currency=currency)
        return Verdict(spec.action, functools.partial(replace, compliance=note))
    return Verdict(spec.action)


def _official_step(
    rec: Recommendation,
    *,
    vetoed: ActionType,
    instead: str,
    step: ActionType,
    subject: Mapping[str, Any],
    lang: str,
) -> Recommendation:
    """``rec`` for a public official: the compliant ``step`` in place of the ``vetoed`` action, with a note."""
    return replace(
        rec,
        id=recommendation_id(rec.account_id, instead, rec.subject_kind, rec.subject_id, rec.rule),
        action=instead,
        title=say("alternative_title", lang, label=label(step, lang), name=subject.get("name"),
                  title=subject.get("title") or "—"),
        rationale=say("alternative_rationale", lang, name=subject.get("name"), vetoed=label(vetoed, lang).lower(),
                      instead=label(step, lang)),
        owner_role=step.owner_role,
        body=None,
        compliance=say("official", lang, vetoed=label(vetoed, lang), instead=label(step, lang)),
    )  # fmt: skip


def _by_level(
    action_id: str,
    subject: Mapping[str, Any],
    actions: ActionCatalogue,
    lang: str,
    cooling: Callable[[str], str | None],
) -> Verdict:
    """The action unless the person's level or place does not call for it: a middle manager gets their
    owner's visit rather than our executive's; the exhibition is not for everyone."""
    name = subject.get("name")
    if (subject.get("stance") or 0) < 0:
        return Verdict(action_id)  # an opponent gets the three axes at any level (the method's evaluator at -1)
    if action_id == "exhibition_invite":
        if subject.get("decider") or subject.get("key_person"):
            return Verdict(action_id)
        return Verdict(None, None, ("level", say("exhibition_level", "en", name=name)))
    if subject.get("level") in _SENIOR or subject.get("decider"):
        return Verdict(action_id)  # executive and senior people, and whoever signs (leverage: our executive meets them)
    vetoed = say("executive_level", "en", name=name, level=subject.get("level"))
    step = actions.get(_OWNER_VISIT)
    if step is None or cooling(_OWNER_VISIT):
        return Verdict(None, None, ("level", vetoed))
    offer = functools.partial(_owner_visit, step=step, subject=subject, lang=lang)
    return Verdict(_OWNER_VISIT, offer, ("level", f"{vetoed}; {_OWNER_VISIT} offered instead"))


def _owner_visit(rec: Recommendation, *, step: ActionType, subject: Mapping[str, Any], lang: str) -> Recommendation:
    """``rec`` for a person below the level: their owner's office visit in place of our executive's."""
    name = subject.get("name")
    return replace(
        rec,
        id=recommendation_id(rec.account_id, _OWNER_VISIT, rec.subject_kind, rec.subject_id, rec.rule),
        action=_OWNER_VISIT,
        title=say("owner_visit_title", lang, label=label(step, lang), name=name, title=subject.get("title") or "—"),
        rationale=say("owner_visit_rationale", lang, name=name, level=subject.get("level")) + " " + rec.rationale,
        owner_role=step.owner_role,
        body=None,
    )
