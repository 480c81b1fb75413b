"""What kamengine itself says (a staffing step, a compliant step) in each language; playbooks carry their own."""

from __future__ import annotations

from .actions import ActionType
from .i18n import DEFAULT_LANGUAGE

_TEXTS = {
    "staff_title": {
        "en": "Staff or borrow an {role} for {account}, needed for: {first}",
        "zh": "为{account}配备或借调{role}，用于：{first}",
    },
    "staff_title_more": {
        "en": "Staff or borrow an {role} for {account}, needed for: {first} (and {more} more)",
        "zh": "为{account}配备或借调{role}，用于：{first}（另有{more}项）",
    },
    "staff_rationale": {
        "en": (
            "Advice is given to the people the account has: work that needs a role the team lacks is a"
            " staffing decision (or borrow one from another account), not an action for someone who is not there."
        ),
        "zh": "建议只给客户团队里现有的人：需要团队缺少的角色来完成的工作，先要配备人员（或从其他客户借调），而不是派给不存在的人。",
    },
    "alternative_title": {
        "en": "{label} with {name} ({title})",
        "zh": "与{name}（{title}）的{label}",
    },
    "alternative_rationale": {
        "en": (
            "{name} is a public official: {vetoed} is ruled out. {instead} is the compliant step that keeps"
            " the relationship where it is."
        ),
        "zh": "{name}是公职人员，不安排{vetoed}；以{instead}作为合规做法，保持现有的关系。",
    },
    "official": {
        "en": "{vetoed} is never offered to a public official; {instead} instead",
        "zh": "公职人员不安排{vetoed}，改为{instead}",
    },
    "hosted_official": {
        "en": "{action} with public officials needs compliance approval",
        "zh": "涉及公职人员的{action}须经合规审批",
    },
    "quiet_period": {
        "en": "{deal} is being decided (quiet period): {action} with the people who decide it needs compliance approval",
        "zh": "{deal}决策期间（静默期），与其决策相关人员的{action}须经合规审批",
    },
    "owner_visit_title": {
        "en": "{label} with {name} ({title}), by their relationship owner",
        "zh": "由关系负责人与{name}（{title}）进行{label}",
    },
    "owner_visit_rationale": {
        "en": "Our executive visits executive and senior people; {name} ({level}) is visited by their relationship owner.",
        "zh": "我方高层拜访的是客户的高层和资深管理者；{name}（{level}）由其关系负责人拜访。",
    },
    "executive_level": {
        "en": "our executive visits executive and senior people, not {name} ({level})",
        "zh": "我方高层只拜访高层和资深管理者，不拜访{name}（{level}）",
    },
    "exhibition_level": {
        "en": "the exhibition goes to the people who sign and the key people; {name} is neither",
        "zh": "展会邀请只给决策签字的人和关键人；{name}两者都不是",
    },
    "quiet_title": {
        "en": "{label} with {name} ({title}) while {deal} is decided",
        "zh": "{deal}决策期间，与{name}（{title}）的{label}",
    },
    "quiet_instead": {
        "en": "{deal} is being decided (quiet period): no {vetoed} with the people who decide it; {instead} instead",
        "zh": "{deal}决策期间（静默期），不与其决策相关人员安排{vetoed}，改为{instead}",
    },
    "quiet_deferred": {
        "en": "{deal} is being decided (quiet period): the {vetoed} waits until after the award ({award})",
        "zh": "{deal}决策期间（静默期）：{vetoed}推迟到授标之后（{award}）",
    },
    "quiet_ruled_out": {
        "en": "{deal} is being decided (quiet period) and has no close date: no {vetoed} with the people who decide it",
        "zh": "{deal}决策期间（静默期）且无结束日期：不与其决策相关人员安排{vetoed}",
    },
    "trip_deferred": {
        "en": "no trip we host in the {days} days before {deal} closes: it waits until after the award ({award})",
        "zh": "{deal}结束前{days}天内不安排我方出资的出行：推迟到授标之后（{award}）",
    },
    "owners_occasion_title": {
        "en": "{label} with {name}, hosted by {owner}, who owns the relationship",
        "zh": "由关系负责人{owner}与{name}安排{label}",
    },
    "over_cap": {
        "en": "the proposed gift ({value:g}) is above the cap of {cap:g} {currency}: keep it within the cap",
        "zh": "拟送礼品（{value:g}）超过{cap:g} {currency}的上限：请控制在上限以内",
    },
}


def say(key: str, lang: str, **values: object) -> str:
    """One of the plan's texts in ``lang`` (English when it has none in that language)."""
    texts = _TEXTS[key]
    return texts.get(lang, texts[DEFAULT_LANGUAGE]).format(**values)


def label(action: ActionType, lang: str) -> str:
    """An action's name in ``lang``."""
    return action.label_zh if lang == "zh" and action.label_zh else action.label
