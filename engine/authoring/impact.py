"""``rules impact``: what a change to playbooks does to a portfolio's advice, before it ships.

Both versions are evaluated account by account in the same pass (a worker derives an
account's facts once and runs both versions' rules on them), and their advice — what the
rules recommend, as ``rules test`` sees it, before the plan — is compared by recommendation
id (the same account, action, subject and rule give the same id): added, removed, or
re-ranked (its own priority changed, and with it its order among the recommendations both
versions give the account).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from ..advise.advisor import EngineName, durable_available
from ..advise.spec import AdvisorSpec, playbook_paths
from ..errors import KamengineError, printable
from ..evaluate.facts import Facts
from ..evaluate.ranking import Advice
from ..model.config import Config
from ..model.recommendation import Recommendation
from ..playbooks.loader import combined_caps, load_playbooks, switch_off
from ..plugin._registry import Registry
from ..plugin.sources import Source, SourceRecord

CHUNK = 25  # accounts a worker takes at a time: few round trips, an even spread


@dataclass(frozen=True)
class Change:
    """One recommendation one version gives and the other does not, or ranks differently."""

    kind: str  # + added, - removed, ~ re-ranked
    rule: str
    action: str
    account: str
    text: str  # "+ executive_visit to Ana Ruiz at ACME, because ..."


@dataclass
class RuleActionImpact:
    """Per rule and action: how many recommendations changed, for how many accounts, and a few of them."""

    rule: str
    action: str
    added: int = 0
    removed: int = 0
    reranked: int = 0
    accounts: set[str] = field(default_factory=set)
    examples: list[str] = field(default_factory=list)


@dataclass
class Impact:
    accounts: int = 0  # advised under both versions
    changes: dict[tuple[str, str], RuleActionImpact] = field(default_factory=dict)
    changed_accounts: set[str] = field(default_factory=set)
    base_recommendations: int = 0
    head_recommendations: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def by_rule(self) -> list[RuleActionImpact]:
        return [self.changes[key] for key in sorted(self.changes)]


def version_spec(registry: Registry, config: Config, files: Sequence[str], params: Mapping[str, Any]) -> AdvisorSpec:
    """The advisor of one version: its playbooks, in place of registered ones with the same ids, plus the rest."""
    own = {p.id for p in load_playbooks(files, registry.actions, kinds=registry.kinds)}
    others = []
    for path in playbook_paths(registry):
        if load_playbooks([path], registry.actions, kinds=registry.kinds)[0].id not in own:
            others.append(path)
    overrides = {**config.parameters, **params}
    playbooks = load_playbooks([*others, *files], registry.actions, overrides, registry.kinds)
    playbooks = switch_off(playbooks, config.disabled_playbooks, config.disabled_rules)
    engine: EngineName = "durable" if durable_available() else "compiled"
    enrichers = tuple(registry.enrichers.values())
    return AdvisorSpec(tuple(playbooks), registry.actions, config, enrichers, engine, combined_caps(playbooks))


def impact(
    base: AdvisorSpec,
    head: AdvisorSpec,
    sources: Sequence[Source],
    as_of: dt.date | None = None,
    workers: int | None = None,
    examples: int = 3,
) -> Impact:
    """Both versions over every account of ``sources``; a bad account costs only itself.

    The sources are read here and their records parsed where they are evaluated (in parallel)."""
    result = Impact()
    readers = [(type(source), source.location, source.actions, source.limits) for source in sources]
    records = _records(sources, result.failures)
    seen: dict[str, str] = {}  # account id -> where it was read first
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        _start(base, head, readers)
        try:
            _collect(result, (_compare(item, as_of) for item in records), examples, seen)
        finally:
            _stop()
        return result
    while True:  # a pool whose worker died is replaced; the accounts it held are reported, the rest go on
        spawn = multiprocessing.get_context("spawn")  # no inherited durable state or threads (a fork could hang)
        with ProcessPoolExecutor(workers, spawn, initializer=_start, initargs=(base, head, readers)) as pool:
            chunks = iter(lambda: list(islice(records, CHUNK)), [])
            pending = [(chunk, pool.submit(_compare_all, chunk, as_of)) for chunk in islice(chunks, workers * 4)]
            try:
                while pending:
                    chunk, future = pending.pop(0)
                    answers = future.result()
                    pending += [(c, pool.submit(_compare_all, c, as_of)) for c in islice(chunks, 1)]
                    _collect(result, answers, examples, seen)
            except BrokenProcessPool:
                died = "a worker died while this account was evaluated"
                result.failures += [
                    f"{record.origin}: {died}" for c in [chunk, *(c for c, _ in pending)] for _, record in c
                ]
                continue
        return result


@dataclass(frozen=True)
class _Answer:
    origin: str
    account: str = ""
    base: int = 0
    head: int = 0
    changes: tuple[Change, ...] = ()
    error: str | None = None


class _Worker:
    """Both versions' advisors, and the sources to parse records with, in one process."""

    def __init__(self, base: AdvisorSpec, head: AdvisorSpec, readers: list[tuple[Any, ...]]) -> None:
        self.base, self.head = base.advisor(), head.advisor()
        self.sources = []
        for cls, location, actions, limits in readers:
            source = cls(location, actions)
            source.limits = limits
            self.sources.append(source)

    def close(self) -> None:
        self.base.close()
        self.head.close()

    def compare(self, index: int, record: SourceRecord, as_of: dt.date | None) -> _Answer:
        record = self.sources[index].parse(record) if record.raw is not None else record
        if record.snapshot is None:
            return _Answer(record.origin, error=str(record.error))
        account = record.snapshot.account.id
        try:
            facts, fired = self.base.evaluate(record.snapshot, as_of)
            before = self.base.rank(facts, fired)
            after = self.head.rank(facts, self.head.fire(facts))
        except KamengineError as exc:
            return _Answer(record.origin, account, error=f"{record.origin}: {exc}")
        except Exception as exc:  # a bug must still cost only this account
            return _Answer(
                record.origin, account, error=f"{record.origin}: internal error: {type(exc).__name__}: {exc}"
            )
        changes = tuple(_changes(before, after, facts))
        return _Answer(record.origin, account, len(before.recommendations), len(after.recommendations), changes)


