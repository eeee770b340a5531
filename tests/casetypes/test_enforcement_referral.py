"""Enforcement referral: township acts or refers; the department accepts or returns; verify; credit record."""

from typing import Any

from tests.casetypes.walk import Walk

MATTER = {
    "matter_source": "grid_report",
    "violation_kind": "illegal_construction",
    "address": "桃源路88号",
    "party": "某建材店",
    "description": "在屋顶违规搭建彩钢棚",
}


def test_within_township_powers_handled_verified_and_closed(api: Any) -> None:
    walk = Walk(api, "enforcement_referral", "township_dispatcher_1", MATTER)
    walk.step(
        "township_enforcer_1",
        "township_decision",
        {"enforcement_decision": "handle"},
        not_seen_by=("township_enforcer_2",),
    )
    walk.step(
        "township_enforcer_1", "township_handling", {"handling_result": "责令自行拆除", "penalty": "order_to_correct"}
    )
    walk.step(
        "grid_worker_1",
        "verification",
        {"verified": True, "verification_notes": "已拆除"},
        not_seen_by=("grid_worker_2",),
    )
    case = walk.case()
    assert case["status"] == "closed" and case["data"]["outcome"] == "penalised"


def test_department_returns_the_referral_then_accepts_and_a_serious_violation_is_recorded(api: Any) -> None:
    walk = Walk(api, "enforcement_referral", "township_dispatcher_1", MATTER)
    walk.step("township_enforcer_1", "township_decision",
              {"enforcement_decision": "refer", "preliminary_measures": "已制止施工并拍照取证",
               "referral_department": "县住建局", "response_days": 5})  # fmt: skip
    walk.step("department_enforcer", "department_acceptance",
              {"referral_accepted": False, "return_reason": "证据不足，请补充测量数据"},
              not_seen_by=("township_enforcer_1",))  # fmt: skip
    assert walk.open_tasks() == ["township_decision"]  # returned to the township, reason attached
    assert walk.case()["data"]["return_reason"] == "证据不足，请补充测量数据"
    walk.step("township_enforcer_1", "township_decision",
              {"enforcement_decision": "refer", "preliminary_measures": "补充测量", "referral_department": "县住建局",
               "response_days": 5})  # fmt: skip
    walk.step("department_enforcer", "department_acceptance", {"referral_accepted": True})
    walk.step("department_enforcer", "department_handling",
              {"investigation": "违建面积60平方米", "penalty": "fine", "fine_amount": 20000, "serious_violation": True})  # fmt: skip
    walk.step("grid_worker_1", "verification", {"verified": False, "verification_notes": "仍未拆除"})
    assert walk.open_tasks() == ["department_handling"]  # back to whoever handled it
    walk.step("department_enforcer", "department_handling",
              {"investigation": "强制拆除", "penalty": "fine", "fine_amount": 20000, "serious_violation": True})  # fmt: skip
    walk.step("grid_worker_1", "verification", {"verified": True})
    walk.step("township_dispatcher_1", "credit_record", {"credit_record_number": "XY2026-0012", "credit_summary": "违法建设，罚款2万元"},
              not_seen_by=("township_dispatcher_2",))  # fmt: skip
    assert walk.status == "closed"
    assert [t for _, t in walk.completed()] == [
        "township_decision", "department_acceptance", "township_decision", "department_acceptance",
        "department_handling", "verification", "department_handling", "verification", "credit_record",
    ]  # fmt: skip


def test_only_the_township_dispatcher_registers_matters(api: Any) -> None:
    response = api("grid_worker_1").post(
        "/cases", {"case_type": "enforcement_referral", "org_unit": "360123001001001", "data": MATTER}
    )
    assert response.status_code == 403


def test_a_decision_the_law_needs_more_for_is_refused_until_it_is_given(api: Any) -> None:
    """A fine needs its amount, a referral its department, measures and response time, a return its reason."""
    walk = Walk(api, "enforcement_referral", "township_dispatcher_1", MATTER)
    enforcer = walk.as_("township_enforcer_1")
    decision = walk.task("township_decision")["id"]
    refused = enforcer.post(f"/tasks/{decision}/complete?locale=en", {"data": {"enforcement_decision": "refer"}})
    assert refused.status_code == 422
    assert set(refused.json["error"]["fields"]) == {"preliminary_measures", "referral_department", "response_days"}
    walk.step("township_enforcer_1", "township_decision", {"enforcement_decision": "refer",
              "preliminary_measures": "已制止施工", "referral_department": "县住建局", "response_days": 5})  # fmt: skip
    department = walk.as_("department_enforcer")
    acceptance = walk.task("department_acceptance")["id"]
    returned = department.post(f"/tasks/{acceptance}/complete", {"data": {"referral_accepted": False}})
    assert returned.status_code == 422 and set(returned.json["error"]["fields"]) == {"return_reason"}
    walk.step("department_enforcer", "department_acceptance", {"referral_accepted": True})
    handling = walk.task("department_handling")["id"]
    for fine in ({"penalty": "fine"}, {"penalty": "fine", "fine_amount": 0}):
        answer = department.post(f"/tasks/{handling}/complete", {"data": {"investigation": "违建60平方米", **fine}})
        assert answer.status_code == 422 and set(answer.json["error"]["fields"]) == {"fine_amount"}, fine
    walk.step(
        "department_enforcer", "department_handling", {"investigation": "违建60平方米", "penalty": "warning"}
    )  # no amount needed without a fine
