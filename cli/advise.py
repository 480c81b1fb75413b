"""``kamengine advise``: recommendations for snapshot files or a data source, through emitters."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from typing import Any

import click
from kamengine.engine.advisor import Advisor
from kamengine.engine.emitters import EmitContext, Emitter
from kamengine.engine.errors import InputError, KamengineError
from kamengine.engine.explain import held_conditions
from kamengine.engine.recommendation import Recommendation
from kamengine.engine.registry import Registry
from kamengine.engine.sources import Source, SourceRecord

from .runtime import build_advisor, lang_option, load_all_playbooks, load_registry, playbook_options, split_spec


@click.command()
@click.argument("paths", nargs=-1, metavar="[SNAPSHOT]...")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME:LOCATION",
    help="Read accounts from a data source, e.g. csv:exports/ (repeatable; see kamengine plugins).",
)
@click.option(
    "-f",
    "--format",
    "output_format",
    default=None,
    metavar="FORMAT",
    help="Print to stdout as table (default), json, jsonl, csv or markdown.",
)
@click.option(
    "--emit",
    "emits",
    multiple=True,
    metavar="NAME[:TARGET]",
    help="Deliver through an emitter, e.g. ics:visits.ics or webhook:https://... (repeatable).",
)
@click.option(
    "--explain", is_flag=True, help="Show under each recommendation the conditions that held, with the values seen."
)
@playbook_options
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Evaluate as of this date instead of each snapshot's as_of.",
)
@click.option("--max-per-contact", type=click.IntRange(min=1), help="At most this many recommendations per contact.")
@click.option("--max-per-account", type=click.IntRange(min=1), help="At most this many recommendations per account.")
@click.option(
    "--engine",
    type=click.Choice(["durable", "reference"]),
    default="durable",
    show_default=True,
    help="Evaluator: durable_rules, or the plain-Python reference.",
)
@lang_option
def advise(
    paths: tuple[str, ...],
    sources: tuple[str, ...],
    output_format: str | None,
    emits: tuple[str, ...],
    explain: bool,
    rule_paths: tuple[str, ...],
    no_builtin: bool,
    params: dict[str, Any],
    as_of: dt.datetime | None,
    max_per_contact: int | None,
    max_per_account: int | None,
    engine: str,
    lang: str | None,
) -> None:
    """Recommend next actions for the account snapshots SNAPSHOT... (JSON or YAML; - reads stdin).

    Exits 1 if any account, playbook or emitter failed; every other account is still advised
    on and every other emitter still delivers.
    """
    registry = load_registry()
    readers = [registry.sources["file"](path, registry.actions) for path in paths]
    readers += [_source(registry, spec) for spec in sources]
    if not readers:
        raise click.UsageError("give SNAPSHOT files or --source NAME:LOCATION")
    emitters = [_emitter(registry, spec) for spec in emits]
    if output_format is not None or not emitters:
        emitters.insert(0, _emitter(registry, f"{output_format or 'table'}:-", option="--format"))
    playbooks = load_all_playbooks(registry, rule_paths, no_builtin, params)
    caps = {"per_contact": max_per_contact, "per_account": max_per_account}
    advisor = build_advisor(registry, playbooks, "durable" if engine == "durable" else "reference", caps, lang)
    results = _advise_all(advisor, readers, as_of.date() if as_of else None, explain)
    if results.failures and not results.advised:
        raise SystemExit(1)  # nothing to deliver; the errors are on stderr
    recommendations = sorted(
        results.recommendations, key=lambda r: (-r.priority, r.account_id, r.due, r.rule, r.subject_id, r.action)
    )
    context = EmitContext(sys.stdout, registry.actions, results.explanations)
    for emitter in emitters:
        try:
            summary = emitter.emit(recommendations, context)
        except Exception as exc:  # one emitter failing must not stop the others
            results.fail(f"emitter '{emitter.PLUGIN_NAME}' failed: {type(exc).__name__}: {exc}")
            continue
        if emitter.target not in (None, "-"):
            click.echo(f"{emitter.PLUGIN_NAME}: {summary}", err=True)
    if results.failures:
        raise SystemExit(1)


@dataclass
class _Results:
    recommendations: list[Recommendation] = field(default_factory=list)
    explanations: dict[str, list[str]] = field(default_factory=dict)
    advised: int = 0
    failures: int = 0

    def fail(self, message: str) -> None:
        self.failures += 1
        click.echo(f"Error: {message}", err=True)


def _advise_all(advisor: Advisor, readers: list[Source], as_of: dt.date | None, explain: bool) -> _Results:
    """Every account of every reader; a bad account, or a source that breaks, costs only itself."""
    results = _Results()
    for reader in readers:
        try:
            for record in reader.records():
                if record.snapshot is None:
                    results.fail(str(record.error))
                else:
                    _advise_one(advisor, record, as_of, explain, results)
        except InputError as exc:  # the location itself is unusable
            results.fail(str(exc))
        except Exception as exc:  # a source plugin's bug: report it, keep the other sources
            results.fail(f"source '{reader.PLUGIN_NAME}' failed on {reader.location}: {type(exc).__name__}: {exc}")
    return results


def _advise_one(
    advisor: Advisor, record: SourceRecord, as_of: dt.date | None, explain: bool, results: _Results
) -> None:
    assert record.snapshot is not None
    try:
        facts, firings = advisor.evaluate(record.snapshot, as_of)
        advice = advisor.rank(facts, firings)
    except KamengineError as exc:  # this account fails; the others go on
        results.fail(f"{record.origin}: {exc}")
        return
    except Exception as exc:  # a bug must still cost only this account
        results.fail(f"{record.origin}: internal error, please report it: {type(exc).__name__}: {exc}")
        return
    results.advised += 1
    results.recommendations.extend(advice.recommendations)
    if explain:
        firing_of = {(f.rule.qualified_id, str(f.subject["id"])): f for f in firings}
        for rec in advice.recommendations:
            firing = firing_of[(rec.rule, rec.subject_id)]
            results.explanations[rec.id] = held_conditions(firing.rule, firing.subject, facts)


def _source(registry: Registry, spec: str) -> Source:
    name, location = split_spec(spec)
    if name not in registry.sources:
        raise click.BadParameter(
            f"unknown source '{name}'; installed: {', '.join(registry.sources)}", param_hint="--source"
        )
    if not location:
        raise click.BadParameter(
            f"'{name}' needs a location: {name}:LOCATION ({registry.sources[name].DESCRIPTION})", param_hint="--source"
        )
    return registry.sources[name](location, registry.actions)


def _emitter(registry: Registry, spec: str, option: str = "--emit") -> Emitter:
    name, target = split_spec(spec)
    if name not in registry.emitters:
        raise click.BadParameter(
            f"unknown emitter '{name}'; installed: {', '.join(registry.emitters)}", param_hint=option
        )
    cls = registry.emitters[name]
    if cls.TARGET_REQUIRED and not target:
        raise click.BadParameter(f"'{name}' needs a target: {name}:TARGET ({cls.DESCRIPTION})", param_hint=option)
    return cls(target)
