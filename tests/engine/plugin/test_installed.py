"""The fast look at what is installed answers as importlib.metadata does: a group declared somewhere is seen."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

import pytest
from kamengine.engine.plugin.installed import may_declare, own_version, version_of


def test_every_group_importlib_finds_is_seen_and_one_nobody_declares_is_not() -> None:
    groups = {entry_point.group for dist in metadata.distributions() for entry_point in dist.entry_points}
    assert "console_scripts" in groups  # kamengine's own command, at least
    assert [group for group in sorted(groups) if not may_declare(group)] == []
    assert not may_declare("kamengine-no-such-group")


def _distribution(folder: Path, name: str, entry_points: str) -> None:
    info = folder / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


@pytest.mark.parametrize(
    ("entry_points", "declared"),
    [
        ("[kamengine_test_group]\nterritory = acme_territory\n", True),
        ("  [kamengine_test_group]  \nterritory = acme_territory\n", True),  # importlib strips lines too
        ("[console_scripts]\nkamengine_test_group = acme.cli:main\n", False),  # the name, not a section of it
        ("[kamengine_test_group.extra]\nterritory = acme_territory\n", False),
    ],
)
def test_a_distribution_on_the_path_declares_a_group_as_importlib_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry_points: str, declared: bool
) -> None:
    _distribution(tmp_path, "acme_territory", entry_points)
    monkeypatch.syspath_prepend(str(tmp_path))
    found = bool(metadata.entry_points(group="kamengine_test_group"))
    assert found == declared
    assert may_declare("kamengine_test_group") == declared


def test_a_zip_or_an_egg_on_the_path_is_left_to_importlib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "plugins.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip archive
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert may_declare("kamengine_test_group")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "acme.egg")])
    assert may_declare("kamengine_test_group")


def test_a_finder_of_distributions_of_its_own_is_left_to_importlib(monkeypatch: pytest.MonkeyPatch) -> None:
    class Finder:
        def find_distributions(self, context: object = None) -> list[object]:
            return []

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    monkeypatch.setattr(sys, "path", [])
    assert may_declare("kamengine_test_group")


def test_the_version_is_the_installed_one_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = metadata.version("kamengine")
    assert own_version() == expected
    monkeypatch.setattr(metadata, "version", lambda name: pytest.fail("read again"))
    assert own_version() == expected


@pytest.mark.parametrize("name", ["kamengine", "holidays", "pydantic", "click", "PyYAML", "pyyaml"])
def test_a_version_is_importlibs(name: str) -> None:
    assert version_of(name) == metadata.version(name)


def test_a_distribution_not_installed_has_no_version() -> None:
    assert version_of("kamengine-no-such-distribution") is None


def test_the_importlib_metadata_backport_imported_reads_the_same_folders() -> None:
    # Dask and schemathesis import the backport, which appends its path finder to sys.meta_path: the fast look must
    # still answer (a group nobody declares is not declared), not give up to importlib.
    importlib_metadata = pytest.importorskip("importlib_metadata")
    if not any(type(f).__module__ == importlib_metadata.__name__ for f in sys.meta_path):
        pytest.skip("this importlib_metadata adds no finder of its own")
    assert not may_declare("kamengine-no-such-group")
