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
