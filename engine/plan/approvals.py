"""What needs a compliance officer's approval, though it is allowed: hosted travel for a public official,
and private occasions, gifts or hosted travel with someone evaluating a tender (its quiet period)."""

from __future__ import annotations

from ..evaluate.facts import Facts
from ..model.actions import Mode
from ..model.texts import label, say
from .draft import Draft


def approvals(draft: Draft, facts: Facts, lang: str) -> list[str]:
    """The approvals a recommendation needs, each as a note a person can act on."""
    if draft.rec.subject_kind != "contact" or draft.subject is None:
        return []
    action, person = draft.action, draft.subject
    notes = []
    if action.hosted and person.get("public_official"):
        notes.append(say("hosted_official", lang, action=label(action, lang)))
    if action.hosted or action.kind in (Mode.PRIVATE, Mode.GIFT):
        tenders = [d for d in facts.items("contact", str(person["id"]), "deals") if d.get("stage") == "bidding"]
        if tenders:
            notes.append(say("quiet_period", lang, action=label(action, lang), deal=tenders[0]["name"]))
    return notes
