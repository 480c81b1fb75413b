"""Who acts: the relationship owner when their role fits, else a member holding the role; our executive
for executive actions. Work for a role the team lacks becomes one staffing recommendation per role."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from ..model.actions import BUILTIN_ACTIONS, ActionCatalogue, Mode
from ..model.fields import LEVELS
from ..model.recommendation import Recommendation, recommendation_id
from ..model.texts import label, say
from .attendees import holds_the_signers, member_owner
from .draft import Draft, Record

_SENIORITY = {level: rank for rank, level in enumerate(LEVELS)}
STAFFING_ACTION = "staff_iron_triangle"
_OWNERS_OCCASION = "team_activity"  # the occasion every role can host: a cultural or sports activity
_SHARE = "/share-decider-relationships"  # the power map's rule: share the star's relationships with who signs
_PRIVATE = Mode.PRIVATE  # read once: an enum member read from its class costs a lookup, and this is asked per draft


def assign_owners(drafts: Sequence[Draft], team: Sequence[Record], lang: str = "en") -> dict[str, list[Draft]]:
    """Give each draft its owner; return the drafts nobody on the team can do, by the role they need.

    Staffing is itself the answer to a missing role: without an account director, the team's most
    senior member takes it to sales management; with no team at all, it is owned by nobody.
    """
    members = sorted(team, key=lambda m: (_SENIORITY.get(m["level"], 9), m["id"]))
    by_id = {m["id"]: m for m in members}
    owners = {id(m): member_owner(m) for m in members}  # one Owner per member (frozen), not one per draft
    named = {id(m): f"owner: {m['name']} ({m['role']})" for m in members}  # as each draft's note names them
    holders: dict[str, Record] = {}  # each role's most senior member, looked up once per plan, not per draft
    for held in members:
        holders.setdefault(held["role"], held)
    ads = [m for m in members if m["role"] == "AD"]
    blocked: dict[str, list[Draft]] = defaultdict(list)
    for draft in drafts:
        _owner_can_do(draft, by_id, lang)
        member, why = _choose(draft, ads, holders, by_id)
        if member is None and draft.action.id == STAFFING_ACTION:
            member, why = _escalation(members)
            if member is None:
                draft.notes.append("owner: nobody — the account has no team; sales management decides")
                continue
        if member is None:
            blocked[why].append(draft)
            continue
        draft.owner = owners[id(member)]
        draft.notes.append(f"{named[id(member)]}, {why}")
    _share_before_deepening(drafts, members)
    return blocked


def _owner_can_do(draft: Draft, by_id: dict[str, Record], lang: str) -> None:
    """A private occasion the relationship owner's role cannot host becomes the occasion they can: the
    relationship stays with its owner instead of moving to whoever holds the role (often the star)."""
    if draft.action.kind is not _PRIVATE or draft.subject is None or draft.rec.subject_kind != "contact":
        return
    keeper = by_id.get(str(draft.subject.get("owner")))
    if keeper is None or keeper["role"] in draft.action.fits:
        return
    step = BUILTIN_ACTIONS[_OWNERS_OCCASION]
    if keeper["role"] not in step.fits:
        return
    rec = draft.rec
    draft.rec = replace(
        rec,
        id=recommendation_id(rec.account_id, step.id, rec.subject_kind, rec.subject_id, rec.rule),
        action=step.id,
        title=say(
            "owners_occasion_title", lang, label=label(step, lang), name=draft.subject.get("name"), owner=keeper["name"]
        ),
        owner_role=keeper["role"],
    )
    draft.action = step
    draft.notes.append(
        f"action: {rec.action} became {step.id}: {keeper['name']} ({keeper['role']}) owns the relationship "
        f"and an {keeper['role']} does not host a {rec.action}"
    )


def _share_before_deepening(drafts: Sequence[Draft], members: list[Record]) -> None:
    """Sharing the star's relationships with the people who sign ranks above the star's private occasions."""
    share = next((d for d in drafts if d.action.id == "broaden_relationships" and d.rec.rule.endswith(_SHARE)), None)
    holder = next((m for m in members if holds_the_signers(m)), None)
    if share is None or holder is None:
        return
    private = [
        d for d in drafts
        if d.action.kind is _PRIVATE and d.owner is not None and d.owner.id == holder["id"]
        and (d.subject or {}).get("owner") == holder["id"]
    ]  # fmt: skip
    top = max((d.priority for d in private), default=None)
    if top is not None and share.priority <= top:
        share.priority = round(top + 0.01, 2)
        share.notes.append(
            f"urgency: {share.priority:.2f}, above {holder['name']}'s private occasions (soil, not sorghum)"
        )


def _escalation(members: list[Record]) -> tuple[Record | None, str]:
    """Who takes a staffing question up when the team has no account director: its most senior member."""
    director = next((m for m in members if m["role"] == "AD"), None)
    if director is not None:
        return director, "our executive (account director)"
    if members:
        return members[0], "the team's most senior member, who takes it to sales management (no account director)"
    return None, "AD"


def _choose(
    draft: Draft, ads: list[Record], holders: dict[str, Record], by_id: dict[str, Record]
) -> tuple[Record | None, str]:
    """The member who should act and why; or None and the role that is missing (``ads``: the team's account
    directors, most senior first; ``holders``: each role's most senior member)."""
    action = draft.action
    if action.executive:
        mine = next((m for m in ads if draft.subject and m["id"] == draft.subject.get("owner")), None)
        if mine is not None:
            return mine, "our executive, who owns the relationship"
        return (ads[0], "our executive (account director)") if ads else (None, "AD")
    fits = action.fits
    relationship = by_id.get(str(draft.subject.get("owner"))) if draft.subject and draft.subject.get("owner") else None
    if relationship is not None and relationship["role"] in fits:
        return relationship, "who owns the relationship"
    for role in dict.fromkeys((draft.rec.owner_role, *fits)):
        if role not in fits and role != draft.rec.owner_role:
            continue
        holder = holders.get(role)
        if holder is not None:
            return holder, f"the team's {role}"
    return None, draft.rec.owner_role if draft.rec.owner_role in fits else fits[0]


def staffing(
    blocked: dict[str, list[Draft]], team: Sequence[Record], account: Record, actions: ActionCatalogue, lang: str
) -> list[Draft]:
    """One staffing recommendation per missing role, owned by the account director or, without one, the
    team's most senior member (nobody, for an account without a team)."""
    members = sorted(team, key=lambda m: (_SENIORITY.get(m["level"], 9), m["id"]))
    director, _ = _escalation(members)
    owner = member_owner(director) if director else None
    drafts = []
    for role, needing in sorted(blocked.items()):
        needing.sort(key=lambda d: (-d.priority, d.due))
        rule = f"plan/staff-{role}"
        account_id = str(account["id"])
        rec = Recommendation(
            id=recommendation_id(account_id, STAFFING_ACTION, "account", account_id, rule),
            account_id=account_id,
            action=STAFFING_ACTION,
            subject_kind="account",
            subject_id=account_id,
            title=say(
                "staff_title_more" if len(needing) > 1 else "staff_title",
                lang,
                role=role,
                account=account["name"],
                more=len(needing) - 1,
                first=needing[0].rec.title,
            ),
            rationale=say("staff_rationale", lang),
            rule=rule,
            priority=max(d.priority for d in needing),
            due=min(d.due for d in needing),
            owner_role=owner.role if owner else "AD",
            evidence={"role": role, "needed_by": [d.rec.id for d in needing]},
            account_name=str(account["name"]),
        )
        draft = Draft(rec, actions[STAFFING_ACTION], None, deal=needing[0].deal, owner=owner)
        draft.notes.append(
            f"staffing: nobody on the team is an {role}; needed by " + "; ".join(d.rec.title for d in needing)
        )
        drafts.append(draft)
    return drafts
