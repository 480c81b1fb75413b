"""``kamengine serve``: the HTTP API and the team's pages over the store, in one process or several."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from kamengine.service.logs import FORMATS

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
@click.option(
    "--workers", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
    help="Serve with N processes on the one port and store, each with its own connections; their writes take turns "
    "at the store.",
)  # fmt: skip
@click.option(
    "--log-format", type=click.Choice(FORMATS), default="text", show_default=True,
    help="Log lines as text, or as one JSON object a line; each line of a request carries its id.",
)  # fmt: skip
@playbook_options
def serve(
    host: str, port: int, db_path: str | None, no_auth: bool, session_idle: dt.timedelta, workers: int,
    log_format: str, rule_paths: tuple[str, ...], no_builtin: bool, params: dict[str, Any],
) -> None:  # fmt: skip
    """Serve the API (/v1, OpenAPI at /openapi.json) and the pages until SIGTERM or Ctrl-C.

    Every request needs a token (kamengine tokens create) unless --no-auth. One JSON line per
    request goes to standard error. It evaluates the playbooks the nightly batch does: --rules, else
    kamengine.toml's [playbooks] paths (advice of a rule it has not loaded is left as it is, not resolved).
    Several processes may serve one store (--workers N, or instances behind a proxy): page sessions and the
    secret of the pages' forms are the store's ($KAMENGINE_FORM_SECRET instead, the same for every process).

    \b
    kamengine tokens create --member u-ar --scope act
    kamengine serve --db kamengine.db --port 8765 --workers 2
    curl -H "Authorization: Bearer $TOKEN" localhost:8765/v1/recommendations
    """
    from kamengine.service.factory import application
    from kamengine.service.logs import log_config
    from kamengine.service.server import check_auth
    from kamengine.service.server import serve as run
    from kamengine.service.state import Service

    check_auth(host, not no_auth)
    config, registry = current_config(), load_registry()
    service = Service(
        db_path, auth=not no_auth, config=config, registry=registry, session_idle=session_idle,
        rules=rule_paths or None, no_builtin=no_builtin, params=params,
    )  # fmt: skip
    for notice in service.engine().spec.notices:
        say(notice, "Notice: ")
    click.echo(f"kamengine: store {service.db_path}", err=True)
    logging = log_config(log_format)
    if workers == 1:
        run(application(service), host, port, log_config=logging)  # says where it serves once the port is its own
        return
    # This process checked the settings, compiled the playbooks and readied the store (its schema, the form
    # secret): each of the N does the same from the settings it is handed, and finds the store ready.
    service.close()
    import_string = _hand_over(service.db_path, not no_auth, session_idle, rule_paths, no_builtin, params)
    with _metrics_kept_together():
        run(import_string, host, port, workers=workers, log_config=logging)


@contextlib.contextmanager
def _metrics_kept_together() -> Iterator[None]:
    """The processes' metrics summed at every scrape: in ``$PROMETHEUS_MULTIPROC_DIR`` when it is set, else in a
    directory of their own for as long as they serve (a scrape answered by any one of them counts them all)."""
    from kamengine.service.metrics import MULTIPROC_ENV

    if os.environ.get(MULTIPROC_ENV):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="kamengine-metrics-") as folder:
        os.environ[MULTIPROC_ENV] = folder
        try:
            yield
        finally:
            del os.environ[MULTIPROC_ENV]


def _hand_over(
    db_path: Path, auth: bool, session_idle: dt.timedelta, rule_paths: tuple[str, ...], no_builtin: bool,
    params: dict[str, Any],
) -> str:  # fmt: skip
    """Put what the service was told where each of its processes reads it (the environment, paths absolute);
    the import string of the factory that reads it."""
    from kamengine.engine.model.config import find_config
    from kamengine.service.factory import IMPORT_STRING, VARIABLE, ServeSettings

    found = find_config(click.get_current_context().find_root().params.get("config_path"))
    settings = ServeSettings(
        str(db_path.resolve()), str(found.resolve()) if found else None, auth, session_idle.total_seconds(),
        tuple(str(Path(path).resolve()) for path in rule_paths) or None, no_builtin, params,
    )  # fmt: skip
    os.environ[VARIABLE] = settings.dumps()
    return IMPORT_STRING
