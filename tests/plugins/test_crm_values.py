"""Property tests of how a map reads a CRM's cells: numbers and dates in each locale, value maps, Salesforce ids."""

from __future__ import annotations

import datetime as dt
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kamengine.plugins.crm_values import LOCALES, NumberFormat, fold, parse_date, salesforce_id
from kamengine.plugins.csv_source import CsvSource

FORMATS = sorted({sample for _, sample in LOCALES.values()} | {"1234.56", "1'234.56"})


@given(
    sample=st.sampled_from(FORMATS),
    cents=st.integers(min_value=-(10**15), max_value=10**15),
    around=st.sampled_from([("", ""), ("$", ""), ("", " €"), ("EUR ", ""), ("", " CNY")]),
)
def test_a_number_reads_back_as_it_was_written(sample: str, cents: int, around: tuple[str, str]) -> None:
    number_format = NumberFormat.from_sample(sample)
    written = number_format.write(cents / 100)
    assert round(float(number_format.parse(around[0] + written + around[1])) * 100) == cents


@given(sample=st.sampled_from(FORMATS), whole=st.integers(min_value=1000, max_value=10**12))
def test_a_number_in_another_locale_is_refused_not_misread(sample: str, whole: int) -> None:
    """12,000,000.00 read as German would be twelve thousand: it must be refused instead."""
    ours = NumberFormat.from_sample(sample)
    for other_sample in FORMATS:
        other = NumberFormat.from_sample(other_sample)
        if (other.group, other.decimal) == (ours.group, ours.decimal) or other.decimal == ours.decimal:
            continue
        written = other.write(whole + 0.25)
        try:
            value = float(ours.parse(written))
        except ValueError:
            continue
        assert value == whole + 0.25, (sample, written, value)


@given(locale=st.sampled_from(sorted(LOCALES)), day=st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)))
def test_a_date_reads_back_in_every_locale_and_in_iso(locale: str, day: dt.date) -> None:
    formats, _ = LOCALES[locale]
    for form in formats:
        assert parse_date(day.strftime(form), formats) == day
        assert parse_date(day.strftime(form) + " 9:30 AM", formats) == day
    assert parse_date(day.isoformat(), formats) == day
    assert parse_date(f"{day.isoformat()}T23:10:04.000Z", formats) == day


@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=15, max_size=15))
def test_a_15_character_salesforce_id_gains_the_suffix_of_its_capitals(short: str) -> None:
    long = salesforce_id(short)
    assert len(long) == 18 and long.startswith(short) and salesforce_id(long) == long
    # Reference: the suffix spells which of each five characters are capitals, one bit each.
    for chunk, letter in zip(range(0, 15, 5), long[15:], strict=True):
        bits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".index(letter)
        assert [bool(bits >> i & 1) for i in range(5)] == [c.isupper() for c in short[chunk : chunk + 5]]


@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=15, max_size=15), st.data())
def test_ids_that_differ_only_in_case_stay_apart_when_case_is_ignored(short: str, data: st.DataObject) -> None:
    other = "".join(c.swapcase() if data.draw(st.booleans()) else c for c in short)
    if other != short:
        assert salesforce_id(other).lower() != salesforce_id(short).lower()


LABELS = st.text(alphabet=string.ascii_letters + " /-.", min_size=1, max_size=20).filter(lambda s: s.strip())


@settings(max_examples=30, deadline=None)
@given(labels=st.lists(LABELS, min_size=1, max_size=6, unique_by=fold), data=st.data())
def test_a_value_map_matches_whatever_the_case_and_spacing(labels: list[str], data: st.DataObject) -> None:
    stages = ["lead", "qualified", "bidding", "negotiation", "won", "lost"]
    mapped = {label: data.draw(st.sampled_from(stages)) for label in labels}
    written = data.draw(st.sampled_from(labels))
    variant = "".join(c.swapcase() if data.draw(st.booleans()) else c for c in written)
    variant = "  " + variant.replace(" ", "   ") + " "
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "accounts.csv").write_text("id,as_of,name\nx,2026-11-20,X\n", encoding="utf-8")
        (root / "opportunities.csv").write_text(f'account_id,id,name,Stage\nx,o,Deal,"{variant}"\n', encoding="utf-8")
        lines = "".join(f'"{label}" = "{stage}"\n' for label, stage in mapped.items())
        (root / "map.toml").write_text(f'[opportunities]\nStage = "stage"\n[opportunities.values.stage]\n{lines}')
        source = CsvSource(folder)
        source.use_column_map(str(root / "map.toml"))
        (record,) = list(source.records())
        assert record.snapshot is not None, record.error
        assert record.snapshot.opportunities[0].stage == mapped[written]


@pytest.mark.parametrize("sample", ["1,234", "1234,56.7", "12.34.56", "1,234,56"])
def test_a_number_format_sample_must_be_one_thousand_two_hundred_and_thirty_four(sample: str) -> None:
    with pytest.raises(ValueError):
        NumberFormat.from_sample(sample)
