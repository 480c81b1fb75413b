"""A playbook's own test cases (its ``tests:`` section): run them and measure rule coverage."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..advise.advisor import Advisor, EngineName, durable_available
from ..errors import InputError, PlaybookError, SnapshotError, did_you_mean
from ..model import documents
from ..model.actions import ActionCatalogue
from ..model.config import Config
from ..model.documents import Document
from ..model.loading import snapshot_from_document
from ..playbooks.playbook import Playbook
from ..plugin.enrichers import Enricher

_CASE_KEYS = {"name", "snapshot", "as_of", "crisis", "expect", "forbid"}
_EXPECTATION_KEYS = {"subject", "action", "rule"}


@dataclass(frozen=True)
class Expectation:
    subject: str
    action: str
    rule: str | None  # bare or playbook/rule; None: any rule of the playbook

    def matches(self, subject: str, action: str, rule: str) -> bool:
        wanted_rule = self.rule is None or self.rule in (rule, rule.split("/", 1)[-1])
        return subject == self.subject and action == self.action and wanted_rule

    def __str__(self) -> str:
        by = f" by {self.rule}" if self.rule else ""
        return f"{self.action} for {self.subject}{by}"


@dataclass
class CaseResult:
    """One case: passed or not, and why not."""

    name: str
    where: str
    failures: list[str] = field(default_factory=list)
    fired: set[str] = field(default_factory=set)  # rule ids that fired (recommended or held back)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class PlaybookTestReport:
    playbook: Playbook
    cases: list[CaseResult]

    @property
    def never_fired(self) -> list[str]:
        """Rules no case fired: untested behaviour."""
        fired = set().union(*(case.fired for case in self.cases)) if self.cases else set()
        return [r.qualified_id for r in self.playbook.rules if r.qualified_id not in fired]

    @property
    def missing_translations(self) -> list[str]:
        """Texts lacking a language the playbook declares: a failure, like a failing case."""
        return self.playbook.missing_translations()

    @property
    def passed(self) -> bool:
        return all(case.passed for case in self.cases) and not self.missing_translations


def run_playbook_tests(
    playbook: Playbook, actions: ActionCatalogue | None = None, enrichers: Sequence[Enricher] = ()
) -> PlaybookTestReport:
    """Run every case of a playbook against that playbook alone."""
    doc = playbook.document
    raw = doc.data.get("tests") if doc is not None and isinstance(doc.data, dict) else None
    if raw is None:
        return PlaybookTestReport(playbook, [])
    assert doc is not None
    if not isinstance(raw, list):
        raise PlaybookError([f"{doc.where(('tests',))}: 'tests' must be a list of cases"])
    engine: EngineName = "durable" if durable_available() else "compiled"  # Python 3.13+ has no durable_rules
    advisor = Advisor([playbook], actions, engine=engine, enrichers=enrichers)
    try:
        return PlaybookTestReport(playbook, [_run_case(advisor, doc, case, i) for i, case in enumerate(raw)])
    finally:
        advisor.close()


def _run_case(advisor: Advisor, doc: Document, case: Any, index: int) -> CaseResult:
    path: tuple[str | int, ...] = ("tests", index)
    where = doc.where(path)
    if not isinstance(case, dict):
        return CaseResult(
            f"case {index + 1}", where, [f"{where}: a case must be a mapping with name, snapshot, expect"]
        )
    result = CaseResult(str(case.get("name") or f"case {index + 1}"), where)
    unknown = sorted(set(map(str, case)) - _CASE_KEYS)
    result.failures += [f"{doc.where((*path, k))}: unknown key '{k}'{did_you_mean(k, _CASE_KEYS)}" for k in unknown]
    try:
        snapshot = _snapshot(doc, case.get("snapshot"), (*path, "snapshot"), advisor.actions)
        expect = _expectations(doc, case.get("expect") or [], (*path, "expect"))
        forbid = _expectations(doc, case.get("forbid") or [], (*path, "forbid"))
        as_of = case.get("as_of")
        as_of = dt.date.fromisoformat(str(as_of)) if as_of is not None else None
    except (InputError, ValueError) as exc:
        result.failures.append(str(exc))
        return result
    if result.failures:
        return result
    if not expect and not forbid:
        result.failures.append(f"{where}: a case needs 'expect' or 'forbid'")
        return result
    crisis = case.get("crisis")  # a crisis of ours or of the market, as kamengine.toml would declare it
    enrichers = advisor.enrichers
    if crisis is not None:
        advisor.enrichers = [type(e)(dataclasses.replace(e.config or Config(), crisis=str(crisis))) for e in enrichers]
    try:
        facts, firings = advisor.evaluate(snapshot, as_of)
    finally:
        advisor.enrichers = enrichers
    advice = advisor.rank(facts, firings)  # what the rules recommend; the plan is tested on its own
    result.fired = {firing.rule.qualified_id for firing in firings}
    got = [(r.subject_id, r.action, r.rule) for r in advice.recommendations]
    ids = {str(s["id"]) for kind in ("contact", "opportunity", "account") for s in facts.subjects(kind)}
    for expectation in [*expect, *forbid]:
        if expectation.subject not in ids:
            result.failures.append(
                f"{where}: no subject '{expectation.subject}' in the snapshot{did_you_mean(expectation.subject, ids)}"
            )
    for expectation in expect:
        if not any(expectation.matches(*item) for item in got):
            held = [
                s
                for s in advice.suppressed
                if expectation.matches(s.recommendation.subject_id, s.recommendation.action, s.recommendation.rule)
            ]
            why = f" (held back: {held[0].reason}: {held[0].detail})" if held else ""
            result.failures.append(f"expected {expectation}, not recommended{why}")
    for expectation in forbid:
        hits = [item for item in got if expectation.matches(*item)]
        if hits:
            result.failures.append(f"forbidden {expectation}, but {hits[0][2]} recommended it")
    return result


def _snapshot(doc: Document, raw: Any, path: tuple[str | int, ...], actions: ActionCatalogue) -> Any:
    if isinstance(raw, str):
        file = Path(doc.source).parent / raw
        return snapshot_from_document(documents.load(str(file), SnapshotError), actions)
    if isinstance(raw, dict):
        # An inline snapshot: its errors point into the playbook file.
        lines = {p[len(path) :]: line for p, line in doc.line_map().items() if p[: len(path)] == path}
        return snapshot_from_document(Document(raw, doc.source, lines), actions)
    raise SnapshotError([f"{doc.where(path)}: 'snapshot' must be a mapping or a path to a snapshot file"])


def _expectations(doc: Document, raw: Any, path: tuple[str | int, ...]) -> list[Expectation]:
    if not isinstance(raw, list):
        raise PlaybookError([f"{doc.where(path)}: expected a list of {{subject, action}}"])
    found = []
    for index, item in enumerate(raw):
        where = doc.where((*path, index))
        if not isinstance(item, dict) or not {"subject", "action"} <= set(item) or set(item) - _EXPECTATION_KEYS:
            raise PlaybookError([f"{where}: expected {{subject: ID, action: ACTION}} and optionally rule"])
        found.append(Expectation(str(item["subject"]), str(item["action"]), item.get("rule")))
    return found
