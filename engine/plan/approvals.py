"""Compliance while a deal is decided, and what needs a compliance officer's approval though it is allowed.

While a deal is being decided (a tender's quiet period, a negotiation), private occasions and gifts for
the people deciding it are not proposed: the compliant step takes their place (an office visit, a
technical exchange), or the occasion waits until after the award. No trip we host (an HQ tour, the
exhibition, a reference site, a summit) falls in the 14 days before a deal they decide closes. What
remains allowed with approval carries a note: hospitality for a public official, and hospitality for the
people deciding a deal while it is being decided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from ..evaluate.facts import Facts
from ..model.actions import ActionCatalogue, ActionType, Compliance, Mode
from ..model.recommendation import recommendation_id
from ..model.texts import label, say
from .draft import Draft, Record

#: Besides what we host (``hosted``: travel, a celebration, an outing), private occasions and gifts are hospitality.
_HOSPITALITY = frozenset({Mode.PRIVATE, Mode.GIFT})
_CARE = Mode.CARE  # read once: an enum member read from its class costs a lookup, and this is asked per draft
#: Trips: an occasion we host that takes the person away (travel), and the summit; never close to an award.
_TRIPS = frozenset({"hq_tour", "exhibition_invite", "reference_site_visit", "summit_dialogue"})
TRIP_FREE_DAYS = 14  # no trip for a decider in the last days before their deal closes


def while_decided(
    draft: Draft, facts: Facts, actions: ActionCatalogue, lang: str, quiet_stages: Sequence[str]
) -> str | None:
    """Change ``draft`` as a deal being decided requires; return why it is ruled out altogether, or None."""
    if draft.rec.subject_kind != "contact" or draft.subject is None:
        return None
    if draft.action.kind not in _HOSPITALITY and draft.action.id not in _TRIPS:
        return None  # most work: nothing a deal being decided changes, so no need to read the person's deals
    live = facts.items("contact", str(draft.subject["id"]), "deals")
    if draft.action.kind in _HOSPITALITY:
        deciding = [d for d in live if d.get("stage") in quiet_stages]
        if deciding:
            return _instead_of_hospitality(draft, facts, actions, lang, deciding)
    if draft.action.id in _TRIPS:
        return _trip_clear_of_close(draft, facts.as_of, lang, live)
    return None


def _instead_of_hospitality(
    draft: Draft, facts: Facts, actions: ActionCatalogue, lang: str, deciding: list[Record]
) -> str | None:
    """The compliant step in place of a private occasion or gift; else the occasion after the award."""
    deal = deciding[0]
    vetoed = label(draft.action, lang) if lang == "zh" else label(draft.action, lang).lower()
    for alternative in draft.action.alternatives:
        step = actions.get(alternative)
        if step is None or step.compliance is not Compliance.NONE or _cooling(step, draft, facts):
            continue
        note = say("quiet_instead", lang, deal=deal["name"], vetoed=vetoed, instead=label(step, lang))
        _replace(draft, step, lang, note, str(deal["name"]))
        return None
    closes = [d.get("close_date") for d in deciding]
    if any(close is None for close in closes):
        return say("quiet_ruled_out", "en", deal=deal["name"], vetoed=vetoed)
    award = max(c for c in closes if isinstance(c, dt.date))
    _defer(draft, award, say("quiet_deferred", lang, deal=deal["name"], vetoed=vetoed, award=award.isoformat()))
    return None


def _trip_clear_of_close(draft: Draft, as_of: dt.date, lang: str, live: list[Record]) -> str | None:
    """Move a trip before the last 14 days of a deal the person decides, or after its award."""
    ready = as_of + dt.timedelta(days=draft.action.lead_days)
    for deal in sorted((d for d in live if d.get("close_date")), key=lambda d: d["close_date"]):
        close: dt.date = deal["close_date"]
        day = min(max(draft.due, ready), close - dt.timedelta(days=1))
        if close <= as_of or (close - day).days > TRIP_FREE_DAYS:
            continue
        latest = close - dt.timedelta(days=TRIP_FREE_DAYS + 1)
        if ready <= latest:
            draft.due = latest
            draft.notes.append(f"due: {latest}, before the {TRIP_FREE_DAYS} days before {deal['name']} closes")
        else:
            note = say("trip_deferred", lang, deal=deal["name"], days=TRIP_FREE_DAYS, award=close.isoformat())
            _defer(draft, close, note)
    return None


def _replace(draft: Draft, step: ActionType, lang: str, note: str, deal: str) -> None:
    subject = draft.subject or {}
    rec = draft.rec
    draft.rec = replace(
        rec,
        id=recommendation_id(rec.account_id, step.id, rec.subject_kind, rec.subject_id, rec.rule),
        action=step.id,
        title=say(
            "quiet_title",
            lang,
            label=label(step, lang),
            name=subject.get("name"),
            title=subject.get("title") or "—",
            deal=deal,
        ),
        owner_role=step.owner_role,
        body=None,
    )
    draft.action = step
    draft.compliance.append(note)
    draft.notes.append(f"compliance: {rec.action} replaced by {step.id} while a deal it serves is decided")


def _defer(draft: Draft, award: dt.date, note: str) -> None:
    """After the award: it no longer serves the deal, and waits until the day after its close."""
    draft.deal = None
    draft.due = max(draft.due, award + dt.timedelta(days=1))
    draft.compliance.append(note)
    draft.notes.append(f"due: {draft.due}, after the award ({award})")


def _cooling(step: ActionType, draft: Draft, facts: Facts) -> bool:
    """Whether the step was done with the person within its cooldown, or is already scheduled."""
    history = facts.items("contact", str(draft.rec.subject_id), "activities")
    same = [a for a in history if a["type"] == step.id]
    if any(a["planned"] for a in same):
        return True
    recent = min((a["days_ago"] for a in same), default=None)
    return recent is not None and step.cooldown_days is not None and recent < step.cooldown_days


def approvals(draft: Draft, facts: Facts, lang: str, quiet_stages: Sequence[str]) -> list[str]:
    """The approvals a recommendation needs, each as a note a person can act on."""
    action = draft.action
    if draft.subject is None or not (action.hosted or action.kind in _HOSPITALITY or action.kind == _CARE):
        return []
    if draft.rec.subject_kind == "contact":
        person = draft.subject
        officials = bool(person.get("public_official"))
        deciding = [
            d for d in facts.items("contact", str(person["id"]), "deals")
            if d.get("stage") in quiet_stages and not _after(draft, d)
        ]  # fmt: skip
    elif draft.rec.subject_kind == "opportunity":
        members = facts.items("opportunity", str(draft.subject["id"]), "members")
        officials = any(m.get("public_official") for m in members)
        deal = draft.subject
        deciding = [deal] if deal.get("live") and deal.get("stage") in quiet_stages and members else []
    else:
        return []
    quiet = bool(deciding) and action.kind != _CARE
    if not officials and not quiet:
        return []  # nothing to approve (most work): no need for the action's name
    name = label(action, lang) if lang == "zh" else _with_article(label(action, lang).lower())
    notes = []
    if officials:
        said = say("hosted_official", lang, action=name)
        notes.append(said[:1].upper() + said[1:])
    if quiet:
        notes.append(say("quiet_period", lang, action=name, deal=deciding[0]["name"]))
    return notes


def _after(draft: Draft, deal: Record) -> bool:
    """Whether the draft was deferred until after the deal's award."""
    close = deal.get("close_date")
    return isinstance(close, dt.date) and draft.due > close


def _with_article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"
