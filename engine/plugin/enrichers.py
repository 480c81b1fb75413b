"""What a snapshot enricher is: a class that adds derived fields from a team's own data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel

from ..model.fields import FieldSpec
from ..model.snapshot import Snapshot


class Enricher:
    """Base class of enrichers. Subclasses set ``PLUGIN_NAME`` and ``FIELDS`` and implement ``values``.

    ``FIELDS`` maps a record kind (``contact``, ``opportunity`` or ``account``) to the fields
    the enricher adds; rules can test them once the enricher is installed.
    """

    PLUGIN_NAME: ClassVar[str] = ""
    FIELDS: ClassVar[Mapping[str, Sequence[FieldSpec]]] = {}

    def __init__(self, config: Any = None) -> None:
        # The run's ``Config`` (kamengine.toml); an enricher may read its own settings there.
        self.config = config

    def values(self, kind: str, record: BaseModel, snapshot: Snapshot) -> Mapping[str, Any]:
        """The added fields' values for one contact, opportunity or the account (``snapshot.account``)."""
        raise NotImplementedError
