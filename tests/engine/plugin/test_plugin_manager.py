"""The plugin manager and registry: built-ins like any plugin, isolation, duplicates, entry points."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

import pluggy
import pytest
from kamengine.engine.advise.advisor import Advisor
from kamengine.engine.advise.spec import playbook_paths
from kamengine.engine.errors import EvaluationError, PlaybookError, PluginError
from kamengine.engine.model.actions import ActionType
from kamengine.engine.model.fields import KINDS, FieldSpec
from kamengine.engine.plugin import _manager as plugin_manager
from kamengine.engine.plugin._manager import BUILTIN_PLUGINS, get_plugin_manager
from kamengine.engine.plugin._registry import Registry
from kamengine.engine.plugin.emitters import Emitter
from kamengine.engine.plugin.enrichers import Enricher
from kamengine.engine.plugin.hookspecs import hookimpl
from kamengine.engine.plugin.sources import Source
from support import REPO, contact, make_playbook, make_snapshot


def test_builtins_are_registered_by_module_name() -> None:
    pm = get_plugin_manager(load_entry_points=False)
    assert [name for name, _ in pm.list_name_plugin()] == list(BUILTIN_PLUGINS)
    registry = Registry(pm)
    assert list(registry.sources) == ["csv", "file", "jsonl", "sqlite", "xlsx"]
    assert list(registry.emitters) == ["csv", "email", "ics", "json", "jsonl", "markdown", "sqlite", "table", "webhook"]
    assert "executive_visit" in registry.actions and registry.warnings == []
    assert registry.playbook_sources[0][0] == "kamengine.plugins.builtin_playbooks"


class ExtraSource(Source):
    PLUGIN_NAME = "extra"


class ClashingEmitter(Emitter):
    PLUGIN_NAME = "json"


class GoodPlugin:
    @hookimpl
    def kamengine_register_sources(self) -> list[type[Source]]:
        return [ExtraSource]

    @hookimpl
    def kamengine_register_actions(self) -> list[ActionType]:
        return [ActionType("kpi_review", "KPI review", None, "AD")]


class CrashingPlugin:
    @hookimpl
    def kamengine_register_emitters(self) -> list[type[Emitter]]:
        raise RuntimeError("database is down")


@pytest.fixture
def pm() -> Iterator[pluggy.PluginManager]:
    manager = get_plugin_manager(load_entry_points=False)
    yield manager


def test_a_temporary_plugin_adds_a_source_and_an_action(pm: pluggy.PluginManager) -> None:
    pm.register(GoodPlugin(), "good")
    registry = Registry(pm)
    assert registry.sources["extra"] is ExtraSource
    assert registry.actions["kpi_review"].label == "KPI review"
    assert registry.provides["good"] == ["source extra", "action kpi_review"]
    assert registry.hooks_of("good") == ["kamengine_register_actions", "kamengine_register_sources"]


def test_a_crashing_plugin_is_reported_by_name_and_the_rest_still_load(pm: pluggy.PluginManager) -> None:
    pm.register(CrashingPlugin(), "crasher")
    registry = Registry(pm)
    assert registry.warnings == ["plugin 'crasher' failed in kamengine_register_emitters: database is down"]
    assert "json" in registry.emitters


def test_a_duplicate_name_is_an_error_naming_both(pm: pluggy.PluginManager) -> None:
    class Clash:
        @hookimpl
        def kamengine_register_emitters(self) -> list[type[Emitter]]:
            return [ClashingEmitter]

    pm.register(Clash(), "clash")
    with pytest.raises(PluginError) as caught:
        Registry(pm)
    assert str(caught.value) == (
        "emitter name 'json' is registered twice: by kamengine.plugins.text_emitters.JsonEmitter "
        "(plugin 'kamengine.plugins.text_emitters') and by test_plugin_manager.ClashingEmitter (plugin 'clash')"
    )


def test_a_duplicate_action_id_is_an_error(pm: pluggy.PluginManager) -> None:
    class Clash:
        @hookimpl
        def kamengine_register_actions(self) -> list[ActionType]:
            return [ActionType("hq_tour", "Tour", 10, "AR")]

    pm.register(Clash(), "clash")
    with pytest.raises(
        PluginError,
        match=r"action id 'hq_tour' is registered twice: by plugin 'kamengine.plugins.builtin_actions' and by plugin 'clash'",
    ):
        Registry(pm)


def test_a_wrong_return_value_is_reported(pm: pluggy.PluginManager) -> None:
    class Sloppy:
        @hookimpl
        def kamengine_register_sources(self) -> object:
            return ExtraSource  # not a list

    pm.register(Sloppy(), "sloppy")
    assert Registry(pm).warnings == ["plugin 'sloppy': kamengine_register_sources must return a list, got type"]


def test_a_misspelled_hook_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    class Typo:
        @hookimpl
        def kamengine_register_source(self) -> list[type[Source]]:
            return []

    monkeypatch.setattr(plugin_manager, "_load_entry_points", lambda pm: pm.register(Typo(), "typo"))
    with pytest.raises(pluggy.PluginValidationError, match="kamengine_register_source"):
        get_plugin_manager(load_entry_points=True)


class _EntryPoint:
    def __init__(self, name: str, target: object, fail: bool = False) -> None:
        self.name, self.target, self.fail = name, target, fail
        self.dist = type("Dist", (), {"name": f"kamengine-{name}", "version": "1.2"})()

    def load(self) -> object:
        if self.fail:
            raise ImportError("No module named 'kamengine_broken'")
        return self.target


def test_entry_points_load_and_a_broken_one_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    points = [_EntryPoint("good", GoodPlugin()), _EntryPoint("broken", None, fail=True)]
    monkeypatch.setattr(metadata, "entry_points", lambda group: points if group == "kamengine" else [])
    monkeypatch.setattr(plugin_manager, "may_declare", lambda group: group == "kamengine")  # as if installed
    monkeypatch.delenv("KAMENGINE_DISABLE_PLUGINS")
    pm = get_plugin_manager()
    assert pm.infos["good"].package == "kamengine-good" and pm.infos["good"].version == "1.2"
    assert pm.failures == ["plugin 'broken' from kamengine-broken failed to load: No module named 'kamengine_broken'"]
    assert "extra" in Registry(pm).sources


def test_the_environment_variable_disables_installed_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metadata, "entry_points", lambda group: [_EntryPoint("good", GoodPlugin())])
    monkeypatch.setenv("KAMENGINE_DISABLE_PLUGINS", "1")
    assert "good" not in get_plugin_manager().infos


class Mood(Enricher):
    PLUGIN_NAME = "mood"
    FIELDS: ClassVar[dict[str, list[FieldSpec]]] = {
        "contact": [FieldSpec("mood", "str", "how the contact felt at the last meeting", ("happy", "grumpy"))]
    }

    def values(self, kind: str, record: Any, snapshot: Any) -> dict[str, Any]:
        if record.extra.get("mood") == "explode":
            raise ValueError("unreadable mood")
        return {"mood": record.extra.get("mood")}


class MoodPlugin:
    @hookimpl
    def kamengine_register_enrichers(self) -> list[type[Enricher]]:
        return [Mood]


MOOD_RULE = "playbook: m\nrules:\n  - {id: cheer, rationale: x, subject: contact, when: [{mood: grumpy}], actions: [{action: team_activity, title: 'Cheer up {name} ({mood})'}]}\n"


def test_an_enricher_adds_fields_rules_can_test(pm: pluggy.PluginManager) -> None:
    pm.register(MoodPlugin(), "mood")
    registry = Registry(pm)
    assert registry.kinds["contact"]["mood"].choices == ("happy", "grumpy")
    assert registry.kinds["member"]["mood"].type == "str"
    playbook = make_playbook(MOOD_RULE, registry.actions, kinds=registry.kinds)
    advisor = Advisor([playbook], registry.actions, enrichers=[Mood()])
    snapshot = make_snapshot(contacts=[contact("c1", extra={"mood": "grumpy"}), contact("c2", extra={"mood": "happy"})])
    assert [r.title for r in advisor.advise(snapshot).recommendations] == ["Cheer up C1 (grumpy)"]
    with pytest.raises(PlaybookError, match="'mood' is one of happy, grumpy, found 'sad'"):
        make_playbook(MOOD_RULE.replace("grumpy}", "sad}"), registry.actions, kinds=registry.kinds)


def test_a_crashing_enricher_fails_only_that_account_naming_the_enricher() -> None:
    playbook = make_playbook(MOOD_RULE, kinds=_mood_kinds())
    advisor = Advisor([playbook], enrichers=[Mood()])
    with pytest.raises(EvaluationError, match="enricher 'mood' failed on contact 'c1': unreadable mood"):
        advisor.advise(make_snapshot(contacts=[contact("c1", extra={"mood": "explode"})]))
    assert len(advisor.advise(make_snapshot(contacts=[contact("c1", extra={"mood": "grumpy"})])).recommendations) == 1


def test_an_enricher_may_not_redefine_a_field(pm: pluggy.PluginManager) -> None:
    class Clash(Enricher):
        PLUGIN_NAME = "clash"
        FIELDS: ClassVar[dict[str, list[FieldSpec]]] = {"contact": [FieldSpec("stance", "int", "mine")]}

    class ClashPlugin:
        @hookimpl
        def kamengine_register_enrichers(self) -> list[type[Enricher]]:
            return [Clash]

    pm.register(ClashPlugin(), "clash")
    with pytest.raises(
        PluginError, match="enricher 'clash' adds contact field 'stance', which kamengine already defines"
    ):
        Registry(pm)


def _mood_kinds() -> dict[str, dict[str, FieldSpec]]:
    kinds = {kind: dict(fields) for kind, fields in KINDS.items()}
    kinds["contact"]["mood"] = Mood.FIELDS["contact"][0]
    return kinds


def test_a_plugin_registers_a_playbook_directory(pm: pluggy.PluginManager, tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text(
        MOOD_RULE.replace("{mood: grumpy}", "{stance: -1}").replace(" ({mood})", ""), encoding="utf-8"
    )

    class TeamPlaybooks:
        @hookimpl
        def kamengine_register_playbooks(self) -> list[Path]:
            return [tmp_path]

    pm.register(TeamPlaybooks(), "team")
    registry = Registry(pm)
    assert ("team", str(tmp_path)) in registry.playbook_sources
    assert playbook_paths(registry, [], no_builtin=True) == [str(tmp_path / "team.yaml")]
    assert len(playbook_paths(registry, [], no_builtin=False)) == 1 + len(list((REPO / "rules").glob("*.yaml")))
