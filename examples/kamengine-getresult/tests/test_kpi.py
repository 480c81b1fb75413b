"""The KPI-sheet enricher on its own."""

from __future__ import annotations

from kamengine import Snapshot
from kamengine_getresult.kpi import KpiSheetEnricher


def _values(sheet: object) -> dict:
    snapshot = Snapshot.model_validate({"as_of": "2026-11-20", "account": {"id": "a", "name": "A", "extra": {"kpi_sheet": sheet}}})
    return dict(KpiSheetEnricher().values("account", snapshot.account, snapshot))


def test_no_sheet() -> None:
    assert _values(None) == {"kpi_sheet_present": False}


def test_a_good_sheet_has_nothing_off() -> None:
    sheet = [
        {"role": "AR", "kind": "business", "type": "result", "weight": 45},
        {"role": "AR", "kind": "business", "type": "process", "weight": 30},
        {"role": "AR", "kind": "growth", "weight": 25},
    ]
    assert _values(sheet) == {
        "kpi_sheet_present": True,
        "kpi_roles_business_weight_off": 0,
        "kpi_roles_too_many_business": 0,
        "kpi_roles_result_process_off": 0,
        "kpi_weights_not_multiple_of_5": 0,
    }


def test_each_convention_is_counted_per_role() -> None:
    sheet = [
        {"role": "AR", "kind": "business", "type": "result", "weight": 90},
        {"role": "AR", "kind": "growth", "weight": 10},
        {"role": "SR", "kind": "business", "type": "result", "weight": 37},
        {"role": "SR", "kind": "business", "type": "process", "weight": 38},
        {"role": "SR", "kind": "growth", "weight": 25},
    ]
    values = _values(sheet)
    assert values["kpi_roles_business_weight_off"] == 1  # AR at 90%
    assert values["kpi_roles_result_process_off"] == 2  # AR all result, SR under 50%
    assert values["kpi_weights_not_multiple_of_5"] == 2
