"""The rule language's validation: every mistake found, with file, line and a suggestion."""

from __future__ import annotations

import pytest
from kamengine.engine.playbooks.conditions import AllOf, AnyOf, FieldTest, Quantifier
from support import make_playbook, playbook_problems

HEADER = """\
playbook: test
parameters:
  cold_after_days: {default: 60, description: days}
rules:
  - id: r1
    rationale: because
    subject: contact
"""
ACTION = """\
    actions:
      - {action: executive_visit, title: "Visit {name}"}
"""


def _rule(when: str) -> str:
    return HEADER + "    when:\n" + "".join(f"      {line}\n" for line in when.strip().splitlines()) + ACTION


def test_a_valid_rule_parses_into_the_condition_tree() -> None:
    playbook = make_playbook(
        _rule("""
- role: {in: [E, D]}
- stance: {gte: -1, lt: 1}
- days_since_last_activity: {gt: $cold_after_days}
- any_of: [{key_person: true}, {level: executive}]
- count: {of: activities, where: {type: executive_visit}, gte: 2}
""")
    )
    rule = playbook.rules[0]
    assert rule.qualified_id == "test/r1"
    assert rule.source == "playbook.yaml:5: rules[0]"
    assert rule.when == AllOf(
        (
            FieldTest("role", "in", ("E", "D"), "str"),
            AllOf((FieldTest("stance", "gte", -1, "int"), FieldTest("stance", "lt", 1, "int"))),
            FieldTest("days_since_last_activity", "gt", 60, "int"),
            AnyOf((FieldTest("key_person", "eq", True, "bool"), FieldTest("level", "eq", "executive", "str"))),
            Quantifier(
                "count", "activities", "activity", FieldTest("type", "eq", "executive_visit", "action"), 1, "gte", 2
            ),
        )
    )


def test_parameters_can_be_overridden() -> None:
    playbook = make_playbook(_rule("- days_since_last_activity: {gt: $cold_after_days}"), cold_after_days=30)
    assert playbook.rules[0].when == AllOf((FieldTest("days_since_last_activity", "gt", 30, "int"),))
    assert playbook.values["cold_after_days"] == 30


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (
            "- stanse: -1",
            "playbook.yaml:9: rules[0].when[0].stanse: unknown field 'stanse' for a contact (did you mean 'stance'?)",
        ),
        (
            "- stance: {greater: 1}",
            "playbook.yaml:9: rules[0].when[0].stance.greater: unknown operator 'greater' (did you mean 'gte'?); expected one of eq, ne, lt, lte, gt, gte, in, not_in, exists",
        ),
        (
            "- stance: {gte: '1'}",
            "playbook.yaml:9: rules[0].when[0].stance.gte: expected a whole number for 'stance', found '1'",
        ),
        ("- stance: 7", "playbook.yaml:9: rules[0].when[0].stance: 'stance' is one of -1, 0, 1, 2, 3, found 7"),
        ("- role: X", "playbook.yaml:9: rules[0].when[0].role: 'role' is one of A, D, S, E, I, found 'X'"),
        (
            "- key_person: yes-ish",
            "playbook.yaml:9: rules[0].when[0].key_person: expected true or false for 'key_person', found 'yes-ish'",
        ),
        (
            "- name: {gt: A}",
            "playbook.yaml:9: rules[0].when[0].name.gt: 'gt' compares numbers and dates, but 'name' is str; use eq, ne, in or not_in",
        ),
        ("- role: {in: E}", "playbook.yaml:9: rules[0].when[0].role.in: 'in' takes a non-empty list, found 'E'"),
        (
            "- days_since_last_activity: {gt: $cold_days}",
            "playbook.yaml:9: rules[0].when[0].days_since_last_activity.gt: unknown parameter 'cold_days' (did you mean 'cold_after_days'?)",
        ),
        (
            "- any: {of: meetings}",
            "playbook.yaml:9: rules[0].when[0].any.of: 'of' must name a collection of a contact (activities, deals), found 'meetings'",
        ),
        (
            "- any: {of: activities, where: {type: exec_visit}}",
            "playbook.yaml:9: rules[0].when[0].any.where.type: unknown action id 'exec_visit' (did you mean 'executive_visit'?)",
        ),
        (
            "- any: {of: deals, where: {any: {of: members}}}",
            "playbook.yaml:9: rules[0].when[0].any.where.any: 'any' cannot be used inside another quantifier",
        ),
        (
            "- count: {of: activities}",
            "playbook.yaml:9: rules[0].when[0].count: 'count' takes exactly one comparison, e.g. 'gte: 2'",
        ),
        (
            "- birthday: {lt: not-a-date}",
            "playbook.yaml:9: rules[0].when[0].birthday.lt: expected a date (YYYY-MM-DD) for 'birthday', found 'not-a-date'",
        ),
        (
            "- title: 12",
            "playbook.yaml:9: rules[0].when[0].title: expected text for 'title', found 12 (quote it to make it text)",
        ),
        (
            "- stance: null",
            "playbook.yaml:9: rules[0].when[0].stance: expected a whole number for 'stance', found null; test missing values with 'exists: false'",
        ),
    ],
)
def test_condition_mistakes(when: str, expected: str) -> None:
    assert playbook_problems(_rule(when)) == [expected]


