"""A CRM's cells read back: dates and numbers in a locale's formats, Salesforce ids of 15 or 18 characters."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

#: A few locales by the dates and numbers their spreadsheets and CRMs write (date formats, number sample).
LOCALES: dict[str, tuple[tuple[str, ...], str]] = {
    "en-US": (("%m/%d/%Y",), "1,234.56"),
    "en-GB": (("%d/%m/%Y",), "1,234.56"),
    "de-DE": (("%d.%m.%Y",), "1.234,56"),
    "fr-FR": (("%d/%m/%Y",), "1 234,56"),
    "es-ES": (("%d/%m/%Y",), "1.234,56"),
    "it-IT": (("%d/%m/%Y",), "1.234,56"),
    "nl-NL": (("%d-%m-%Y",), "1.234,56"),
    "zh-CN": (("%Y/%m/%d",), "1,234.56"),
    "ja-JP": (("%Y/%m/%d",), "1,234.56"),
}
# A date cell may carry a time after the date (a report's "11/20/2026 9:30 AM"): the day is what counts.
_TIMES = ("", " %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p")
_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_SPACES = " \u00a0\u202f"  # a space, a no-break space and a narrow one: French groups digits with any of them


def parse_date(text: str, formats: tuple[str, ...]) -> dt.date:
    """A day from ``YYYY-MM-DD`` (or an ISO date and time, as Salesforce writes one) or any of ``formats``;
    ValueError when none reads it."""
    text = text.strip()
    iso = _ISO_TIME.match(text)
    try:
        return dt.date.fromisoformat(iso.group(1) if iso else text)
    except ValueError:
        pass
    for form in formats:
        for time in _TIMES:
            try:
                return dt.datetime.strptime(text, form + time).date()
            except ValueError:
                continue
    raise ValueError(text)


def date_example(formats: tuple[str, ...]) -> str:
    """How the formats write 20 November 2026, to show in a message (``11/20/2026 or YYYY-MM-DD``)."""
    day = dt.date(2026, 11, 20)
    return " or ".join([*(day.strftime(form) for form in formats), "YYYY-MM-DD"])


@dataclass(frozen=True)
class NumberFormat:
    """How a number is written: the mark between thousands (``,`` ``.`` a space, or none) and the decimal mark."""

    group: str
    decimal: str

    @classmethod
    def from_sample(cls, sample: str) -> NumberFormat:
        """The format of a sample such as ``1,234.56``, ``1.234,56`` or ``1 234,56``; ValueError for another."""
        found = re.fullmatch(r"1([,. '\u00a0\u202f]?)234([.,])56", sample.strip())
        if not found or found.group(1) == found.group(2):
            raise ValueError(sample)
        return cls(found.group(1), found.group(2))

    @property
    def sample(self) -> str:
        return f"1{self.group}234{self.decimal}56"

    def parse(self, text: str) -> str:
        """The number as Python writes it (``12000000.00``), with a currency sign or code around it left out;
        ValueError when it is not written this way (thousands in groups of three)."""
        found = re.fullmatch(r"[^\d+\-]*?([+-]?)\s*(\d[\d.,' \u00a0\u202f]*?)\s*[^\d]*", text.strip())
        if not found:
            raise ValueError(text)
        sign, body = found.groups()
        group = re.escape(self.group) if self.group not in _SPACES else f"[{_SPACES}]"
        decimal = re.escape(self.decimal)
        if not re.fullmatch(rf"\d+({decimal}\d+)?|\d{{1,3}}({group}\d{{3}})+({decimal}\d+)?", body):
            raise ValueError(text)
        whole, _, fraction = re.sub(group, "", body).partition(self.decimal)
        return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"

    def write(self, value: float, places: int = 2) -> str:
        """``value`` written this way (the reverse of ``parse``, for tests and examples)."""
        text = f"{value:,.{places}f}".replace(",", "\0").replace(".", self.decimal)
        return text.replace("\0", self.group)


_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SALESFORCE_ID = re.compile(r"[a-zA-Z0-9]{15}")


def salesforce_id(value: str) -> str:
    """A Salesforce record id in its 18-character form: the 15-character form (case-sensitive, as reports and
    the API's older fields write it) gains the suffix that encodes its capitals, so both spell one record."""
    value = value.strip()
    if not _SALESFORCE_ID.fullmatch(value):
        return value
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(value[start : start + 5]) if "A" <= char <= "Z")
        suffix += _SUFFIX[bits]
    return value + suffix


def fold(value: object) -> str:
    """A value as a value map compares it: case and surrounding spaces do not count."""
    return " ".join(str(value).split()).casefold()
