"""The planning stage, after ranking: what rules found becomes a plan a director would hand on.

For one account, in order: link each recommendation to the deal it serves; weigh urgency by
the account's tier and that deal; give it an owner (or turn work for a missing role into a
staffing recommendation); date it (never after the deal closes, never on a holiday); merge
what points at one person within the window into one approach; keep the most valuable within
the caps. Everything the plan decides is told by ``explain``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..evaluate.facts import Facts
from ..evaluate.ranking import Advice
from ..model.actions import ActionCatalogue
from ..model.plan_settings import PlanSettings
from ..model.recommendation import Note, Recommendation, Suppressed
from .approaches import form_approaches
from .approvals import approvals, while_decided
from .attendees import set_attendees
from .calendar import calendar_for
from .dates import set_due
from .draft import Draft, Record
from .occasions import Scheduled
from .owners import assign_owners, staffing
from .urgency import weigh


def plan(
    advice: Advice,
    facts: Facts,
    actions: ActionCatalogue,
    settings: PlanSettings,
    caps: Mapping[str, int] | None = None,
    lang: str = "en",
    held_back: dict[str, int] | None = None,
) -> Advice:
    """The account's advice as a plan, with the notes that explain it; ``held_back`` counts, per account id,
    the approaches ``per_account`` left out (``advise`` says how many in its footer)."""
    account = facts.account
    subjects = {
        "contact": {str(c["id"]): c for c in facts.contacts},
        "opportunity": {str(o["id"]): o for o in facts.opportunities},
    }
    if settings.lead_days:  # the team's own lead times, over the catalogue's
        actions = _with_lead_days(actions, settings.lead_days)
    drafts = [_draft(rec, subjects, actions) for rec in advice.recommendations]
    ruled_out = [(d, why) for d in drafts if (why := while_decided(d, facts, actions, lang, settings.quiet_stages))]
    if ruled_out:
        out = {id(d) for d, _ in ruled_out}
        drafts = [d for d in drafts if id(d) not in out]
    for draft in drafts:
        draft.compliance += approvals(draft, facts, lang, settings.quiet_stages)
    weigh(drafts, account, settings.urgency)
    team = [{**m, "email": facts.emails[m["id"]]} if m["id"] in facts.emails else m for m in facts.team]
    blocked = assign_owners(drafts, team, lang)
    suppressed = list(advice.suppressed) + [Suppressed(d.rec, "compliance", why) for d, why in ruled_out]
    for role, needing in blocked.items():
        for draft in needing:
            suppressed.append(Suppressed(draft.rec, "staffing", f"nobody on the team is an {role}"))
    stuck = {id(d) for needing in blocked.values() for d in needing}
    drafts = [d for d in drafts if id(d) not in stuck] + staffing(blocked, team, account, actions, lang)
    calendar = calendar_for(facts.region, settings.year_end_break)
    dated = []
    for draft in drafts:
        too_late = set_due(draft, facts.as_of, account, calendar)
        if too_late:
            suppressed.append(Suppressed(draft.rec, "timing", too_late))
        else:
            dated.append(draft)
    scheduled = _scheduled(facts, actions)
    approaches, dropped = form_approaches(
        dated, settings.window_days, str(account["id"]), facts.as_of, scheduled, calendar
    )
    suppressed += [Suppressed(draft.rec, "approach", why) for draft, why in dropped]
    approaches.sort(key=lambda a: (-a[0].priority, a[0].due, a[0].rec.rule, a[0].rec.subject_id, a[0].action.id))
    kept, over = _capped(approaches, caps or {}, suppressed)
    if held_back is not None and over:
        held_back[str(account["id"])] = held_back.get(str(account["id"]), 0) + over
    set_attendees(kept, team)
    new = tuple.__new__
    planned = [draft for approach in kept for draft in approach]
    finished = [draft.finished() for draft in planned]
    # tuple.__new__ makes the same Note without the named tuple's Python-level __new__ (dozens per account).
    notes = [new(Note, (rec, note)) for draft, rec in zip(planned, finished, strict=True) for note in draft.notes]
    return Advice(advice.account_id, advice.as_of, finished, suppressed, notes)


def _with_lead_days(actions: ActionCatalogue, lead_days: Mapping[str, int]) -> ActionCatalogue:
    """The catalogue with ``[plan] lead_days`` in place of the actions' own lead times."""
    chosen = (actions[i] for i in actions.ids())
    return ActionCatalogue(replace(a, lead_days=lead_days[a.id]) if a.id in lead_days else a for a in chosen)


