"""The catalogue of action types: the ids of docs/recommendations.md, their defaults and how a plan treats them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Compliance(StrEnum):
    """How compliance rules treat an action (a public official, the gift cap)."""

    NONE = "none"
    PRIVATE = "private"  # personal, private contact: never with a public official
    GIFT = "gift"  # never to a public official, never above the gift cap


class Mode(StrEnum):
    """What kind of occasion an action is: it decides what one meeting can carry (the plan's approaches)."""

    MEETING = "meeting"  # a formal meeting in person: office visits, exchanges, executive visits
    PRIVATE = "private"  # a private occasion: a dinner, a banquet, a home visit
    EVENT = "event"  # an event we host: HQ tour, reference site, on-site meeting, celebration
    INVITATION = "invitation"  # an invitation to an event of others, handed over at a meeting: an exhibition
    MESSAGE = "message"  # a few words: a birthday greeting
    GIFT = "gift"  # a small gift
    CARE = "care"  # care and key resources in hard times
    INTERNAL = "internal"  # our own work, not a customer meeting: reviews, staffing, letters, proposals


@dataclass(frozen=True)
class ActionType:
    """One kind of action a recommendation can ask for.

    The fields after ``visit`` tell the planner how to staff, date and combine it; a plugin's
    action type gets sensible defaults for all of them.
    """

    id: str
    label: str
    cooldown_days: int | None  # no repeat on the same subject within this many days
    owner_role: str  # AR | SR | FR | AD: who acts unless the rule says otherwise
    compliance: Compliance = Compliance.NONE
    visit: bool = False  # a meeting in person that belongs in a calendar
    roles: tuple[str, ...] = ()  # the team roles that can do it, best first; () means only owner_role
    executive: bool = False  # done by our executive (the account director)
    mode: Mode | None = None  # None: a meeting if it is a visit, else our own work
    # Days it takes to organise (guests travel, a hall is booked): never placed sooner than today plus
    # these, and it cannot serve a deal that closes sooner. [plan] lead_days overrides it per action.
    lead_days: int = 0
    alternatives: tuple[str, ...] = ()  # the compliant steps offered when compliance rules it out
    before_holidays: bool = False  # a due date in the holidays moves before them, not after (greetings)
    hosted: bool = False  # we host and pay (travel, a celebration, an outing): approval for officials, quiet periods
    label_zh: str = ""
    kind: Mode = field(init=False, repr=False, compare=False)  # the occasion it is: ``mode``, or what ``visit`` implies

    def __post_init__(self) -> None:
        # Set once: the planner asks every recommendation's action what occasion it is, many times.
        object.__setattr__(self, "kind", self.mode or (Mode.MEETING if self.visit else Mode.INTERNAL))

    @property
    def fits(self) -> tuple[str, ...]:
        """The team roles that can do it, best first."""
        return self.roles or (self.owner_role,)


_N, _P, _G = Compliance.NONE, Compliance.PRIVATE, Compliance.GIFT
_ALL = ("AR", "SR", "FR", "AD")
_FRONT = ("AR", "SR", "AD")
_OFFICE = ("regular_office_visit", "technical_exchange")  # compliant instead of a private rung


def _a(
    action_id: str, label: str, label_zh: str, cooldown: int | None, owner: str, compliance: Compliance = _N,
    visit: bool = False, **planning: object,
) -> ActionType:  # fmt: skip
    return ActionType(action_id, label, cooldown, owner, compliance, visit, label_zh=label_zh, **planning)  # type: ignore[arg-type]


# Cooldowns from the method where it gives one (90 days for the three axes, 30 for office
# visits); the rest are our defaults. Lead times: guests of an HQ tour or an exhibition need three
# weeks' notice, a reference site or a summit two; everything else can be arranged within days.
BUILTIN_ACTIONS: dict[str, ActionType] = {
    a.id: a
    for a in (
        _a("executive_visit", "Executive visit", "高层拜访", 90, "AD", visit=True, roles=("AD",), executive=True),
        _a("exhibition_invite", "Exhibition invitation", "邀请参展", 90, "AR", mode=Mode.INVITATION, roles=_FRONT, lead_days=21, hosted=True),
        _a("hq_tour", "Headquarters tour", "参观公司总部", 90, "AR", visit=True, mode=Mode.EVENT, roles=_FRONT, lead_days=21, hosted=True),
        _a("project_office_visit", "Project office visit", "项目拜访", 30, "AR", visit=True, roles=_FRONT),
        _a("regular_office_visit", "Regular office visit", "定期拜访", 30, "AR", visit=True, roles=_FRONT),
        _a("private_activity", "Private one-to-one activity", "一对一私人活动", 60, "AR", _P, True, mode=Mode.PRIVATE, roles=_FRONT, alternatives=_OFFICE),
        _a("family_banquet", "Family banquet", "家庭宴请", 120, "AR", _P, True, mode=Mode.PRIVATE, roles=_FRONT, alternatives=_OFFICE),
        _a("home_visit", "Home visit", "家访", 180, "AR", _P, True, mode=Mode.PRIVATE, roles=_FRONT, alternatives=_OFFICE),
        _a("reference_site_visit", "Reference-site visit", "样板点参观", 90, "SR", visit=True, mode=Mode.EVENT, roles=("SR", "AR"), lead_days=14, hosted=True),
        _a("onsite_meeting", "On-site meeting", "现场会", 60, "SR", visit=True, mode=Mode.EVENT, roles=("SR",)),
        _a("technical_exchange", "Technical exchange", "技术交流", 60, "SR", visit=True, roles=("SR",)),
        _a("summit_dialogue", "Top-level dialogue", "高层对话", 180, "AD", visit=True, roles=("AD",), executive=True, lead_days=14),
        _a("process_integration", "Process integration", "流程对接", 180, "FR", roles=("FR",)),
        _a("joint_innovation", "Joint innovation", "联合创新", 180, "SR", roles=("SR",)),
        _a("joint_brand_campaign", "Joint brand campaign", "联合品牌活动", 180, "AD", roles=("AD",), executive=True),
        _a("joint_csr", "Joint CSR activity", "联合公益活动", 180, "AD", roles=("AD",), executive=True),
        _a("birthday_greeting", "Birthday greeting", "生日祝福", 300, "AR", mode=Mode.MESSAGE, roles=_ALL, before_holidays=True),
        _a("festival_visit", "Festival visit", "节日拜访", 30, "AR", visit=True, roles=_ALL, before_holidays=True),
        _a("compliant_gift", "Compliant gift", "合规礼品", 90, "AR", _G, mode=Mode.GIFT, roles=_ALL, alternatives=("festival_visit",), before_holidays=True),
        _a("team_activity", "Cultural or sports activity", "文体活动", 60, "AR", visit=True, mode=Mode.EVENT, roles=_ALL, hosted=True),
        _a("rising_star_cultivation", "Rising-star cultivation", "培养明日之星", 90, "AR", roles=_ALL, mode=Mode.MEETING),
        _a("coach_development", "Coach development", "培养教练", 30, "AR", roles=_FRONT, mode=Mode.MEETING),
        _a("executive_sponsor", "Executive sponsor", "指定高层对口人", 90, "AD", visit=True, roles=("AD",), executive=True),
        _a("broaden_relationships", "Broaden relationships", "扩展关系", 90, "AD", roles=("AD",)),
        _a("staff_iron_triangle", "Staff the iron triangle", "配齐铁三角", 90, "AD", roles=("AD",)),
        _a("open_letter", "Open letter", "公开信", 30, "AD", roles=("AD",), executive=True),
        _a("key_resource_support", "Key-resource support", "关键资源支持", 30, "AR", mode=Mode.CARE, roles=_ALL),
        _a("account_review", "Account review", "客户经营分析会", 90, "AD", roles=("AD",)),
        _a("win_review", "Win review", "赢单复盘", 365, "AD", roles=("AD", "AR")),
        _a("loss_review", "Loss review", "丢单复盘", 365, "AD", roles=("AD", "AR")),
        _a("project_celebration", "Project celebration", "项目庆功会", 365, "AD", visit=True, mode=Mode.EVENT, roles=("AD", "AR"), hosted=True),
        _a("opportunity_discovery", "Opportunity discovery", "机会点挖掘", 90, "SR", visit=True, roles=("SR",)),
        _a("confirm_close_date", "Confirm the close date", "确认签约日期", 14, "SR", mode=Mode.MESSAGE, roles=("SR", "AR")),
        _a("answer_question", "Answer an open question", "答复客户问题", 1, "AR", mode=Mode.MESSAGE, roles=_ALL),
        _a("recognition_exchange", "Culture, management and talent exchange", "文化、管理与人才交流", 365, "AD", visit=True, roles=("AD",), executive=True, lead_days=14),
        _a("introduce_successor", "Successor introduction", "引荐继任者", 90, "AR", visit=True, roles=_FRONT),
        _a("project_kickoff", "Project kick-off", "项目启动会", 365, "FR", visit=True, roles=("FR",)),
        _a("top_level_call", "Top-level call", "高层通话", 30, "AD", mode=Mode.MESSAGE, roles=("AD",), executive=True),
        _a("continuity_message", "Continuity message", "业务连续性沟通", 30, "AR", mode=Mode.MESSAGE, roles=_ALL),
    )
}  # fmt: skip


class ActionCatalogue:
    """The action types known to one run: the built-ins plus any plugin adds."""

    def __init__(self, types: Iterable[ActionType] | None = None) -> None:
        # Without a list, the built-ins; a plugin registry passes every registered type.
        chosen = BUILTIN_ACTIONS.values() if types is None else types
        self._types: dict[str, ActionType] = {action_type.id: action_type for action_type in chosen}

    def __contains__(self, action_id: object) -> bool:
        return action_id in self._types

    def __getitem__(self, action_id: str) -> ActionType:
        return self._types[action_id]

    def get(self, action_id: str) -> ActionType | None:
        """The action type, or None when nobody registered it."""
        return self._types.get(action_id)

    def ids(self) -> list[str]:
        """Every known action id, sorted."""
        return sorted(self._types)
