"""Shell completion of option values (see docs/cli.md): rule ids and source kinds (formats are choices)."""

from __future__ import annotations

from typing import TYPE_CHECKING

# click's completion module is loaded when the shell asks for a completion, not by every command that offers one.
if TYPE_CHECKING:
    from click import Context, Parameter
    from click.shell_completion import CompletionItem


def complete_rules(ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
    """A rule id, as ``playbook/rule`` or the rule alone: the registered playbooks' and those of ``--rules``."""
    from click.shell_completion import CompletionItem
    from kamengine.engine.api.playbooks import completed_rule_ids

    ids = completed_rule_ids(ctx.params.get("rule_paths") or (), bool(ctx.params.get("no_builtin")))
    short = [i.partition("/")[2] for i in ids]
    return [CompletionItem(i) for i in dict.fromkeys(ids + short) if i.startswith(incomplete)]


def complete_sources(ctx: Context, param: Parameter, incomplete: str) -> list[CompletionItem]:
    """``--source NAME:LOCATION``: the kinds of source installed (``csv:``, ``file:``, ``jsonl:``…)."""
    from click.shell_completion import CompletionItem
    from kamengine.engine.api.playbooks import source_kinds

    return [CompletionItem(f"{n}:") for n in source_kinds() if f"{n}:".startswith(incomplete)]
