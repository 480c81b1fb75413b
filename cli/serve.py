"""``kamengine serve``: the HTTP API and the team's pages over the store, in one process."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from .options import db_option, playbook_options
from .runtime import current_config, load_registry, say
from .tokens import Duration


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="KAMENGINE_HOST",
    help="The address to listen on ($KAMENGINE_HOST).",
)
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(1, 65535), envvar="KAMENGINE_PORT",
    help="The port to listen on ($KAMENGINE_PORT).",
)  # fmt: skip
@db_option
@click.option(
    "--no-auth", is_flag=True,
    help="Serve without tokens, as admin (on a loopback --host only: for one person on their own machine).",
)  # fmt: skip
@click.option(
    "--session-idle", type=Duration(), default="12h", show_default=True,
    help="A page session ends after this long without a page view (30m, 12h, 7d).",
)  # fmt: skip
@playbook_options
def serve(
    host: str, port: int, db_path: str | None, no_auth: bool, session_idle: dt.timedelta,
    rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any],
) -> None:  # fmt: skip
    """Serve the API (/v1, OpenAPI at /openapi.json) and the pages until SIGTERM or Ctrl-C.

    Every request needs a token (kamengine tokens create) unless --no-auth. One JSON line per
    request goes to standard error. It evaluates the playbooks the nightly batch does: --rules, else
    kamengine.toml's [playbooks] paths (advice of a rule it has not loaded is left as it is, not resolved).

    \b
    kamengine tokens create --member u-ar --scope act
    kamengine serve --db kamengine.db --port 8765
    curl -H "Authorization: Bearer $TOKEN" localhost:8765/v1/recommendations
    """
    from kamengine.service.server import check_auth
    from kamengine.service.server import serve as run

    check_auth(host, not no_auth)
    from kamengine.service.app import create_app
    from kamengine.service.state import Service

    config, registry = current_config(), load_registry()
    service = Service(
        db_path, auth=not no_auth, config=config, registry=registry, session_idle=session_idle,
        rules=rule_paths or None, no_builtin=no_builtin, params=params,
    )  # fmt: skip
    for notice in service.engine().spec.notices:
        say(notice, "Notice: ")
    click.echo(f"kamengine: store {service.db_path}", err=True)
    run(create_app(service), host, port)  # says where it serves once the port is its own