_worker: _Worker | None = None  # this process's


def _start(base: AdvisorSpec, head: AdvisorSpec, readers: list[tuple[Any, ...]]) -> None:
    global _worker
    _worker = _Worker(base, head, readers)


def _stop() -> None:
    global _worker
    if _worker is not None:
        _worker.close()
        _worker = None


def _compare(item: tuple[int, SourceRecord], as_of: dt.date | None) -> _Answer:
    assert _worker is not None
    return _worker.compare(*item, as_of)


def _compare_all(items: list[tuple[int, SourceRecord]], as_of: dt.date | None) -> list[_Answer]:
    return [_compare(item, as_of) for item in items]


def _records(sources: Sequence[Source], failures: list[str]) -> Iterator[tuple[int, SourceRecord]]:
    for index, source in enumerate(sources):
        try:
            for record in source.raw_records():
                yield index, record
        except KamengineError as exc:  # the location itself is unusable
            failures.append(str(exc))
        except Exception as exc:  # a source plugin's bug: report it, keep the other sources
            failures.append(f"source '{source.PLUGIN_NAME}' failed on {source.location}: {type(exc).__name__}: {exc}")


def _collect(result: Impact, answers: Iterable[_Answer], examples: int, seen: dict[str, str]) -> None:
    for answer in answers:
        if answer.error is None and (first := seen.get(answer.account)) is not None:
            twice = first == answer.origin  # the same file named twice
            said = f"account '{printable(answer.account)}' is already at {first}"
            result.failures.append(f"{first}: given twice; compared once" if twice else f"{answer.origin}: {said}")
            continue
        if answer.error is None:
            seen[answer.account] = answer.origin
        if answer.error is not None:
            result.failures.append(answer.error)
            continue
        result.accounts += 1
        result.base_recommendations += answer.base
        result.head_recommendations += answer.head
        for change in answer.changes:
            key = (change.rule, change.action)
            group = result.changes.setdefault(key, RuleActionImpact(*key))
            setattr(group, _COUNTS[change.kind], getattr(group, _COUNTS[change.kind]) + 1)
            group.accounts.add(answer.account)
            result.changed_accounts.add(answer.account)
            if sum(e.startswith(change.kind) for e in group.examples) < examples:
                group.examples.append(change.text)


_COUNTS = {"+": "added", "-": "removed", "~": "reranked"}


def _changes(before: Advice, after: Advice, facts: Facts) -> Iterator[Change]:
    old = {rec.id: rec for rec in before.recommendations}
    new = {rec.id: rec for rec in after.recommendations}
    held = {s.recommendation.id: f"{s.reason}: {s.detail}" for s in after.suppressed}
    for rec in after.recommendations:
        if rec.id not in old:
            yield _change("+", rec, facts, f"because {_because(rec)}")
    for rec in before.recommendations:
        if rec.id not in new:
            why = (
                f"now held back ({held[rec.id]})" if rec.id in held else f"no longer recommended (was: {_because(rec)})"
            )
            yield _change("-", rec, facts, why)
    was = {rec_id: rank for rank, rec_id in enumerate(i for i in old if i in new)}
    now = [i for i in new if i in old]
    for rank, rec_id in enumerate(now):
        # Only what moved by a priority of its own: the others it passes shift by one, and are not news.
        if was[rec_id] != rank and old[rec_id].priority != new[rec_id].priority:
            yield _change("~", new[rec_id], facts, f"ranked {was[rec_id] + 1} → {rank + 1} of {len(now)}")


def _change(kind: str, rec: Recommendation, facts: Facts, why: str) -> Change:
    names = {str(s["id"]): s.get("name") for s in facts.subjects(rec.subject_kind)}
    subject = names.get(rec.subject_id) or rec.subject_id
    account = facts.account.get("name") or rec.account_id
    target = (
        f"{rec.action} to {subject} at {account}" if rec.subject_kind != "account" else f"{rec.action} at {account}"
    )
    return Change(kind, rec.rule, rec.action, rec.account_id, f"{kind} {target}, {why}")


def _because(rec: Recommendation) -> str:
    fields = rec.evidence.get("fields") or {}
    shown = ", ".join(f"{name} {str(v).lower() if isinstance(v, bool) else v}" for name, v in fields.items())
    return shown or rec.title
