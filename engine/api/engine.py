"""The Engine: advise on a portfolio, run the nightly batch, plan, explain and decide, with no command line.

The CLI, a scheduler, the HTTP service and tests all go through ``Engine``::

    engine = Engine(RunOptions(config=load_config(Path("kamengine.toml"))))
    result = engine.advise(["file:examples/portfolio/"], emit=["json:advice.json"], lang="zh")
    nightly = engine.batch("csv:exports/", store="kamengine.db", emit=["ics:visits.ics"])
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..advise.advisor import Advisor
from ..advise.options import RunOptions
from ..advise.portfolio import PortfolioAdvice, advise_sources
from ..advise.spec import AdvisorSpec, prepare
from ..delivery.send import Delivered, deliver
from ..model.recommendation import Recommendation
from ..plugin._registry import Registry
from ..plugin.emitters import EmitContext, Emitter
from ..plugin.sources import Source
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
    from .options import BatchOptions


@dataclass
class AdviseResult(PortfolioAdvice):
    """``PortfolioAdvice`` plus how each emitter's delivery went."""

    deliveries: list[Delivered] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every account advised and every emitter delivered."""
        return not self.failures and all(d.ok for d in self.deliveries)


class Engine(RecommendationsAPI, WeekAPI, ExplainAPI, AccessAPI, ReportsAPI):
    """One run's plugins, options and playbooks, loaded once; ``advise``, ``batch`` and ``refresh`` use them.

    The playbooks are compiled once, whatever the language: each call may ask for its own.
    """

    def __init__(self, options: RunOptions | None = None, registry: Registry | None = None) -> None:
        """A run with ``options`` (None: the defaults) over the plugins of ``registry`` (None: every one installed)."""
        self.options = options or RunOptions()
        self.registry = registry or Registry()
        self.config = self.options.settings()
        self.spec: AdvisorSpec = prepare(self.registry, self.options)

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
        lang: str | None = None,
    ) -> AdviseResult:
        """Advise every account of ``sources`` (``NAME:LOCATION`` specs or ``Source`` objects) and deliver
        through every emitter of ``emit`` (``NAME[:TARGET]`` specs or ``Emitter`` objects).

        ``as_of`` (None: the options') evaluates every account as of that date; ``lang`` (None: the
        options', else the settings') is the language of the advice. ``stream`` (``jsonl:-``, say) is an
        emitter that gets each account's recommendations as soon as it is advised, account after account,
        instead of the whole portfolio at the end; ``on_account`` hears of each account advised (a
        progress bar). A bad account, source or emitter is a line in ``failures`` or a failed delivery;
        the rest goes on. Nothing is delivered when no account could be advised.
        """
        limits = self.config.limits
        readers = [self.registry.source(s, limits) if isinstance(s, str) else s for s in sources]
        emitters = [self.registry.emitter(e) if isinstance(e, str) else e for e in emit]
        context = EmitContext(stdout or sys.stdout, self.registry.actions, {}, limits)
        streaming = _Stream(self.registry.emitter(stream) if isinstance(stream, str) else stream, context, on_account)
        portfolio = advise_sources(
            self.advisor, readers, as_of or self.spec.as_of, explain, on_failure, limits.account_seconds, streaming,
            keep=bool(emitters) or not stream, lang=lang,
        )  # fmt: skip
        result = AdviseResult(**vars(portfolio))
        if result.advised or not result.failures:
            context.explanations = result.explanations
            result.deliveries = [deliver(e, result.recommendations, context, limits.hook_seconds) for e in emitters]
        result.deliveries += streaming.delivered()
        return result

    def batch(
        self,
        source: Source | str,
        *,
        store: Store | str | Path | None = None,
        emit: Sequence[str] = (),
        options: BatchOptions | None = None,
        executor: Executor | None = None,
        stdout: IO[str] | None = None,
        on_progress: Progress | None = None,
    ) -> BatchResult:
        """The nightly run: every account of ``source`` (a ``NAME:LOCATION`` spec or a ``Source``) into the
        store, then through ``emit``.

        ``options`` say where the accounts are evaluated (None: one worker process per core) and which run
        it is (a new one, ``--resume``, ``--retry-failed``); ``executor``, an executor made by the caller
        instead. ``store`` defaults to ``$KAMENGINE_HOME``'s. The run's options' ``as_of`` evaluates every
        account as of that date instead of its snapshot's.
        """
        from ..batch.executors import make_executor
        from ..batch.run import run_batch
        from ..store.store import Store
        from .options import BatchOptions

        asked = options or BatchOptions()
        reader = self.registry.source(source, self.config.limits) if isinstance(source, str) else source
        named = source if isinstance(source, str) else f"{reader.PLUGIN_NAME}:{reader.location}"  # for the store
        if executor is None:  # made first, as a command line's --executor is read: a cluster that is not there
            seconds = asked.account_seconds or self.config.limits.account_seconds
            executor = make_executor(
                asked.executor, reader, workers=asked.workers, scheduler=asked.scheduler, account_seconds=seconds
            )
        for spec in emit:
            self.registry.emitter(spec)  # an unknown emitter is a mistake to report before the run
        self.spec.advisor().close()  # rules durable rejects stop the run here, before any worker starts
        opened = store if isinstance(store, Store) else Store(store, self.registry.actions)
        opened.revision = self.revision  # kept with the run: a run with other playbooks than the last one warns
        try:
            result = run_batch(
                self.spec, reader, named, opened, executor, self.registry, stdout or sys.stdout, emit, asked.resume,
                asked.grace_days, on_progress, asked.retry_failed,
            )  # fmt: skip
            if result.finished:  # the night is committed: [retention] prunes after it, a failure only warns
                from .runs import nightly_prune

                nightly_prune(opened, self.config.retention)
            return result
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
        lang: str | None = None,
    ) -> Refreshed:
        """The nightly batch for one account, now: keep the snapshot, run its advice (in ``lang``, None: the
        options') through the store's lifecycle, log the decision; all in one transaction
        (``engine/batch/single.py``); ``guard`` runs the advice (a deadline), before anything is written."""
        from ..batch.single import refresh_account

        return refresh_account(
            self.advisor, snapshot, data, body, store, revision=self.revision, principal=principal, writing=writing,
            guard=guard, lang=lang,
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
