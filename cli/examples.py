"""An example for every command, shown at the end of its ``--help`` (files and ids are the bundled examples')."""

from __future__ import annotations

import click

REC = "rec-3f2a9c1d0b7e6a54"  # what an id from kamengine recs list looks like

#: command path -> example lines (a command whose docstring has its own examples needs none here).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "advise": (
        "kamengine advise examples/acme-telecom.yaml --format json",
        "kamengine advise --source file:examples/portfolio/ --max-per-account 3",
    ),
    "batch": (
        "kamengine batch --source file:examples/portfolio/ --emit ics:visits.ics",
        "kamengine batch --source file:examples/portfolio/ --resume",
    ),
    "config": ("kamengine config show",),
    "config show": ("kamengine config show | grep disabled",),
    "deliver": ("kamengine deliver --db kamengine.db",),
    "plan": ("kamengine plan --source file:examples/portfolio/ --owner u-ad --week 2026-W49",),
    "plugins": ("kamengine plugins --format json",),
    "recs": ("kamengine recs list --owner u-ad",),
    "recs list": ("kamengine recs list --owner u-ar --status open --status accepted --limit 10",),
    "recs show": ("kamengine recs show 3f2a9c   # any unique start of an id",),
    "recs accept": (f"kamengine recs accept {REC} 4468b1 --reason 'booked for Tuesday'",),
    "recs done": (f"kamengine recs done {REC} --reason 'met her at the exhibition'",),
    "recs dismiss": (f"kamengine recs dismiss {REC} --reason 'she left the company'",),
    "recs reopen": (f"kamengine recs reopen {REC} --reason 'dismissed by mistake'",),
    "recs snooze": (f"kamengine recs snooze {REC} --until 2027-01-15 --reason 'after the budget round'",),
    "recs activities": ("kamengine recs activities --account acme-tel",),
    "report": ("kamengine report effectiveness",),
    "report effectiveness": ("kamengine report effectiveness --format json",),
    "report account": ("kamengine report account examples/acme-telecom.yaml -o acme.html",),
    "report coverage": ("kamengine report coverage --rules team-playbooks/",),
    "report rules": ("kamengine report rules --since 2026-10-01 --format csv --excel > rules.csv",),
    "rules": ("kamengine rules list",),
    "rules list": ("kamengine rules list --format json",),
    "rules show": ("kamengine rules show power-map/borrow-leverage",),
    "rules validate": ("kamengine rules validate rules/",),
    "rules test": ("kamengine rules test rules/",),
    "rules lint": ("kamengine rules lint rules/",),
    "rules catalogue": ("kamengine rules catalogue -o docs/playbook.md",),
    "rules impact": (
        "kamengine rules impact --base main --playbooks rules/ --source file:examples/portfolio/ -f markdown",
        "kamengine rules impact --base rules/ --head my-copy/ --source csv:exports/ --fail-on-change",
    ),
    "rules new": ("kamengine rules new getresult   # a kamengine-getresult package to fill in",),
    "serve": ("kamengine serve --db kamengine.db --port 8765",),
    "store": ("kamengine store prune --dry-run",),
    "store prune": (
        "kamengine store prune --db kamengine.db --dry-run",
        "kamengine --config kamengine.toml store prune --db kamengine.db",
    ),
    "tokens": ("kamengine tokens list",),
    "tokens create": ("kamengine tokens create --member u-ar --scope act",),
    "tokens list": ("kamengine tokens list --format json",),
    "tokens revoke": ("kamengine tokens revoke 1a2b3c4d",),
    "schema": ("kamengine schema > snapshot.schema.json",),
}


def with_examples(command: click.Command, path: str) -> click.Command:
    """Give ``command`` (and a group's subcommands) its examples as an epilog, once."""
    lines = EXAMPLES.get(path, ())
    if lines and not command.epilog and "Example" not in (command.help or ""):
        command.epilog = "\b\n" + ("Examples:" if len(lines) > 1 else "Example:") + "".join(f"\n  {x}" for x in lines)
    if isinstance(command, click.Group):
        for name, subcommand in command.commands.items():
            with_examples(subcommand, f"{path} {name}")
    return command
