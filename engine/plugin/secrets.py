"""Secrets in specs and messages: a URL's credentials and tokens are shown, stored and logged as ``***``."""

from __future__ import annotations

import re

REDACTED = "***"

_USERINFO = re.compile(r"(?<=//)[^/@\s]+@")
# Query parameters that carry a secret (?token=..., &api_key=...): their values, not their names.
_SECRET_QUERY = re.compile(r"(?i)([?&](?:token|key|api_key|apikey|secret|password|passwd|sig|signature|auth)=)[^&#\s]*")


def redact(text: str) -> str:
    """``text`` with every URL's ``user:password@`` and secret query values replaced by ``***``."""
    return _SECRET_QUERY.sub(rf"\1{REDACTED}", _USERINFO.sub(f"{REDACTED}@", text))
