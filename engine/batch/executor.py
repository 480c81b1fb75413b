"""What a batch run hands its executor and gets back: the job, one task per account, one answer each."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from ..advise.spec import AdvisorSpec
from ..model.rows import AccountAdvice
from ..plugin.sources import Source, SourceRecord

#: How long an executor waits for an answer before it calls ``on_idle``.
IDLE_SECONDS = 0.25


@dataclass(frozen=True)
class PluginNeed:
    """A plugin a run uses: its name (the entry point), the package that installs it and that package's version."""

    name: str
    package: str
    version: str


@dataclass(frozen=True)
class Job:
    """What every worker of one run needs: the advisor's spec, the source (to finish reading records), what to skip.

    The source travels as its class and location, not as an open reader: a worker makes its
    own to ``parse`` records the run's reader handed over unparsed (their text, never a path to
    read). Nothing in it names the store: earlier stances come with each task.
    """

    spec: AdvisorSpec
    source: type[Source]
    location: str
    skip: frozenset[str] = frozenset()  # accounts the resumed run has already written
    plugins: tuple[PluginNeed, ...] = ()  # the installed plugins it uses: a Dask worker must have each
    token: str = field(default_factory=lambda: uuid.uuid4().hex)  # tells one run's job from another's


@dataclass(frozen=True)
class Task:
    """One account as the source gave it (parsed, or raw for the worker to parse) and its contacts' last stances
    before its night, read by the supervisor (contact -> stance): all a worker needs, wherever it runs."""

    origin: str
    record: SourceRecord
    stances: dict[str, int] = field(default_factory=dict)
    account: str | None = None  # the account the stances were read for (None: the record has no snapshot)


class Answer(NamedTuple):
    """A worker's answer for one task: the account's advice in row form, or why there is none."""

    origin: str
    account_id: str  # the origin when the record could not be read
    advice: AccountAdvice | None = None
    error: str | None = None  # the whole message, naming the origin
    skipped: bool = False  # written before the run was resumed


class Executor(Protocol):
    """Evaluates a run's tasks somewhere (local processes, a Dask cluster) and hands back every answer."""

    restarts: int  # workers that died and were replaced
    #: Called in the calling thread when no answer has come for a moment (``IDLE_SECONDS``): the run commits
    #: the accounts written so far, so the store's write lock is not held while a slow account is worked on.
    on_idle: Callable[[], None] | None

    def run(self, job: Job, tasks: Iterable[Task], on_answer: Callable[[Answer], None]) -> None:
        """Call ``on_answer`` once per task, in any order, in the calling thread."""
        ...
