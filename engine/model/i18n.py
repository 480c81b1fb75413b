"""Texts in several languages: playbook titles, rationales and letters carry one per language."""

from __future__ import annotations

from collections.abc import Mapping

#: Languages kamengine speaks; ``--lang`` picks one, English is the fallback.
LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"

Text = Mapping[str, str]


def pick(text: Text, lang: str) -> str:
    """The text in ``lang``, else in English, else in whatever language it has."""
    return text.get(lang) or text.get(DEFAULT_LANGUAGE) or next(iter(text.values()), "")