def test_rule_and_action_mistakes_are_all_reported_at_once() -> None:
    text = """\
playbook: test
rules:
  - id: r1
    rationale: because
    subject: contacts
    actions: [{action: executive_visit, title: x}]
  - id: r2
    rationale: because
    subject: contact
    priorty: 3
    actions:
      - {action: exec_visit, title: x}
      - {action: hq_tour, title: "Tour for {nmae}", owner_role: CEO}
      - {action: hq_tour, title: "Tour for {name.__class__}"}
"""
    assert playbook_problems(text) == [
        "playbook.yaml:5: rules[0].subject: 'subject' is one of contact, opportunity, account, found 'contacts' (did you mean 'contact'?)",
        "playbook.yaml:10: rules[1].priorty: unknown key 'priorty' (did you mean 'priority'?); expected one of actions, description, exclusive_group, id, priority, priority_in_crisis, rationale, subject, when",
        "playbook.yaml:12: rules[1].actions[0].action: unknown action id 'exec_visit' (did you mean 'executive_visit'?)",
        "playbook.yaml:13: rules[1].actions[1].title: unknown placeholder '{nmae}' for a contact (did you mean 'name'?)",
        "playbook.yaml:13: rules[1].actions[1].owner_role: 'owner_role' is one of AR, SR, FR, AD, found 'CEO'",
        "playbook.yaml:14: rules[1].actions[2].title: '{name.__class__}' is not a field name; placeholders look like {name} or {account.name}",
    ]


def test_duplicate_rule_ids_and_missing_keys() -> None:
    text = "playbook: test\nrules:\n  - {id: r1, subject: account, rationale: x, actions: [{action: account_review, title: t}]}\n  - {id: r1, subject: account}\n"
    assert playbook_problems(text) == [
        "playbook.yaml:4: rules[1]: required key 'rationale' is missing",
        "playbook.yaml:4: rules[1]: required key 'actions' is missing",
        "playbook.yaml:4: rules[1].id: duplicate rule id 'r1'",
    ]


def test_account_fields_are_reachable_from_contact_rules_only_by_prefix() -> None:
    playbook = make_playbook(_rule("- account.tier: strategic"))
    assert playbook.rules[0].when == AllOf((FieldTest("account.tier", "eq", "strategic", "str"),))
    assert playbook_problems(_rule("- tier: strategic")) == [
        "playbook.yaml:9: rules[0].when[0].tier: unknown field 'tier' for a contact (did you mean 'title'?)"
    ]


def test_unknown_playbook_keys_and_override_types() -> None:
    assert playbook_problems("playbook: t\nrule: []\n")[:1] == [
        "playbook.yaml:2: rule: unknown key 'rule' (did you mean 'rules'?); expected one of caps, cooldowns, description, languages, parameters, playbook, rules, tests, version"
    ]
    from kamengine.engine.errors import PlaybookError

    with pytest.raises(PlaybookError, match="override 'soon': expected a whole number, like its default 60"):
        make_playbook(_rule("- stance: 1"), cold_after_days="soon")


BILINGUAL = """\
playbook: t
languages: [en, zh]
rules:
  - id: r1
    rationale: {en: Opponents need a visit., zh: 反对者需要拜访。}
    subject: contact
    when: [{stance: -1}]
    actions:
      - action: executive_visit
        title: {en: "Visit {name}", zh: "高层拜访{name}"}
      - action: hq_tour
        title: "Tour for {name}"
        body: {en: "Dear {name}", zh: "尊敬的{name}"}
"""


def test_texts_may_be_given_per_language_and_missing_ones_are_listed() -> None:
    playbook = make_playbook(BILINGUAL)
    rule = playbook.rules[0]
    assert rule.rationale == {"en": "Opponents need a visit.", "zh": "反对者需要拜访。"}
    assert rule.actions[1].title == {"en": "Tour for {name}"}
    assert playbook.missing_translations() == ["playbook.yaml:12: rules[0].actions[1].title: no 'zh' text"]


def test_language_mistakes() -> None:
    text = BILINGUAL.replace("zh: 反对者需要拜访。", "cn: 反对者需要拜访。").replace(
        'zh: "高层拜访{name}"', 'zh: "高层拜访{nmae}"'
    )
    assert playbook_problems(text) == [
        "playbook.yaml:5: rules[0].rationale.cn: unknown language 'cn'; expected one of en, zh",
        "playbook.yaml:10: rules[0].actions[0].title: unknown placeholder '{nmae}' for a contact (did you mean 'name'?)",
    ]
    assert playbook_problems(BILINGUAL.replace("[en, zh]", "[en, fr]")) == [
        "playbook.yaml:2: languages: 'languages' must be a list of en, zh, found ['en', 'fr']"
    ]


def test_advice_speaks_the_chosen_language_and_falls_back_to_english() -> None:
    from kamengine.engine.advise.advisor import Advisor
    from support import contact, make_snapshot

    snapshot = make_snapshot(contacts=[contact("c1", name="Ana", stance=-1)])
    chinese = Advisor([make_playbook(BILINGUAL)], lang="zh").advise(snapshot).recommendations
    assert [(r.title, r.rationale, r.body) for r in chinese] == [
        ("高层拜访Ana", "反对者需要拜访。", None),
        ("Tour for Ana", "反对者需要拜访。", "尊敬的Ana"),
    ]
    assert chinese[1].to_dict()["body"] == "尊敬的Ana" and "body" not in chinese[0].to_dict()
