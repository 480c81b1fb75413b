"""Secrets in specs and messages: a URL's credentials and tokens are shown, stored and logged as ``***``."""

from __future__ import annotations

import re

REDACTED = "***"

_USERINFO = re.compile(r"(?<=//)[^/@\s]+@")
# Query parameters that carry a secret, by a word in their name (?token=, &access_token=, &client_secret=,
# &api-key=, &X-Amz-Signature=, &sessionid=): their values, not their names. More is hidden than needs to be,
# never less.
_SECRET_QUERY = re.compile(
    r"(?i)([?&][^=&#\s]*(?:token|key|secret|pass|sig|auth|credential|session|code)[^=&#\s]*=)[^&#\s]*"
)


def redact(text: str) -> str:
    """``text`` with every URL's ``user:password@`` and secret query values replaced by ``***``."""
    return _SECRET_QUERY.sub(rf"\1{REDACTED}", _USERINFO.sub(f"{REDACTED}@", text))


def has_redacted_query(url: str) -> bool:
    """Whether a URL lost a secret query value to redaction (a spec read back from the store)."""
    return bool(re.search(rf"[?&][^=&#\s]+={re.escape(REDACTED)}(?:[&#]|$)", url))
