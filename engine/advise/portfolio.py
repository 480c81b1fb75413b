"""Advising a whole portfolio: every account of every source, a bad one costing only itself."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..delivery.deadlines import alarm
from ..errors import InputError, KamengineError, plain, printable
from ..model.recommendation import Recommendation
from ..plugin.sources import Source, SourceRecord
from .advisor import Advisor

#: Hears each account's recommendations (most urgent first) and their explanations as soon as it is advised.
OnAccount = Callable[[Sequence[Recommendation], dict[str, list[str]]], None]


@dataclass
class PortfolioAdvice:
    """What one advise over some sources gave: every account's recommendations, most urgent first."""

    recommendations: list[Recommendation] = field(default_factory=list)
    explanations: dict[str, list[str]] = field(default_factory=dict)  # recommendation id -> conditions that held
    advised: int = 0  # accounts advised on
    failures: list[str] = field(default_factory=list)  # one line each, naming file, line and field


def advise_sources(
    advisor: Advisor,
    sources: Iterable[Source],
    as_of: dt.date | None = None,
    explain: bool = False,
    on_failure: Callable[[str], None] | None = None,
    account_seconds: float | None = None,
    on_account: OnAccount | None = None,
    keep: bool = True,
    lang: str | None = None,
) -> PortfolioAdvice:
    """Every account of every source; a bad account, a slow one (past ``account_seconds``), or a
    source that breaks, costs only itself.

    ``on_failure`` hears of each failure as it happens (the CLI prints it at once); ``on_account``
    of each account's advice, in the order the sources give them. Without ``keep`` the result
    holds only counts and failures: memory stays flat however large the portfolio. ``lang``: the
    language of the advice (None: the advisor's).
    """
    result = PortfolioAdvice()

    def fail(message: str) -> None:
        result.failures.append(message)
        if on_failure is not None:
            on_failure(message)

    said = _Said(result, fail, on_account, keep, lang)
    seen: dict[str, str] = {}  # account id -> where it was read first: an account is advised once
    for source in sources:
        try:
            for record in source.records():
                if record.snapshot is None:
                    fail(str(record.error))
                elif (first := seen.get(record.snapshot.account.id)) is not None:
                    account = printable(record.snapshot.account.id)
                    twice = first == record.origin  # the same file named twice (advise a.yaml a.yaml)
                    fail(
                        f"{first}: given twice; advised once"
                        if twice
                        else f"{record.origin}: account '{account}' is already at {first}"
                    )
                else:
                    seen[record.snapshot.account.id] = record.origin
                    _advise_one(advisor, record, as_of, explain, said, account_seconds)
        except InputError as exc:  # the location itself is unusable
            fail(str(exc))
        except BrokenPipeError:  # the stream's reader went away: nobody wants the rest
            raise
        except Exception as exc:  # a source plugin's bug: report it, keep the other sources
            fail(f"source '{source.PLUGIN_NAME}' failed on {source.location}: {plain(exc)}")
    # Stable: within an account and a priority, the plan's order stays (an approach's lead first).
    result.recommendations.sort(key=lambda r: (-r.priority, r.account_id))
    return result


@dataclass
class _Said:
    """Where one account's advice goes (the result, the failures, the stream) and in which language."""

    result: PortfolioAdvice
    fail: Callable[[str], None]
    on_account: OnAccount | None
    keep: bool
    lang: str | None


def _advise_one(
    advisor: Advisor, record: SourceRecord, as_of: dt.date | None, explain: bool, said: _Said, seconds: float | None
) -> None:
    assert record.snapshot is not None
    try:
        with alarm(seconds, "advising this account") if seconds else contextlib.nullcontext():
            facts, firings = advisor.evaluate(record.snapshot, as_of)
            advice = advisor.plan(facts, firings, said.lang)
    except KamengineError as exc:  # this account fails (a deadline too); the others go on
        said.fail(f"{record.origin}: {exc}")
        return
    except Exception as exc:  # a bug must still cost only this account
        said.fail(f"{record.origin}: internal error, please report it: {type(exc).__name__}: {exc}")
        return
    said.result.advised += 1
    explanations: dict[str, list[str]] = {}
    if explain:  # the explainer (and the reference evaluator it reads conditions with) loads when asked for
        from ..evaluate.explain import explanations as explain_all

        explanations = explain_all(advice, firings, facts)
    if said.keep:
        said.result.recommendations.extend(advice.recommendations)
        said.result.explanations.update(explanations)
    if said.on_account is not None:  # ordered as the whole portfolio is, within this account
        said.on_account(sorted(advice.recommendations, key=lambda r: -r.priority), explanations)
