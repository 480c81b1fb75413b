"""kamengine plan read as a director reads it: every week apart under its own heading, and headings that count
customer meetings (led and attended, as the capacity counts them) apart from gifts and our own work."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from click.testing import CliRunner
from durable_marker import prints_as_on_durable
from kamengine.cli import main
from support import REPO

PORTFOLIO = f"file:{REPO / 'examples' / 'portfolio'}"
#: A Friday: this week has nothing left, the plan starts next week and runs into the year-end break.
AS_OF = "2026-12-11"
WEEK_ROW = re.compile(
    r"^week (\d{4}-W\d{2}) +leads (\d+) customer meetings?(?:, attends (\d+))?(?:, (\d+) gifts? or greetings?)?"
)


def _plan(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--config", "/dev/null", "plan", "--source", PORTFOLIO, "--as-of", AS_OF, *args])


def _tables(text: str) -> dict[str, list[str]]:
    """Each person's table (by the name in its heading), its lines after the header's underline."""
    found: dict[str, list[str]] = {}
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if lines and " — " in lines[0]:
            found[lines[0].split(" — ")[0]] = lines[3:]
        elif lines and found:  # the next week of the same person, after the blank line between weeks
            found[list(found)[-1]] += ["", *lines]
    return found


@prints_as_on_durable
def test_every_week_reads_apart_with_its_meetings_as_the_load_counts_them() -> None:
    table = _plan("--week", "all")
    assert table.exit_code == 0, table.output
    load = json.loads(_plan("--load", "-f", "json").output)
    meetings = {(p["person"]["name"], week): n for p in load["load"] for week, n in p["weeks"].items()}
    tables = _tables(table.output)
    assert len(tables) > 3
    seen_weeks, gifts = 0, 0
    for person, lines in tables.items():
        name = person.rsplit(" (", 1)[0]
        week = None
        for line in lines:
            if match := WEEK_ROW.match(line):
                week, led, attended, light = match.group(1), *(int(g or 0) for g in match.groups()[1:])
                assert led + attended == meetings[(name, week)], (person, week)  # a gift is no meeting
                seen_weeks, gifts = seen_weeks + 1, gifts + light
            elif re.match(r"^\d{4}-\d{2}-\d{2} ", line):
                assert week is not None, f"{person}: a day before any week's heading: {line}"
                year, number, _ = dt.date.fromisoformat(line[:10]).isocalendar()
                assert f"{year}-W{number:02d}" == week, f"{person}: {line[:14]} under {week}"
    assert seen_weeks > len(tables) and gifts > 0  # several weeks a person, and gifts counted apart


def test_markdown_of_every_week_has_a_heading_per_week() -> None:
    text = _plan("--week", "all", "--format", "markdown").output
    weeks = re.findall(r"^### (\d{4}-W\d{2}): leads \d+ customer meeting", text, flags=re.M)
    assert len(weeks) > len(re.findall(r"^## ", text, flags=re.M))
    assert "2026-W51" in weeks and "2027-W01" in weeks


@prints_as_on_durable
def test_an_empty_week_names_the_next_week_with_something_planned() -> None:
    result = _plan()
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Nothing planned for week 2026-W50.",
        "The next planned week is 2026-W51: --week 2026-W51, or --week all for every week.",
    ]


@prints_as_on_durable
def test_the_load_says_a_week_of_the_year_end_break_is_closed() -> None:
    lines = _plan("--load").output.splitlines()
    assert lines[1].split()[:7] == ["person", "W50", "W51", "W52", "W53", "W01", "W02"]
    people = lines[3 : lines.index("")]

    def cell(line: str, week: str) -> str:
        return line[lines[1].index(week) :].split()[0]

    assert people and all(cell(line, "W53") == "closed" for line in people)  # 28 Dec to 1 Jan
    assert all(cell(line, "W52").endswith("/8") for line in people)  # 21 to 23 Dec are open
    load = json.loads(_plan("--load", "-f", "json").output)
    assert all(person["weeks"]["2026-W53"] == 0 for person in load["load"])  # the JSON keeps the numbers


@prints_as_on_durable
def test_with_owner_a_colleague_s_table_counts_the_meetings_the_owner_attends() -> None:
    result = _plan("--week", "all", "--owner", "u-lw")  # Lukas Weber (AR) comes along to the AD's first approach
    assert result.exit_code == 0, result.output
    headings = [line for line in result.output.splitlines() if " — every week: " in line]
    assert any(h.startswith("Lukas Weber (AR) — every week: leads ") for h in headings)
    colleagues = _tables(result.output)
    del colleagues["Lukas Weber (AR)"]
    assert "Chen Jing (AD)" in colleagues
    for person, lines in colleagues.items():
        heading = next(h for h in headings if h.startswith(f"{person} — "))
        days = [line for line in lines if re.match(r"^\d{4}-\d{2}-\d{2} ", line)]
        many = "s" * (len(days) != 1)
        assert heading == f"{person} — every week: {len(days)} customer meeting{many} Lukas Weber (AR) attends"
        assert all(line.endswith("Lukas Weber (AR) attends") for line in lines if line.startswith("week "))


def test_a_week_heading_in_markdown_shows_a_hostile_name_as_text(tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    text = (REPO / "examples" / "acme-telecom.yaml").read_text(encoding="utf-8").replace("Li Wei", hostile)
    (tmp_path / "acme.yaml").write_text(text, encoding="utf-8")
    args = ["--config", "/dev/null", "plan", str(tmp_path / "acme.yaml"), "--owner", "u-ar", "--week", "all"]
    result = CliRunner().invoke(main, [*args, "--as-of", "2026-11-20", "-f", "markdown"])
    assert result.exit_code == 0, result.output
    attended = [line for line in result.output.splitlines() if line.startswith("### ") and line.endswith(" attends")]
    assert attended and all("&lt;img src=x onerror=alert(1)&gt; (AR) attends" in line for line in attended)
    assert "<img" not in result.output
