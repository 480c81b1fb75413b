"""What the commands share at run time: the plugins, the settings, the engine, sources and emitters from specs."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

import click

# The engine is imported when a command runs, not when --help lists the commands.
if TYPE_CHECKING:
    import datetime as dt

    from kamengine import Emitter, Source
    from kamengine.engine.api import Engine
    from kamengine.engine.api.options import EngineName, Registry, RunOptions
    from kamengine.engine.api.stores import Store
    from kamengine.engine.model.config import Config


#: The logger a command's lines go to instead (``batch --log-format json``: every line of stderr one JSON object).
_LINES_TO: list[logging.Logger] = []
_LEVELS = {"Notice: ": logging.INFO, "Warning: ": logging.WARNING}


def say(message: str, prefix: str = "Error: ") -> None:
    """One message on standard error, its data's control characters shown, never acted on by the terminal."""
    from kamengine.engine.errors import printable_lines

    if _LINES_TO:  # a notice or warning as a log record of its level (a notice: info)
        _LINES_TO[-1].log(_LEVELS.get(prefix, logging.ERROR), message)
        return
    click.echo(prefix + printable_lines(message), err=True)


@contextlib.contextmanager
def lines_to(logger: logging.Logger | None) -> Iterator[None]:
    """While the block runs, ``say`` hands its lines to ``logger`` (None: stderr as text, as always)."""
    if logger is not None:
        _LINES_TO.append(logger)
    try:
        yield
    finally:
        if logger is not None:
            _LINES_TO.remove(logger)


class _SaidWarnings(logging.Handler):
    """The engine's warnings (``kamengine.store``: a run with other playbooks than the last) as the CLI's lines."""

    def emit(self, record: logging.LogRecord) -> None:
        say(record.getMessage(), "Warning: ")


def say_engine_warnings() -> None:
    """Show the engine's logged warnings on stderr as ``Warning: ...`` lines (once per process)."""
    logger = logging.getLogger("kamengine.store")
    if not any(isinstance(handler, _SaidWarnings) for handler in logger.handlers):
        logger.addHandler(_SaidWarnings(logging.WARNING))


def load_registry() -> Registry:
    """The plugins of this run; a plugin that failed is reported on stderr, not fatal."""
    from kamengine.engine.api.options import Registry

    registry = Registry()
    for warning in registry.warnings:
        say(warning, "Warning: ")
    return registry


def current_config() -> Config:
    """The run's kamengine.toml settings (``--config``, else ./kamengine.toml), read once."""
    from kamengine.engine.model.config import find_config, load_config

    root = click.get_current_context().find_root()
    if "config" not in root.meta:
        root.meta["config"] = load_config(find_config(root.params.get("config_path")))
    config: Config = root.meta["config"]
    return config


def run_options(
    rule_paths: Iterable[str] = (),
    no_builtin: bool = False,
    params: Mapping[str, Any] | None = None,
    *,
    engine: str | None = None,
    caps: Mapping[str, int | None] | None = None,
    lang: str | None = None,
    as_of: dt.datetime | None = None,
    crisis: str | None = None,
) -> RunOptions:
    """The run's options from a command's parsed ones, over kamengine.toml's settings: ``--rules``, else the
    settings' ``[playbooks] paths`` (every command and ``serve`` load the same)."""
    from kamengine.engine.api.options import RunOptions

    return RunOptions(
        rules=tuple(rule_paths) or None,
        no_builtin=no_builtin,
        params=dict(params or {}),
        caps=dict(caps or {}),
        engine=cast("EngineName | None", engine),  # --engine's choices are the engine's names; None: kamengine.toml's
        lang=lang,
        as_of=as_of.date() if as_of else None,
        crisis=crisis,
        config=current_config(),
    )


def make_engine(registry: Registry, options: RunOptions) -> Engine:
    """The engine of this command: its plugins and ``options`` (``run_options``); its notices said on stderr."""
    from kamengine.engine.api import Engine

    built = Engine(options, registry)
    for notice in built.spec.notices:
        say(notice, "Notice: ")
    return built


def make_sources(
    registry: Registry, specs: Iterable[str], option: str = "--source", column_map: str | None = None
) -> list[Source]:
    """Sources from ``NAME:LOCATION`` specs, their columns renamed by the ``--map`` file; a mistake is
    a usage error naming the option. Their notices are printed on stderr as they come."""
    from kamengine.engine.errors import SpecError

    try:
        sources = [registry.source(spec, current_config().limits, column_map) for spec in specs]
    except SpecError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None
    if column_map is not None and not any(source.TAKES_COLUMN_MAP for source in sources):
        takers = " and ".join(name for name, cls in registry.sources.items() if cls.TAKES_COLUMN_MAP)
        raise click.BadParameter(f"renames the columns of {takers} sources; give one with {option}", param_hint="--map")
    for source in sources:
        source.on_notice = lambda message: say(message, "Notice: ")
    return sources


def make_emitters(registry: Registry, specs: Iterable[str], option: str = "--emit") -> list[Emitter]:
    """Emitters from ``NAME[:TARGET]`` specs; a mistake is a usage error naming the option."""
    from kamengine.engine.errors import SpecError

    try:
        return [registry.emitter(spec) for spec in specs]
    except SpecError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


@contextlib.contextmanager
def progress_bar(label: str, live: bool) -> Iterator[Callable[[], None] | None]:
    """A bar on stderr counting what a command has done (``live``: only on a terminal), or nothing."""
    if not live:
        yield None
        return
    # The total is unknown while a source is read (a generator has no length): the bar pulses and counts.
    with click.progressbar(_unsized(), label=label, show_pos=True, file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def _unsized() -> Iterator[int]:
    yield from ()


def open_store(db_path: str | None, registry: Registry | None = None) -> Store:
    """The store ``--db`` names (else the default), which must exist: only ``batch`` creates one."""
    from kamengine.engine.api.stores import open_store as opened

    return opened(db_path, registry.actions if registry else None)
