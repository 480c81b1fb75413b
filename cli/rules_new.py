"""``kamengine rules new NAME``: scaffold a ``kamengine-NAME`` playbook package."""

from __future__ import annotations

from pathlib import Path

import click

from .runtime import load_registry, make_engine, run_options


@click.command("new")
@click.argument("name")
@click.option(
    "-d", "--directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
    help="Where to create kamengine-NAME/.",
)  # fmt: skip
def new(name: str, directory: Path) -> None:
    """Create kamengine-NAME/: a plugin package with a playbook of one rule and one test case, a test
    file run by kamengine's pytest plugin and a README; it installs and passes its tests as generated."""
    from kamengine.engine.authoring.scaffold import scaffold

    installed = make_engine(load_registry(), run_options()).spec.playbooks
    root = scaffold(name, directory, taken={playbook.id for playbook in installed})
    click.echo(f"created {root}/")
    click.echo(f"  cd {root} && pip install -e '.[test]' && python -m pytest")
