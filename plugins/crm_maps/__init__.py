"""The maps bundled for the CRMs teams use: ``--map salesforce`` (Data Export) and ``--map hubspot`` (exports)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: name -> what it reads.
BUNDLED = {
    "salesforce": "Salesforce's weekly Data Export (Account.csv, Contact.csv, Opportunity.csv, ...)",
    "hubspot": "HubSpot's exports of companies, contacts, deals, calls and meetings",
}


def bundled_map(name: str) -> str | None:
    """The file of the bundled map ``name``, or None when ``name`` is not one (or a file of that name is there)."""
    if name not in BUNDLED or Path(name).is_file():
        return None
    return str(resources.files(__name__).joinpath(f"{name}.toml"))
