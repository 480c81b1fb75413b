"""The text encoding of an exported file: the map's, a byte-order mark's, UTF-8, or what charset-normalizer detects."""

from __future__ import annotations

import codecs
from pathlib import Path

_SAMPLE = 1024 * 1024  # bytes the detector looks at: enough for its statistics, bounded for a large export


def file_encoding(path: Path, given: str | None = None, detect: bool = True) -> tuple[str, bool]:
    """The encoding to read ``path`` with, and whether it was detected (so the user should hear which).

    A byte-order mark decides (Excel's "CSV UTF-8" and "Unicode text"); then the map's ``encoding``;
    then UTF-8 when the start of the file is UTF-8 (or ``detect`` is off: a file without a map is UTF-8,
    each row not in it named); else charset-normalizer's best guess (Windows-1252 from an old Excel,
    GBK from a Chinese one)."""
    with path.open("rb") as stream:
        sample = stream.read(_SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", False
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", False
    if given:
        return given, False
    if not detect:
        return "utf-8-sig", False
    try:
        sample.decode("utf-8")
        return "utf-8-sig", False
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(sample) == _SAMPLE:
            return "utf-8-sig", False  # a character cut by the end of the sample: UTF-8 all the same
    from charset_normalizer import from_bytes  # only for a file that is not UTF-8

    best = from_bytes(sample).best()
    if best is None:  # not text in any encoding it knows: read as UTF-8, and each row says where it is not
        return "utf-8-sig", False
    return codecs.lookup(best.encoding).name, True
