"""kamengine report account: the account's page as one self-contained HTML file, written whole."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from page_parsing import cards, parse_page
from support import REPO

ACME = str(REPO / "examples" / "acme-telecom.yaml")


def _report(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--config", "/dev/null", "report", "account", *args], input=stdin)


@prints_as_on_durable
def test_the_acme_page_holds_every_person_and_every_advice(tmp_path: Path) -> None:
    target = tmp_path / "acme.html"
    result = _report(ACME, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote {target}\n"
    html = target.read_text(encoding="utf-8")
    page = parse_page(html)
    assert set(cards(page)) == {
        "Marta Vidal", "Ana Ruiz", "Jonas Berg", "Priya Nair", "Tom Keller",
        "Lena Fischer", "Paul Okafor", "Mia Chen", "Karim Aziz", "Elena Rossi",
    }  # fmt: skip
    advice = json.loads(CliRunner().invoke(main, ["--config", "/dev/null", "advise", ACME, "-f", "json"]).output)
    (table,) = page.find_all(lambda e: "advice-table" in e.classes)
    rows = [" ".join(tr.text.split()) for tr in table.find_all(lambda e: e.tag == "tr")][1:]
    assert len(rows) == len(advice) == 24
    assert all(any(r["title"] in row for row in rows) for r in advice)
    assert not re.search(r"https?://|src=|<script|<link", html)


def test_a_dash_writes_to_stdout_and_reads_stdin() -> None:
    result = _report("-", "-o", "-", stdin=Path(ACME).read_text(encoding="utf-8"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>") and "ACME Telecom" in result.stdout


@prints_as_on_durable
def test_a_bad_snapshot_names_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("as_of: 2026-11-20\naccount: {id: a, name: A, tier: huge}\n", encoding="utf-8")
    result = _report(str(bad), "-o", str(tmp_path / "out.html"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad}:2: account.tier:")
    assert not (tmp_path / "out.html").exists()


@prints_as_on_durable
def test_an_unwritable_target_is_one_line_and_the_old_file_stays(tmp_path: Path) -> None:
    result = _report(ACME, "-o", str(tmp_path / "missing" / "acme.html"))
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {tmp_path}/missing/acme.html: cannot write (No such file or directory)\n",
    )
    assert _report(ACME).exit_code == 2  # -o is required
