"""12345 hotline: direct answer, dispatch, return to dispatch, review, return visit reopening."""

from typing import Any

from tests.casetypes.walk import Walk

CALL = {
    "caller_name": "赵女士",
    "caller_phone": "13900001111",
    "category": "complaint",
    "content": "小区门口夜间烧烤油烟扰民",
    "address": "桃源社区北门",
}


def test_answered_directly_from_policy_knowledge(api: Any) -> None:
    walk = Walk(api, "hotline_matter", "hotline_operator", {**CALL, "category": "consultation"})
    walk.step("hotline_operator", "triage", {"direct_answer": True, "answer": "已告知办理流程"})
    case = walk.case()
    assert case["status"] == "closed" and case["data"]["outcome"] == "answered_directly"


def test_returned_redispatched_reviewed_reopened_and_closed(api: Any) -> None:
    walk = Walk(api, "hotline_matter", "hotline_operator", CALL)
    walk.step("hotline_operator", "triage", {"direct_answer": False})
    walk.step("county_dispatcher", "dispatch", {"dispatch_to": "township"}, not_seen_by=("township_dispatcher_1",))
    walk.step("township_dispatcher_1", "township_handling", {"unit_action": "return", "return_reason": "属城管职责"},
              not_seen_by=("township_dispatcher_2",))  # fmt: skip
    assert walk.open_tasks() == ["dispatch"]  # back to dispatch with the reason
    walk.step("county_dispatcher", "dispatch", {"dispatch_to": "department", "department_name": "县城管局"})
    walk.step("department_staff", "department_handling", {"unit_action": "reply", "reply": "已约谈经营者"})
    walk.step("county_dispatcher", "review", {"reply_adequate": False, "review_note": "需说明后续监管"})
    walk.step("department_staff", "department_handling", {"unit_action": "reply", "reply": "已取缔并安排夜间巡查"})
    walk.step("county_dispatcher", "review", {"reply_adequate": True})
    walk.step("hotline_operator", "return_visit", {"satisfaction": "unsatisfied", "visit_notes": "仍有油烟"})
    assert walk.open_tasks() == ["department_handling"]  # unsatisfied reopens handling
    assert walk.case()["data"]["reopen_count"] == 1
    walk.step("department_staff", "department_handling", {"unit_action": "reply", "reply": "已没收烧烤设备"})
    walk.step("county_dispatcher", "review", {"reply_adequate": True})
    walk.step("hotline_operator", "return_visit", {"satisfaction": "satisfied"})
    case = walk.case()
    assert case["status"] == "closed" and case["data"]["outcome"] == "satisfied" and case["data"]["reopen_count"] == 1


def test_the_operator_may_record_calls_for_any_grid_of_the_county(api: Any) -> None:
    walk = Walk(api, "hotline_matter", "hotline_operator", CALL, grid="360123101202002")
    walk.step("hotline_operator", "triage", {"direct_answer": False})
    walk.step("county_dispatcher", "dispatch", {"dispatch_to": "township"})
    assert walk.inbox_of("township_dispatcher_2") == ["township_handling"]  # 西河镇, where the grid is
    assert walk.inbox_of("township_dispatcher_1") == []


def test_a_bad_phone_number_is_refused(api: Any) -> None:
    response = api("hotline_operator").post(
        "/cases",
        {"case_type": "hotline_matter", "org_unit": "360123001001001", "data": {**CALL, "caller_phone": "call me"}},
    )
    assert response.status_code == 422 and list(response.json["error"]["fields"]) == ["caller_phone"]
