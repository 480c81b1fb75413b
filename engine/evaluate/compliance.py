"""Compliance: what a public official or the gift cap rules out, and the compliant step offered instead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..model.actions import ActionCatalogue, Compliance
from ..model.recommendation import Recommendation, Suppressed, recommendation_id
from ..model.texts import label, say
from ..playbooks.playbook import ActionSpec
from .firing import Firing


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
