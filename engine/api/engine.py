"""The Engine: advise on a portfolio, run the nightly batch, plan, explain and decide, with no command line.

The CLI, a scheduler, the HTTP service and tests all go through ``Engine``::

    engine = Engine(config=load_config(Path("kamengine.toml")))
    result = engine.advise(["file:examples/portfolio/"], emit=["json:advice.json"])
    nightly = engine.batch("csv:exports/", store="kamengine.db", emit=["ics:visits.ics"])
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..advise.advisor import Advisor, EngineName
from ..advise.portfolio import PortfolioAdvice, advise_sources
from ..advise.spec import AdvisorSpec, prepare
from ..delivery.send import Delivered, deliver
from ..model.config import Config
from ..model.recommendation import Recommendation
from ..plugin._registry import Registry
from ..plugin.emitters import EmitContext, Emitter
from ..plugin.sources import Source
from ..store.statuses import DEFAULT_EXPIRY_GRACE_DAYS
from .access import AccessAPI
from .explain import ExplainAPI
from .recommendations import RecommendationsAPI
from .reports import ReportsAPI
from .week import WeekAPI

if TYPE_CHECKING:  # the batch and the store are imported when a batch runs
    from ..batch.executor import Executor
    from ..batch.run import BatchResult, Progress
    from ..batch.single import Refreshed
    from ..model.snapshot import Snapshot
    from ..store.store import Store


@dataclass
class AdviseResult(PortfolioAdvice):
    """``PortfolioAdvice`` plus how each emitter's delivery went."""

    deliveries: list[Delivered] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every account advised and every emitter delivered."""
        return not self.failures and all(d.ok for d in self.deliveries)


class Engine(RecommendationsAPI, WeekAPI, ExplainAPI, AccessAPI, ReportsAPI):
    """One run's plugins, settings and playbooks, loaded once; ``advise`` and ``batch`` use them."""

    def __init__(
        self,
        registry: Registry | None = None,
        config: Config | None = None,
        *,
        rules: Sequence[str] = (),
        no_builtin: bool = False,
        params: Mapping[str, Any] | None = None,
        engine: EngineName | None = None,  # None: kamengine.toml's engine (durable by default)
        caps: Mapping[str, int | None] | None = None,
        lang: str | None = None,
    ) -> None:
        self.registry = registry or Registry()
        self.config = config or Config()
        self.spec: AdvisorSpec = prepare(self.registry, self.config, rules, no_builtin, params, engine, caps, lang)

    @cached_property
    def advisor(self) -> Advisor:
        """The advisor of this process, compiled on first use."""
        return self.spec.advisor()

    def close(self) -> None:
        """Free the compiled rules."""
        if "advisor" in self.__dict__:
            self.advisor.close()
            del self.__dict__["advisor"]

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def advise(
        self,
        sources: Sequence[Source | str],
        *,
        as_of: dt.date | None = None,
        explain: bool = False,
        emit: Sequence[Emitter | str] = (),
        stdout: IO[str] | None = None,
        on_failure: Callable[[str], None] | None = None,
        stream: Emitter | str | None = None,
        on_account: Callable[[], None] | None = None,
    ) -> AdviseResult:
        """Advise every account of ``sources`` (``NAME:LOCATION`` specs or ``Source`` objects) and deliver
        through every emitter of ``emit`` (``NAME[:TARGET]`` specs or ``Emitter`` objects).

        ``stream`` (``jsonl:-``, say) is an emitter that gets each account's recommendations as soon as
        it is advised, account after account, instead of the whole portfolio at the end; ``on_account``
        hears of each account advised (a progress bar). A bad account, source or emitter is a line in
        ``failures`` or a failed delivery; the rest goes on. Nothing is delivered when no account could
        be advised.
        """
        limits = self.config.limits
        readers = [self.registry.source(s, limits) if isinstance(s, str) else s for s in sources]
        emitters = [self.registry.emitter(e) if isinstance(e, str) else e for e in emit]
        context = EmitContext(stdout or sys.stdout, self.registry.actions, {}, self.config.limits)
        streaming = _Stream(self.registry.emitter(stream) if isinstance(stream, str) else stream, context, on_account)
        deadline = self.spec.config.limits.account_seconds
        portfolio = advise_sources(
            self.advisor, readers, as_of, explain, on_failure, deadline, streaming, keep=bool(emitters) or not stream
        )  # fmt: skip
        result = AdviseResult(**vars(portfolio))
        if result.advised or not result.failures:
            context.explanations = result.explanations
            seconds = self.spec.config.limits.hook_seconds
            result.deliveries = [deliver(e, result.recommendations, context, seconds) for e in emitters]
        result.deliveries += streaming.delivered()
        return result

    def batch(
        self,
        source: Source | str,
        *,
        store: Store | str | Path | None = None,
        emit: Sequence[str] = (),
        executor: Executor | None = None,
        resume: bool = False,
        grace_days: int = DEFAULT_EXPIRY_GRACE_DAYS,
        stdout: IO[str] | None = None,
        on_progress: Progress | None = None,
        retry_failed: bool = False,
        as_of: dt.date | None = None,
    ) -> BatchResult:
        """The nightly run: every account of ``source`` (a ``NAME:LOCATION`` spec or a ``Source``) into the
        store, then through ``emit``.

        ``executor`` defaults to one worker process per core; ``store`` to ``$KAMENGINE_HOME``'s;
        ``as_of`` evaluates every account as of that date instead of its snapshot's.
        """
        import dataclasses

        from ..batch.run import run_batch
        from ..store.store import Store

        prepared = dataclasses.replace(self.spec, as_of=as_of) if as_of else self.spec
        reader = self.registry.source(source, self.config.limits) if isinstance(source, str) else source
        named = source if isinstance(source, str) else f"{reader.PLUGIN_NAME}:{reader.location}"  # for the store
        for spec in emit:
            self.registry.emitter(spec)  # an unknown emitter is a mistake to report before the run
        self.spec.advisor().close()  # rules durable rejects stop the run here, before any worker starts
        if executor is None:
            from ..batch.processes import ProcessExecutor
            from ..batch.worker import account_of

            deadline = self.spec.config.limits.account_seconds
            executor = ProcessExecutor(os.cpu_count() or 1, lambda task: account_of(task, reader), deadline)
        opened = store if isinstance(store, Store) else Store(store, self.registry.actions)
        opened.revision = self.revision  # kept with the run: a run with other playbooks than the last one warns
        try:
            return run_batch(
                prepared, reader, named, opened, executor, self.registry, stdout or sys.stdout, emit, resume,
                grace_days, on_progress, retry_failed,
            )  # fmt: skip
        finally:
            if opened is not store:
                opened.close()

    @cached_property
    def revision(self) -> str:
        """The loaded playbooks' revision (a hash of their texts and parameter values), for the decision log."""
        from ..store.decisions import revision

        return revision(self.spec.playbooks)

    def refresh(
        self,
        snapshot: Snapshot,
        data: Any,
        body: bytes,
        store: Store,
        principal: str,
        writing: AbstractContextManager[Any] | None = None,
        guard: Callable[[Callable[[], Any]], Any] | None = None,
    ) -> Refreshed:
        """The nightly batch for one account, now: keep the snapshot, run its advice through the store's
        lifecycle, log the decision; all in one transaction (``engine/batch/single.py``); ``guard`` runs the
        advice (a deadline), before anything is written."""
        from ..batch.single import refresh_account

        return refresh_account(
            self.advisor, snapshot, data, body, store, revision=self.revision, principal=principal, writing=writing,
            guard=guard,
        )  # fmt: skip


class _Stream:
    """Each account's advice through one emitter as soon as it is advised; an emitter that fails stops."""

    def __init__(self, emitter: Emitter | None, context: EmitContext, on_account: Callable[[], None] | None) -> None:
        self.emitter, self.context, self.on_account = emitter, context, on_account
        self.count, self.failure = 0, ""

    def __call__(self, recommendations: Sequence[Recommendation], explanations: dict[str, list[str]]) -> None:
        if self.emitter is not None and not self.failure:
            context = dataclasses.replace(self.context, explanations=explanations)
            delivered = deliver(self.emitter, recommendations, context)
            self.context.stdout.flush()
            self.count += len(recommendations)
            self.failure = "" if delivered.ok else delivered.message
            if delivered.reader_gone:  # `advise -f jsonl | head`: advising the rest would be for nobody
                raise BrokenPipeError("standard output closed by its reader")
        if self.on_account is not None:
            self.on_account()

    def delivered(self) -> list[Delivered]:
        if self.emitter is None:
            return []
        message = self.failure or f"{self.count} recommendations, account by account"
        return [Delivered(self.emitter, not self.failure, message)]
