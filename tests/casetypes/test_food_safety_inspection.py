"""Food-safety inspection: checklist, on-the-spot fix or order, follow-up, enforcement."""

from typing import Any

import pytest

from tests.casetypes.walk import Walk

PATROL = {
    "entity_name": "老王面馆",
    "licence_number": "JY13601230001234",
    "entity_kind": "restaurant",
    "address": "桃源路5号",
    "licence_valid": True,
    "health_certificates_ok": True,
    "hygiene_ok": True,
    "no_expired_goods": True,
    "purchase_records_ok": True,
    "finding": "none",
}


def test_no_problem_closes_at_once(api: Any) -> None:
    walk = Walk(api, "food_safety_inspection", "grid_worker_1", PATROL)
    assert walk.status == "closed"
    assert walk.case()["data"]["outcome"] == "no_problem"


def test_minor_problem_fixed_on_the_spot(api: Any) -> None:
    walk = Walk(api, "food_safety_inspection", "grid_worker_1", {**PATROL, "hygiene_ok": False, "finding": "minor"})
    walk.step("grid_worker_1", "spot_rectification", {"spot_rectified": True, "spot_measures": "当场清理后厨"})
    assert walk.status == "closed" and walk.case()["data"]["outcome"] == "fixed_on_spot"


def test_order_then_follow_up_rectified(api: Any) -> None:
    walk = Walk(
        api, "food_safety_inspection", "grid_worker_1", {**PATROL, "health_certificates_ok": False, "finding": "minor"}
    )
    walk.step("grid_worker_1", "spot_rectification", {"spot_rectified": False, "spot_measures": "无法当场办理健康证"})
    walk.step("department_staff", "rectification_order",
              {"order_number": "青市监责改〔2026〕8号", "rectify_by": "2026-12-10", "order_requirements": "办理健康证"},
              not_seen_by=("grid_worker_1",))  # fmt: skip
    walk.step("grid_worker_1", "follow_up", {"follow_up_rectified": True})
    assert walk.case()["data"]["outcome"] == "rectified"


def test_not_rectified_goes_to_enforcement(api: Any) -> None:
    walk = Walk(
        api, "food_safety_inspection", "grid_worker_1", {**PATROL, "licence_valid": False, "finding": "serious"}
    )
    assert walk.open_tasks() == ["rectification_order"]
    walk.step("department_staff", "rectification_order",
              {"order_number": "8号", "rectify_by": "2026-12-10", "order_requirements": "办理许可证"})  # fmt: skip
    walk.step("grid_worker_1", "follow_up", {"follow_up_rectified": False, "follow_up_notes": "仍无证经营"})
    walk.step("department_enforcer", "enforcement",
              {"food_enforcement_measure": "suspend", "enforcement_result": "责令停业整顿"}, not_seen_by=("department_staff",))  # fmt: skip
    case = walk.case()
    assert case["status"] == "closed" and case["data"]["outcome"] == "enforced"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"finding": "terrible"}, "finding"), ({"hygiene_ok": "yes"}, "hygiene_ok"), ({"entity_name": ""}, "entity_name")],
)
def test_an_invalid_patrol_is_refused(api: Any, change: dict[str, Any], field: str) -> None:
    response = api("grid_worker_1").post(
        "/cases", {"case_type": "food_safety_inspection", "org_unit": "360123001001001", "data": {**PATROL, **change}}
    )
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == [field]


def test_the_follow_up_date_must_be_a_date(api: Any) -> None:
    walk = Walk(api, "food_safety_inspection", "grid_worker_1", {**PATROL, "finding": "serious"})
    task = walk.task("rectification_order")
    response = walk.as_("department_staff").post(
        f"/tasks/{task['id']}/complete",
        {"data": {"order_number": "8号", "rectify_by": "next week", "order_requirements": "x"}},
    )
    assert response.status_code == 422 and set(response.json["error"]["fields"]) == {"rectify_by", "order_requirements"}
