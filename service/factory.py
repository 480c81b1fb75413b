"""The service's application from settings in the environment: what each process of ``serve --workers N`` builds."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from kamengine.engine.api.access import DEFAULT_IDLE
from kamengine.engine.api.options import Registry
from kamengine.engine.model.config import load_config

from .app import create_app
from .server import access_logging
from .state import Service

#: The variable ``serve --workers N`` hands its settings to its processes in (one JSON object, ``ServeSettings``).
VARIABLE = "KAMENGINE_SERVE_SETTINGS"
#: What uvicorn imports in each process it starts (``factory=True``: it calls it with no argument).
IMPORT_STRING = "kamengine.service.factory:from_environment"


@dataclass(frozen=True)
class ServeSettings:
    """What ``kamengine serve`` was told, as each of its processes needs it: the store, the settings file (None: the
    defaults), the playbooks, access and session settings. Paths are absolute: a process reads them as given."""

    db_path: str
    config_path: str | None = None
    auth: bool = True
    session_idle_seconds: float = DEFAULT_IDLE.total_seconds()
    rules: tuple[str, ...] | None = None
    no_builtin: bool = False
    params: dict[str, Any] = field(default_factory=dict)

    def dumps(self) -> str:
        """One line of JSON; ``--param`` values as YAML (they were read as YAML: a date stays a date)."""
        document = {**self.__dict__, "rules": None if self.rules is None else list(self.rules)}
        document["params"] = yaml.safe_dump(self.params, default_flow_style=True, width=1 << 30).strip()
        return json.dumps(document)

    @classmethod
    def loads(cls, text: str) -> ServeSettings:
        """The settings ``dumps`` wrote."""
        document = json.loads(text)
        rules = document.pop("rules")
        params = yaml.safe_load(document.pop("params")) or {}
        return cls(**document, rules=None if rules is None else tuple(rules), params=params)


def application(service: Service) -> FastAPI:
    """The application over ``service`` (its pages' forms keyed by the store's secret: ``create_app``)."""
    return create_app(service)


def service_of(settings: ServeSettings) -> Service:
    """The service ``settings`` describe: its settings file read, its plugins loaded, its store opened."""
    config = load_config(Path(settings.config_path) if settings.config_path else None)
    return Service(
        settings.db_path, auth=settings.auth, config=config, registry=Registry(),
        session_idle=dt.timedelta(seconds=settings.session_idle_seconds), rules=settings.rules,
        no_builtin=settings.no_builtin, params=settings.params,
    )  # fmt: skip


def from_environment() -> FastAPI:
    """uvicorn's factory in each process: the application ``$KAMENGINE_SERVE_SETTINGS`` describes, with its own
    engine and store connections (the parent checked the settings and said their notices before starting it)."""
    handed = os.environ.get(VARIABLE)
    if not handed:  # imported by hand (uvicorn --factory ...): the command's checks and settings are missing
        raise RuntimeError(f"{VARIABLE} is not set: start the service with kamengine serve --workers N")
    access_logging()
    return application(service_of(ServeSettings.loads(handed)))
