"""What several commands share: the plugin registry, building an advisor, output options."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import click
import yaml
from kamengine.engine.advisor import Advisor, EngineName
from kamengine.engine.assembly import configured_advisor, configured_playbooks, playbook_paths
from kamengine.engine.config import Config, find_config, load_config
from kamengine.engine.i18n import LANGUAGES
from kamengine.engine.playbook import Playbook
from kamengine.engine.registry import Registry

F = TypeVar("F", bound=Callable[..., Any])


def load_registry() -> Registry:
    """The plugins of this run; a plugin that failed is reported on stderr, not fatal."""
    registry = Registry()
    for warning in registry.warnings:
        click.echo(f"Warning: {warning}", err=True)
    return registry


def parse_params(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, Any]:
    """``--param NAME=VALUE`` values, typed as YAML would type them."""
    parsed = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, found '{value}'")
        parsed[name.strip()] = yaml.safe_load(raw)
    return parsed


def playbook_options(command: F) -> F:
    """``--rules``, ``--no-builtin`` and ``--param``: which playbooks, with which parameters."""
    command = click.option(
        "--param",
        "params",
        multiple=True,
        callback=parse_params,
        metavar="NAME=VALUE",
        help="Override a playbook parameter (repeatable).",
    )(command)
    command = click.option("--no-builtin", is_flag=True, help="Do not load the playbooks built-in plugins register.")(
        command
    )
    return click.option(
        "--rules", "rule_paths", multiple=True, type=click.Path(exists=True),
        help="Add the playbooks in this directory or file (repeatable).",
    )(command)  # fmt: skip


def current_config() -> Config:
    """The run's kamengine.toml settings (``--config``, else ./kamengine.toml), read once."""
    root = click.get_current_context().find_root()
    if "config" not in root.meta:
        root.meta["config"] = load_config(find_config(root.params.get("config_path")))
    config: Config = root.meta["config"]
    return config


def load_all_playbooks(
    registry: Registry, rule_paths: Iterable[str], no_builtin: bool, params: Mapping[str, Any]
) -> list[Playbook]:
    """Every playbook of this run: parameters from kamengine.toml then --param; switched-off ones dropped."""
    if not playbook_paths(registry, rule_paths, no_builtin):
        raise click.UsageError("no playbooks: drop --no-builtin or add --rules DIR")
    return configured_playbooks(registry, current_config(), rule_paths, no_builtin, params)


def build_advisor(
    registry: Registry,
    playbooks: list[Playbook],
    engine: EngineName = "durable",
    caps: Mapping[str, int | None] | None = None,
    lang: str | None = None,
) -> Advisor:
    """The run's advisor, with kamengine.toml's settings."""
    return configured_advisor(registry, current_config(), playbooks, engine, caps, lang)


def lang_option(command: F) -> F:
    """``--lang``: the language of titles and rationales (default: kamengine.toml, else en)."""
    return click.option("--lang", type=click.Choice(LANGUAGES), help="Language of titles and rationales.")(command)


def split_spec(spec: str) -> tuple[str, str | None]:
    """``NAME[:TARGET]`` into its parts."""
    name, sep, target = spec.partition(":")
    return name, (target if sep else None)


def format_option(choices: Iterable[str], default: str) -> Callable[[F], F]:
    return click.option(
        "-f", "--format", "output_format", type=click.Choice(list(choices)), default=default, show_default=True,
        help="Output format.",
    )  # fmt: skip
