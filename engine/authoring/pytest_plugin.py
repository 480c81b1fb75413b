"""pytest plugin (entry point ``pytest11``): run playbooks' own test cases under pytest.

A team's package turns it on in its pytest configuration and points it at its playbooks::

    [tool.pytest.ini_options]
    kamengine_playbooks = ["src/kamengine_team/playbooks"]

Each case of each playbook there becomes a test item, failing with the message
``kamengine rules test`` prints; ``<playbook>::coverage`` fails when a rule is fired by no
case (set ``kamengine_require_coverage = false`` to allow that).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

from ..playbooks.loader import load_playbooks, playbook_files
from ..playbooks.playbook import Playbook
from ..plugin._registry import Registry
from .playbook_tests import PlaybookTestReport, run_playbook_tests


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "kamengine_playbooks", "playbook files or directories whose test cases pytest runs", type="paths", default=[]
    )
    parser.addini("kamengine_require_coverage", "fail when a rule is fired by no case", type="bool", default=True)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    paths = [str(p) for p in config.getini("kamengine_playbooks")]
    if paths:
        registry = Registry()
        for playbook in load_playbooks(playbook_files(paths), registry.actions, kinds=registry.kinds):
            items.extend(_items(session, _Run(playbook, registry), config.getini("kamengine_require_coverage")))


class _Run:
    """One playbook's cases, run once, when the first of its items runs."""

    def __init__(self, playbook: Playbook, registry: Registry) -> None:
        self.playbook, self.registry = playbook, registry

    @cached_property
    def report(self) -> PlaybookTestReport:
        return run_playbook_tests(self.playbook, self.registry.actions, self.registry.enricher_instances())


def _items(session: pytest.Session, run: _Run, coverage: bool) -> Iterator[pytest.Item]:
    data = run.playbook.document.data if run.playbook.document else {}
    cases = data.get("tests") if isinstance(data, dict) else None
    for index, case in enumerate(cases if isinstance(cases, list) else []):
        name = case.get("name") if isinstance(case, dict) else None
        yield PlaybookItem.from_parent(
            session, name=f"{run.playbook.id}::{name or f'case {index + 1}'}", run=run, index=index
        )
    if coverage:
        yield PlaybookItem.from_parent(session, name=f"{run.playbook.id}::coverage", run=run, index=None)
    if len(run.playbook.languages) > 1:
        yield PlaybookItem.from_parent(session, name=f"{run.playbook.id}::translations", run=run, index=-1)


class PlaybookItem(pytest.Item):
    """One case of a playbook's ``tests:`` section; index None: its rule coverage; -1: its translations."""

    def __init__(self, *, run: _Run, index: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run, self.index = run, index

    def runtest(self) -> None:
        report = self.run.report
        if self.index == -1:
            if report.missing_translations:
                raise PlaybookCaseFailure("missing translations:\n" + "\n".join(report.missing_translations))
            return
        if self.index is None:
            if report.never_fired:
                raise PlaybookCaseFailure("rules no case fired: " + ", ".join(report.never_fired))
            return
        case = report.cases[self.index]
        if not case.passed:
            raise PlaybookCaseFailure(f"{case.where}: {case.name}\n" + "\n".join(case.failures))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, PlaybookCaseFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return Path(self.run.playbook.source), 0, self.name


class PlaybookCaseFailure(Exception):
    """A playbook case or the coverage check failed."""
