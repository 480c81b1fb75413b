"""A run's settings as one object, from the command line or a request down to the advisor (``RunOptions``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..model.config import Config

#: The evaluators: durable_rules, the compiled one (rules as Python closures), the plain-Python reference.
EngineName = Literal["durable", "compiled", "reference"]
ENGINES: tuple[EngineName, ...] = ("durable", "compiled", "reference")


@dataclass(frozen=True)
class RunOptions:
    """The settings of one run, from the command line or a request into the ``Engine``, by name.

    Every field has the default a run without that option gets, so ``RunOptions()`` is a
    plain run with the built-in playbooks and the default settings.
    """

    #: Playbook directories or files loaded besides the registered ones (``--rules``);
    #: None: the settings' ``[playbooks] paths`` (an empty tuple: none).
    rules: tuple[str, ...] | None = None
    #: Leave out the playbooks built-in plugins register (``--no-builtin``).
    no_builtin: bool = False
    #: Playbook parameters over the settings' ``[parameters]`` (``--param NAME=VALUE``).
    params: Mapping[str, Any] = field(default_factory=dict)
    #: ``per_contact`` and ``per_account`` approach caps over the playbooks' (a None value overrides nothing).
    caps: Mapping[str, int | None] = field(default_factory=dict)
    #: The evaluator (``durable``, ``compiled``, ``reference``); None: the settings' ``engine``.
    engine: EngineName | None = None
    #: The language of titles and rationales by default (a call may ask for another); None: the settings'.
    lang: str | None = None
    #: Evaluate every snapshot as of this date instead of its own (``--as-of``).
    as_of: dt.date | None = None
    #: A crisis of ours or of the market for this run (``--crisis``), over the settings' ``crisis``.
    crisis: str | None = None
    #: The settings (``kamengine.toml`` as ``load_config`` read it); None: the defaults.
    config: Config | None = None

    def settings(self) -> Config:
        """The run's effective settings: ``config`` (or the defaults) with ``crisis`` over its own."""
        config = self.config or Config()
        return dataclasses.replace(config, crisis=self.crisis) if self.crisis else config

    def playbook_paths(self) -> tuple[str, ...]:
        """The playbook paths the run adds to the registered ones: ``rules``, else the settings'."""
        return self.rules if self.rules is not None else self.settings().playbook_paths
