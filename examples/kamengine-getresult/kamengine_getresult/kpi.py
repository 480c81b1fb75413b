"""The KPI-sheet enricher: turns ``account.extra.kpi_sheet`` into account fields rules can test.

A sheet is a list of indicators: ``{role: AR, indicator: revenue, kind: business|growth,
type: result|process, weight: 40}`` (weights in percent of that role's total).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from kamengine import Enricher, FieldSpec, Snapshot


class KpiSheetEnricher(Enricher):
    PLUGIN_NAME = "kpi-sheet"
    FIELDS = {
        "account": [
            FieldSpec("kpi_sheet_present", "bool", "the account carries a KPI sheet in extra.kpi_sheet"),
            FieldSpec("kpi_roles_business_weight_off", "int", "roles whose business indicators weigh outside 70-80%"),
            FieldSpec("kpi_roles_too_many_business", "int", "roles with more than four business indicators"),
            FieldSpec("kpi_roles_result_process_off", "int", "roles whose business result:process split is outside 50:50..60:40"),
            FieldSpec("kpi_weights_not_multiple_of_5", "int", "indicators whose weight is not a multiple of 5%"),
        ]
    }

    def values(self, kind: str, record: BaseModel, snapshot: Snapshot) -> Mapping[str, Any]:
        sheet = snapshot.account.extra.get("kpi_sheet")
        if not isinstance(sheet, list) or not sheet:
            return {"kpi_sheet_present": False}
        roles: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for row in sheet:
            roles[str(row.get("role"))].append(row)
        business_off = too_many = split_off = 0
        for rows in roles.values():
            total = sum(float(r.get("weight", 0)) for r in rows) or 1.0
            business = [r for r in rows if r.get("kind") == "business"]
            share = sum(float(r.get("weight", 0)) for r in business) / total
            business_off += not 0.70 <= share <= 0.80
            too_many += len(business) > 4
            result = sum(float(r.get("weight", 0)) for r in business if r.get("type") == "result")
            weight = sum(float(r.get("weight", 0)) for r in business) or 1.0
            split_off += not 0.50 <= result / weight <= 0.60
        return {
            "kpi_sheet_present": True,
            "kpi_roles_business_weight_off": business_off,
            "kpi_roles_too_many_business": too_many,
            "kpi_roles_result_process_off": split_off,
            "kpi_weights_not_multiple_of_5": sum(float(r.get("weight", 0)) % 5 != 0 for r in sheet),
        }
