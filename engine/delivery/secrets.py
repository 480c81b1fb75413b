"""Secrets in specs and messages: a URL's credentials, key-like path segments and secret query values become ``***``."""

from __future__ import annotations

import re

REDACTED = "***"

#: A URL's ``user:password@``: everything between ``//`` and the last ``@`` before the path (a password may hold
#: an ``@``: ``user:p@ss@host`` must not leave ``ss@`` behind).
_USERINFO = re.compile(r"(?<=//)[^/?#\s]+@")
_QUERY_PARAMETER = re.compile(r"([?&])([^=&#\s]+)=([^&#\s]*)")
#: A URL's path after its authority: the segments a webhook service may put its key in.
_URL_PATH = re.compile(r"(?<=//)([^/?#\s]+)(/[^?#\s]*)")
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
#: A query parameter carries a secret when a word of its name is one of these (token, access_token, accessToken,
#: client_secret, api-key, X-Amz-Signature, sessionid, code, pass), or the whole name is: the word must stand alone,
#: so that ``assignee``, ``author``, ``keyword`` or ``zipcode`` keep their values. Digits do not split words (key2).
SECRET_WORDS = frozenset(
    {"token", "tokens", "key", "keys", "apikey", "secret", "secrets", "password", "passwords", "passwd", "pwd",
     "pass", "passphrase", "passcode", "sig", "sigs", "signature", "auth", "authorization", "credential",
     "credentials", "cred", "creds", "session", "sessionid", "jwt", "code", "hmac", "otp", "private", "bearer"}
)  # fmt: skip
#: A path segment looks like a key when it is long and mixes letters and digits in a key's alphabet: a Slack
#: webhook's ``/services/T0/B0/XXXX…``, a Discord ``/webhooks/ID/TOKEN``, a Telegram ``/bot123:ABC…``, a UUID.
_KEY_SEGMENT = re.compile(r"(?=[^/]*[0-9])(?=[^/]*[A-Za-z])[A-Za-z0-9_\-.~:=+]{20,}")


def secret_parameter(name: str) -> bool:
    """Whether a query parameter's name says it carries a secret."""
    words = [word.lower() for word in _WORDS.findall(name)]
    return bool(words) and (any(word in SECRET_WORDS for word in words) or "".join(words) in SECRET_WORDS)


def _segment_hidden(segment: str) -> str:
    """A path segment, ``***`` if it looks like a key; the punctuation of the sentence a URL ends in stays."""
    core = segment.rstrip(".,;:!)'\"")
    return REDACTED + segment[len(core) :] if _KEY_SEGMENT.fullmatch(core) else segment


def _path_hidden(match: re.Match[str]) -> str:
    authority, path = match.groups()
    return authority + "/".join(_segment_hidden(segment) for segment in path.split("/"))


def redact(text: str) -> str:
    """``text`` with every URL's ``user:password@``, key-like path segments and secret query values as ``***``."""

    def hidden(match: re.Match[str]) -> str:
        mark, name, value = match.groups()
        return f"{mark}{name}={REDACTED}" if secret_parameter(name) and value else match.group()

    text = _USERINFO.sub(f"{REDACTED}@", text)
    return _QUERY_PARAMETER.sub(hidden, _URL_PATH.sub(_path_hidden, text))


def has_redacted_query(url: str) -> bool:
    """Whether a URL lost a secret to redaction (a spec read back from the store): a query value or a path segment."""
    parts = re.split(r"[?#]", url, maxsplit=1)
    in_path = f"/{REDACTED}/" in f"{parts[0]}/"
    return in_path or bool(re.search(rf"[?&][^=&#\s]+={re.escape(REDACTED)}(?:[&#]|$)", url))
