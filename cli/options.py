"""Options several commands share, defined once: playbooks, sources, output, store, engine, caps, language, dates."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import click

F = TypeVar("F", bound=Callable[..., Any])

LANGUAGES = ("en", "zh")  # kamengine.engine.model.i18n.LANGUAGES, without importing the engine for --help
ENGINES = ("durable", "compiled", "reference")  # kamengine.engine.advise.advisor.ENGINES
TEXT_FORMATS = ("table", "json", "jsonl", "csv", "markdown")  # kamengine.plugins.text_formats.TEXT_FORMATS


def _params(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, Any]:
    """``--param NAME=VALUE`` values, typed as YAML would type them."""
    if not values:  # YAML loads only for a command line that has some
        return {}
    import yaml

    parsed = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, found '{value}'")
        parsed[name.strip()] = _param_value(name.strip(), raw, yaml)
    return parsed


def _param_value(name: str, raw: str, yaml: Any) -> Any:
    """One ``--param`` value as YAML types it; a value YAML cannot read is a one-line usage error."""
    from kamengine.engine.errors import brief, printable

    def refuse(why: str) -> click.BadParameter:
        return click.BadParameter(f"{printable(name)}={printable(brief(raw))}: {why}", param_hint="'--param'")

    try:
        # Aliases (*name) have no use on a command line, and a few of them expand to gigabytes.
        if any(isinstance(token, yaml.AliasToken) for token in yaml.scan(raw, Loader=yaml.SafeLoader)):
            raise refuse("YAML aliases (*name) are not allowed in a --param value")
        found = yaml.safe_load(raw)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        column = f" at column {mark.column + 1}" if mark else ""
        said = ": ".join(part for part in (exc.context, exc.problem) if part)  # "while parsing …: expected …"
        raise refuse(f"not a YAML value: {printable(said)}{column}") from None
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date that is none, a number of thousands of digits
        digits = "integer string conversion" in str(exc)  # Python's own words, which advise a developer
        raise refuse(
            "not a YAML value: " + ("a number of too many digits" if digits else printable(str(exc)))
        ) from None
    except RecursionError:
        raise refuse("not a YAML value: nested too deeply") from None
    if isinstance(found, float) and not math.isfinite(found):  # .inf, .nan: every comparison with them misleads
        raise refuse("expected a finite number")
    return found


def _no_cache(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--no-cache``: this command neither reads nor writes the playbook cache (``KAMENGINE_NO_CACHE=1``, which
    the engine reads, set for the command's run only)."""
    if not value:
        return
    import os

    before = os.environ.get("KAMENGINE_NO_CACHE")
    os.environ["KAMENGINE_NO_CACHE"] = "1"

    def restore() -> None:
        if before is None:
            os.environ.pop("KAMENGINE_NO_CACHE", None)
        else:
            os.environ["KAMENGINE_NO_CACHE"] = before

    ctx.call_on_close(restore)


def playbook_options(command: F) -> F:
    """``--rules``, ``--no-builtin``, ``--param`` and ``--no-cache``: which playbooks, with which parameters, and
    whether the validated playbooks may come from (and go to) ``$KAMENGINE_HOME``'s cache."""
    command = click.option(
        "--no-cache", is_flag=True, expose_value=False, callback=_no_cache,
        help="Validate the playbooks afresh: neither read nor write $KAMENGINE_HOME's playbook cache.",
    )(command)  # fmt: skip
    command = click.option(
        "--param", "params", multiple=True, callback=_params, metavar="NAME=VALUE",
        help="Override a playbook parameter (repeatable).",
    )(command)  # fmt: skip
    command = click.option("--no-builtin", is_flag=True, help="Do not load the playbooks built-in plugins register.")(
        command
    )
    return click.option(
        "--rules", "rule_paths", multiple=True, type=click.Path(exists=True),
        help="Add the playbooks in this directory or file (repeatable; default: kamengine.toml's [playbooks] paths).",
    )(command)  # fmt: skip


def lang_option(command: F) -> F:
    """``--lang``: the language of titles and rationales (default: kamengine.toml, else en)."""
    return click.option("--lang", type=click.Choice(LANGUAGES), help="Language of titles and rationales.")(command)


def engine_option(command: F) -> F:
    """``--engine``: durable_rules, the compiled evaluator or the plain-Python reference (default: kamengine.toml's)."""
    return click.option(
        "--engine", type=click.Choice(ENGINES),
        help="Evaluator: durable_rules, compiled (rules as Python closures), or the plain-Python reference "
        "(default: kamengine.toml's engine, else durable).",
    )(command)  # fmt: skip


def as_of_option(command: F) -> F:
    """``--as-of``: evaluate as of another date than each snapshot's."""
    return click.option(
        "--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), callback=_in_range,
        help="Evaluate as of this date instead of each snapshot's as_of.",
    )(command)  # fmt: skip


