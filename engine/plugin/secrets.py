"""Secrets in specs and messages: a URL's credentials and tokens are shown, stored and logged as ``***``."""

from __future__ import annotations

import re

REDACTED = "***"

_USERINFO = re.compile(r"(?<=//)[^/@\s]+@")
_QUERY_PARAMETER = re.compile(r"([?&])([^=&#\s]+)=([^&#\s]*)")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
#: A query parameter carries a secret when the last word of its name is one of these (token, access_token,
#: accessToken, client_secret, api-key, X-Amz-Signature, sessionid), or the whole name is: the word must stand
#: alone, so that ``assignee``, ``author``, ``keyword`` or ``zipcode`` keep their values.
SECRET_WORDS = frozenset(
    {"token", "key", "apikey", "secret", "password", "passwd", "pwd", "sig", "signature", "auth",
     "authorization", "credential", "credentials", "session", "sessionid", "jwt"}
)  # fmt: skip


def secret_parameter(name: str) -> bool:
    """Whether a query parameter's name says it carries a secret."""
    words = [word.lower() for word in _WORDS.findall(name)]
    return bool(words) and (words[-1] in SECRET_WORDS or "".join(words) in SECRET_WORDS)


def redact(text: str) -> str:
    """``text`` with every URL's ``user:password@`` and secret query values replaced by ``***``."""

    def hidden(match: re.Match[str]) -> str:
        mark, name, value = match.groups()
        return f"{mark}{name}={REDACTED}" if secret_parameter(name) and value else match.group()

    return _QUERY_PARAMETER.sub(hidden, _USERINFO.sub(f"{REDACTED}@", text))


def has_redacted_query(url: str) -> bool:
    """Whether a URL lost a secret query value to redaction (a spec read back from the store)."""
    return bool(re.search(rf"[?&][^=&#\s]+={re.escape(REDACTED)}(?:[&#]|$)", url))
