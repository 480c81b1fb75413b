"""What the pages take from a browser about where it comes from and goes next: a same-site ``next`` path, and
whether a form post came from another site (its ``Origin``, or without one its ``Referer``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

#: Longer than any page's address: a ``next`` this long is not one of ours.
_LONGEST = 2000


def same_site_path(value: str | None) -> str | None:
    """``value`` if it is a path on this site, else None. A browser drops tabs and line breaks from an address and
    reads ``\\`` as ``/``, so ``/\\t/evil.example`` and ``/\\evil.example`` would leave the site as ``//evil.example``
    does: any whitespace, control character or backslash refuses it, and so does a scheme or a host."""
    if not value or len(value) > _LONGEST or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F or c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if not parts.scheme and not parts.netloc else None


def cross_site(request: Request) -> str | None:
    """The other site a form post came from, or None when it came from this one's page. The browser's ``Origin``
    decides; without one its ``Referer``; a post with neither is not a browser's form (every browser sends an
    Origin with a form post), and one with the token in hand needs no forged login: it is taken."""
    host = request.headers.get("host", "").lower()
    for name in ("origin", "referer"):
        said = request.headers.get(name)
        if said is None:
            continue
        try:
            netloc = urlsplit(said).netloc.lower() if said != "null" else ""
        except ValueError:
            netloc = ""
        return None if netloc and netloc == host else (said if said != "null" else "an opaque origin (null)")
    return None