def _scheduled(facts: Facts, actions: ActionCatalogue) -> dict[str, list[Scheduled]]:
    """Per contact, the occasions already in the calendar with them (future-dated activities)."""
    found: dict[str, list[Scheduled]] = {}
    for contact in facts.contacts:
        if contact.get("planned_count") == 0:
            continue  # most people: nothing in the calendar with them (counted over these same activities)
        for activity in facts.items("contact", str(contact["id"]), "activities"):
            if not activity["planned"]:
                continue  # most of a person's activities are past: no catalogue lookup for them
            action = actions.get(str(activity["type"]))
            if action is not None and action.kind != "internal":
                found.setdefault(str(contact["id"]), []).append(
                    Scheduled(action, activity["date"], str(activity["id"]))
                )
    return found


def _draft(rec: Recommendation, subjects: Mapping[str, Mapping[str, Record]], actions: ActionCatalogue) -> Draft:
    subject = subjects[rec.subject_kind].get(rec.subject_id) if rec.subject_kind in subjects else None
    draft = Draft(rec, actions[rec.action], subject)
    draft.deal = _deal(draft, subjects["opportunity"])
    return draft


def _deal(draft: Draft, deals: Mapping[str, Record]) -> Record | None:
    """The live deal a recommendation serves: its subject, one its rule matched, or what its key person decides."""
    if draft.rec.subject_kind == "opportunity":
        return deals.get(draft.rec.subject_id)
    matched = draft.rec.evidence.get("matched")
    if matched:
        live = [deals[i] for key, ids in matched.items() if key.endswith(" deals") for i in ids if i in deals]
        if live:
            return max(live, key=lambda d: d["value"] or 0)
    subject = draft.subject or {}
    # A key person's meetings serve the deal they decide; a greeting or a gift is for its own date.
    dated = draft.action.before_holidays
    if subject.get("key_person") and subject.get("top_deal") and draft.customer_facing and not dated:
        return deals.get(str(subject["top_deal"]))
    return None


def _capped(
    approaches: Sequence[list[Draft]], caps: Mapping[str, int], suppressed: list[Suppressed]
) -> tuple[list[list[Draft]], int]:
    """At most ``per_contact`` approaches per contact and ``per_account`` in all, the most urgent first;
    and how many approaches ``per_account`` left out.

    A person invited to an occasion led by someone else's approach (the deal team's HQ tour)
    counts it too; over their cap, their invitation is left out and the occasion goes on.
    """
    per_contact, per_account = caps.get("per_contact"), caps.get("per_account")
    if per_contact is None and per_account is None:  # no caps (the default): every approach, as it is
        return [list(approach) for approach in approaches if approach], 0
    counts: dict[str, int] = {}
    kept: list[list[Draft]] = []
    over = 0
    for approach in approaches:
        if per_account is not None and len(kept) >= per_account:
            over += 1
            suppressed.extend(
                Suppressed(d.rec, "cap", f"at most {per_account} approaches per account") for d in approach
            )
            continue
        members = []
        for draft in approach:
            person = draft.rec.subject_id if draft.rec.subject_kind == "contact" else None
            if person is not None and per_contact is not None and counts.get(person, 0) >= per_contact:
                suppressed.append(Suppressed(draft.rec, "cap", f"at most {per_contact} approaches per contact"))
            else:
                members.append(draft)
        if not members or members[0] is not approach[0]:  # without its lead, there is no occasion
            suppressed.extend(Suppressed(d.rec, "cap", "its occasion was left out by a cap") for d in members)
            continue
        for person in {d.rec.subject_id for d in members if d.rec.subject_kind == "contact"}:
            counts[person] = counts.get(person, 0) + 1
        kept.append(members)
    return kept, over
