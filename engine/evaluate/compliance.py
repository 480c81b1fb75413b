"""Compliance and level: what a public official or the gift cap rules out, what a person's level does not
call for (our executive for a middle manager), and the step offered instead."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ..model.actions import ActionCatalogue, Compliance
from ..model.recommendation import Recommendation, Suppressed, recommendation_id
from ..model.texts import label, say
from ..playbooks.playbook import ActionSpec
from .firing import Firing

#: Actions a person's level or place decides: our executive visits executive and senior people and those who
#: sign; the exhibition goes to the people who sign and the key people. An opponent keeps the three axes
#: whatever their level.
_BY_LEVEL = frozenset({"executive_visit", "exhibition_invite"})
_SENIOR = frozenset({"executive", "senior"})
_OWNER_VISIT = "regular_office_visit"


def compliant(
    rec: Recommendation,
    spec: ActionSpec,
    firing: Firing,
    actions: ActionCatalogue,
    gift_cap: float,
    currency: str,
    lang: str,
    cooling: Callable[[str], str | None],
) -> tuple[Recommendation | None, Suppressed | None]:
    """``rec`` as compliance allows it: unchanged, with a note, replaced by its compliant step, or ruled out.

    A public official is never offered a private rung or a gift: the first of the action's
    ``alternatives`` that is not cooling down (``cooling`` says why one is) takes its place,
    with a note saying why. A gift above the cap stays, with a note to keep it within the cap.
    """
    action = actions[spec.action]
    if firing.rule.subject == "contact" and spec.action in _BY_LEVEL:
        return _by_level(rec, spec.action, firing.subject, actions, lang, cooling)
    if action.compliance is Compliance.NONE:
        return rec, None
    if firing.rule.subject == "contact" and firing.subject.get("public_official"):
        vetoed = f"{spec.action} is never offered to a public official"
        for alternative in action.alternatives:
            step = actions.get(alternative)
            if step is None or step.compliance is not Compliance.NONE or cooling(alternative):
                continue
            subject = firing.subject
            title = say(
                "alternative_title",
                lang,
                label=label(step, lang),
                name=subject.get("name"),
                title=subject.get("title") or "—",
            )
            offered = replace(
                rec,
                id=recommendation_id(rec.account_id, alternative, rec.subject_kind, rec.subject_id, rec.rule),
                action=alternative,
                title=title,
                rationale=say(
                    "alternative_rationale",
                    lang,
                    name=subject.get("name"),
                    vetoed=label(action, lang).lower(),
                    instead=label(step, lang),
                ),
                owner_role=step.owner_role,
                body=None,
                compliance=say("official", lang, vetoed=label(action, lang), instead=label(step, lang)),
            )
            return offered, Suppressed(rec, "compliance", f"{vetoed}; {alternative} offered instead")
        return None, Suppressed(rec, "compliance", vetoed)
    if action.compliance is Compliance.GIFT and spec.value is not None and spec.value > gift_cap:
        note = say("over_cap", lang, value=spec.value, cap=gift_cap, currency=currency)
        return replace(rec, compliance=note), None
    return rec, None


def _by_level(
    rec: Recommendation,
    action_id: str,
    subject: Mapping[str, Any],
    actions: ActionCatalogue,
    lang: str,
    cooling: Callable[[str], str | None],
) -> tuple[Recommendation | None, Suppressed | None]:
    """``rec`` unless the person's level or place does not call for it: a middle manager gets their
    owner's visit rather than our executive's; the exhibition is not for everyone."""
    name, title = subject.get("name"), subject.get("title") or "—"
    if (subject.get("stance") or 0) < 0:
        return rec, None  # an opponent gets the three axes at any level (the method's evaluator at -1)
    if action_id == "exhibition_invite":
        if subject.get("decider") or subject.get("key_person"):
            return rec, None
        return None, Suppressed(rec, "level", say("exhibition_level", "en", name=name))
    if subject.get("level") in _SENIOR or subject.get("decider"):
        return rec, None  # executive and senior people, and whoever signs (leverage: our executive meets them)
    vetoed = say("executive_level", "en", name=name, level=subject.get("level"))
    step = actions.get(_OWNER_VISIT)
    if step is None or cooling(_OWNER_VISIT):
        return None, Suppressed(rec, "level", vetoed)
    offered = replace(
        rec,
        id=recommendation_id(rec.account_id, _OWNER_VISIT, rec.subject_kind, rec.subject_id, rec.rule),
        action=_OWNER_VISIT,
        title=say("owner_visit_title", lang, label=label(step, lang), name=name, title=title),
        rationale=say("owner_visit_rationale", lang, name=name, level=subject.get("level")) + " " + rec.rationale,
        owner_role=step.owner_role,
        body=None,
    )
    return offered, Suppressed(rec, "level", f"{vetoed}; {_OWNER_VISIT} offered instead")
