"""What needs a compliance officer's approval, though it is allowed: hospitality for a public official,
and hospitality, private occasions or gifts for the people deciding a deal while it is being decided
(a tender's quiet period, a negotiation)."""

from __future__ import annotations

from collections.abc import Sequence

from ..evaluate.facts import Facts
from ..model.actions import Mode
from ..model.texts import label, say
from .draft import Draft

#: Besides what we host (``hosted``: travel, a celebration, an outing), private occasions and gifts are hospitality.
_HOSPITALITY = frozenset({Mode.PRIVATE, Mode.GIFT})


def approvals(draft: Draft, facts: Facts, lang: str, quiet_stages: Sequence[str]) -> list[str]:
    """The approvals a recommendation needs, each as a note a person can act on."""
    action = draft.action
    if draft.subject is None or not (action.hosted or action.kind in _HOSPITALITY or action.kind == Mode.CARE):
        return []
    name = label(action, lang) if lang == "zh" else _with_article(label(action, lang).lower())
    if draft.rec.subject_kind == "contact":
        person = draft.subject
        officials = bool(person.get("public_official"))
        deciding = [d for d in facts.items("contact", str(person["id"]), "deals") if d.get("stage") in quiet_stages]
    elif draft.rec.subject_kind == "opportunity":
        members = facts.items("opportunity", str(draft.subject["id"]), "members")
        officials = any(m.get("public_official") for m in members)
        deal = draft.subject
        deciding = [deal] if deal.get("live") and deal.get("stage") in quiet_stages and members else []
    else:
        return []
    notes = []
    if officials:
        said = say("hosted_official", lang, action=name)
        notes.append(said[:1].upper() + said[1:])
    if deciding and action.kind != Mode.CARE:
        notes.append(say("quiet_period", lang, action=name, deal=deciding[0]["name"]))
    return notes


def _with_article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"