def _in_range(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is None:  # the snapshot model (pydantic) loads only when a date is given
        return value
    from kamengine.engine.model.snapshot import FIRST_DAY, LAST_DAY

    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise click.BadParameter(f"expected a date from {FIRST_DAY} to {LAST_DAY}")
    return value


def cap_options(command: F) -> F:
    """``--max-per-contact`` and ``--max-per-account``."""
    command = click.option(
        "--max-per-account",
        type=click.IntRange(min=1),
        help="At most this many approaches per account.",
    )(command)
    return click.option(
        "--max-per-contact",
        type=click.IntRange(min=1),
        help="At most this many approaches per contact.",
    )(command)


def db_option(command: F) -> F:
    """``--db``: the store."""
    return click.option(
        "--db", "db_path", metavar="PATH", envvar="KAMENGINE_DB",
        help="The store (default: $KAMENGINE_DB, else $KAMENGINE_HOME/kamengine.db).",
    )(command)  # fmt: skip


class _MapFile(click.Path):
    """A map file, or the name of a bundled one (``salesforce``, ``hubspot``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from kamengine.plugins.crm_maps import bundled_map

        return value if bundled_map(str(value)) else super().convert(value, param, ctx)


def map_option(command: F) -> F:
    """``--map FILE``: a CRM's column names renamed to kamengine's, for the tabular sources of ``--source``."""
    return click.option(
        "--map", "column_map", metavar="FILE", type=_MapFile(exists=True, dir_okay=False),
        help="Map a CRM export to kamengine's tables with this TOML file, or a bundled map: salesforce, hubspot "
        "(csv and xlsx sources).",
    )(command)  # fmt: skip


def emit_option(help_text: str) -> Callable[[F], F]:
    """``--emit NAME[:TARGET]`` (repeatable)."""
    return click.option("--emit", "emits", multiple=True, metavar="NAME[:TARGET]", help=help_text)


class _TextFormat(click.Choice):  # type: ignore[type-arg]
    """A text format; any other name is a usage error that says where that output goes instead."""

    def __init__(self, choices: Sequence[str], elsewhere: str) -> None:
        super().__init__(list(choices))
        self.elsewhere = elsewhere

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        expected = ", ".join(map(str, self.choices))
        self.fail(f"'{value}' is not a text format; expected one of {expected}{self.elsewhere}")


def output_options(default: str = "table", elsewhere: str = "") -> Callable[[F], F]:
    """``-f/--format table|json|jsonl|csv|markdown`` with the ``--json`` and ``--csv`` shorthands and
    ``--excel`` (CSV Excel opens as UTF-8), as one ``output`` argument (an ``Output``). ``elsewhere``:
    where other formats go, said when one is asked for."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(
            *args: Any, output_format: str | None, as_json: bool, as_csv: bool, excel: bool, **kwargs: Any
        ) -> Any:
            from .output import Output

            chosen = {f for f in (output_format, as_json and "json", as_csv and "csv") if f}
            if len(chosen) > 1:
                raise click.UsageError(f"one output format at a time: {' and '.join(sorted(chosen))} given")
            if excel and chosen - {"csv"}:
                raise click.UsageError(f"--excel is for CSV (--csv or --format csv), not --format {chosen.pop()}")
            fmt = next(iter(chosen), "csv" if excel else default)
            return command(*args, output=Output(fmt, excel, chosen=bool(chosen)), **kwargs)

        for option in reversed(
            (
                click.option(
                    "-f", "--format", "output_format", type=_TextFormat(TEXT_FORMATS, elsewhere),
                    help=f"Output format [default: {default}].",
                ),
                click.option("--json", "as_json", is_flag=True, help="Short for --format json."),
                click.option("--csv", "as_csv", is_flag=True, help="Short for --format csv."),
                click.option(
                    "--excel", is_flag=True, help="CSV for Excel: with the byte-order mark and CRLF line ends."
                ),
            )
        ):  # fmt: skip
            wrapper = option(wrapper)
        return cast(F, wrapper)

    return decorate


def crisis_option(command: F) -> F:
    """``--crisis NAME``: a crisis of ours or of the whole market, for this run."""
    return click.option(
        "--crisis", metavar="NAME",
        help="A crisis of ours or of the market (e.g. 'chip shortage'): every strategic partner hears from us.",
    )(command)  # fmt: skip


CONFIG_HELP = "Settings file (default: ./kamengine.toml when present; env KAMENGINE_CONFIG)."


def _config_after(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:  # given after the subcommand: it wins over the root's, as the later word does
        ctx.find_root().params["config_path"] = value


def config_anywhere(command: click.Command) -> click.Command:
    """Let ``--config`` follow a command (and each subcommand of a group), as well as precede it."""
    if not any(param.name == "config_after" for param in command.params):
        command.params.append(
            click.Option(["--config", "config_after"], metavar="PATH", expose_value=False, callback=_config_after,
                         help=CONFIG_HELP)
        )  # fmt: skip
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            config_anywhere(subcommand)
    return command
