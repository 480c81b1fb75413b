"""The pytest plugin that runs a playbook's own cases, run inside a throwaway pytest."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

PLAYBOOK = """\
playbook: team
rules:
  - {id: opposed, rationale: x, subject: contact, when: [{stance: -1}], actions: [{action: hq_tour, title: t}]}
  - {id: coach, rationale: x, subject: contact, when: [{stance: 3}], actions: [{action: private_activity, title: t}]}
tests:
  - name: opponents get a tour
    snapshot: {as_of: 2026-11-20, account: {id: a, name: A}, contacts: [{id: c1, name: C, stance: -1}]}
    expect: [{subject: c1, action: hq_tour}]
  - name: a wrong expectation
    snapshot: {as_of: 2026-11-20, account: {id: a, name: A}, contacts: [{id: c1, name: C, stance: -1}]}
    expect: [{subject: c1, action: executive_visit}]
"""


def test_cases_become_items_and_coverage_is_checked(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", **{"playbooks/team": PLAYBOOK})
    pytester.makeini("[pytest]\nkamengine_playbooks = playbooks\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*team::opponents get a tour PASSED*",
        "*team::a wrong expectation FAILED*",
        "*expected executive_visit for c1, not recommended*",
        "*rules no case fired: team/coach*",
    ])  # fmt: skip


def test_coverage_can_be_optional(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", **{"playbooks/team": PLAYBOOK})
    pytester.makeini("[pytest]\nkamengine_playbooks = playbooks\nkamengine_require_coverage = false\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)


def test_without_configuration_it_collects_nothing(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", **{"playbooks/team": PLAYBOOK})
    assert pytester.runpytest("-p", "no:cacheprovider").ret == pytest.ExitCode.NO_TESTS_COLLECTED
