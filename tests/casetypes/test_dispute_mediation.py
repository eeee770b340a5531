"""Dispute mediation: people's → administrative → judicial hand-offs, agreement, return visit."""

from typing import Any

from tests.casetypes.walk import Walk

DISPUTE = {
    "parties": "李四（13800000001）与王五（13800000002）",
    "dispute_kind": "neighbourhood",
    "address": "桃源社区3栋",
    "claims": "李四要求王五拆除占用公共走廊的鞋柜",
    "risk_level": "low",
}
PEOPLE = ("peoples_mediator_1", "peoples_mediator_2", "admin_mediator_1", "admin_mediator_2", "judicial_mediator")


def not_me(me: str) -> tuple[str, ...]:
    return tuple(p for p in PEOPLE if p != me)


def test_settled_on_the_spot_goes_straight_to_the_return_visit(api: Any) -> None:
    walk = Walk(
        api,
        "dispute_mediation",
        "grid_worker_1",
        {**DISPUTE, "settled_on_spot": True, "spot_agreement": "双方同意移走鞋柜"},
    )
    assert walk.open_tasks() == ["return_visit"]
    walk.step("grid_worker_1", "return_visit", {"agreement_honoured": True}, not_seen_by=("grid_worker_2",))
    assert walk.status == "closed"
    assert walk.case()["data"]["outcome"] == "agreement"


def test_peoples_mediation_agreement_is_visited_and_closed(api: Any) -> None:
    walk = Walk(api, "dispute_mediation", "grid_worker_1", DISPUTE)
    walk.step("peoples_mediator_1", "peoples_mediation",
              {"peoples_result": "agreement", "peoples_record": "两次调解", "peoples_agreement": "五日内移走鞋柜"},
              not_seen_by=not_me("peoples_mediator_1"))  # fmt: skip
    walk.step("grid_worker_1", "return_visit", {"agreement_honoured": True, "visit_notes": "已移走"})
    assert walk.status == "closed"
    assert walk.completed() == [("peoples_mediator_1", "peoples_mediation"), ("grid_worker_1", "return_visit")]


def test_every_hand_off_carries_the_record_and_a_broken_agreement_returns_to_its_mediator(api: Any) -> None:
    walk = Walk(api, "dispute_mediation", "grid_worker_1", DISPUTE)
    walk.step(
        "peoples_mediator_1", "peoples_mediation", {"peoples_result": "no_agreement", "peoples_record": "王五拒绝让步"}
    )
    handed = walk.as_("admin_mediator_1").get(f"/tasks/{walk.task('admin_mediation')['id']}").json
    assert handed["case"]["data"]["peoples_record"] == "王五拒绝让步"  # the next mediator sees the earlier record
    walk.step("admin_mediator_1", "admin_mediation",
              {"admin_result": "agreement", "admin_mediation_body": "东城街道司法所", "admin_record": "达成协议",
               "admin_agreement": "王五三日内移走鞋柜", "request_confirmation": True},
              not_seen_by=not_me("admin_mediator_1"))  # fmt: skip
    walk.step(
        "judicial_mediator",
        "judicial_confirmation",
        {"confirmation_result": "confirmed", "confirmation_number": "(2026)青民特12号"},
    )
    walk.step("grid_worker_1", "return_visit", {"agreement_honoured": False, "visit_notes": "王五未履行"})
    assert walk.open_tasks() == ["admin_mediation"]  # back to the mediator whose agreement was broken
    walk.step("admin_mediator_1", "admin_mediation",
              {"admin_result": "agreement", "admin_mediation_body": "东城街道司法所", "admin_record": "再次调解"})  # fmt: skip
    walk.step("grid_worker_1", "return_visit", {"agreement_honoured": True})
    assert walk.status == "closed"
    assert [task for _, task in walk.completed()] == [
        "peoples_mediation", "admin_mediation", "judicial_confirmation", "return_visit", "admin_mediation", "return_visit",
    ]  # fmt: skip


def test_no_agreement_anywhere_is_referred_to_litigation(api: Any) -> None:
    walk = Walk(api, "dispute_mediation", "grid_worker_1", DISPUTE)
    walk.step(
        "peoples_mediator_1", "peoples_mediation", {"peoples_result": "refused", "peoples_record": "当事人拒绝人民调解"}
    )
    walk.step("admin_mediator_1", "admin_mediation",
              {"admin_result": "no_agreement", "admin_mediation_body": "住建局", "admin_record": "分歧较大"})  # fmt: skip
    walk.step("judicial_mediator", "judicial_mediation",
              {"judicial_result": "referred", "referred_to": "litigation", "judicial_record": "诉前调解不成"},
              not_seen_by=("admin_mediator_1", "peoples_mediator_1"))  # fmt: skip
    case = walk.case()
    assert case["status"] == "closed" and case["data"]["outcome"] == "referred"
    assert [e["kind"] for e in case["history"]][-1] == "closed"


def test_withdrawn_at_the_administrative_stage_closes_the_case(api: Any) -> None:
    walk = Walk(api, "dispute_mediation", "grid_worker_1", DISPUTE)
    walk.step("peoples_mediator_1", "peoples_mediation", {"peoples_result": "no_agreement", "peoples_record": "不成"})
    walk.step("admin_mediator_1", "admin_mediation",
              {"admin_result": "withdrawn", "admin_mediation_body": "司法所", "admin_record": "申请人撤回"})  # fmt: skip
    assert walk.status == "closed" and walk.case()["data"]["outcome"] == "withdrawn"


def test_a_high_risk_dispute_also_goes_to_the_police_and_waits_for_them(api: Any) -> None:
    walk = Walk(api, "dispute_mediation", "grid_worker_1", {**DISPUTE, "risk_level": "high"})
    assert walk.open_tasks() == ["peoples_mediation", "risk_prevention"]
    assert walk.inbox_of("police_liaison_1") == ["risk_prevention"]
    assert walk.inbox_of("police_liaison_2") == []
    walk.step("peoples_mediator_1", "peoples_mediation", {"peoples_result": "agreement", "peoples_record": "达成"})
    walk.step("grid_worker_1", "return_visit", {"agreement_honoured": True})
    assert walk.status == "open" and walk.open_tasks() == ["risk_prevention"]
    walk.step("police_liaison_1", "risk_prevention", {"risk_measures": "上门稳控", "risk_controlled": True})
    assert walk.status == "closed"


def test_a_mediator_may_not_complete_another_stage(api: Any) -> None:
    walk = Walk(api, "dispute_mediation", "grid_worker_1", DISPUTE)
    task = walk.task("peoples_mediation")
    response = walk.as_("admin_mediator_1").post(
        f"/tasks/{task['id']}/complete", {"data": {"peoples_result": "agreement", "peoples_record": "x"}}
    )
    assert response.status_code == 403


def test_the_case_page_titles_what_the_scripts_set(client: Any, api: Any) -> None:
    from tests.conftest import login

    walk = Walk(
        api, "dispute_mediation", "grid_worker_1", {**DISPUTE, "settled_on_spot": True, "spot_agreement": "同意移走"}
    )
    walk.step("grid_worker_1", "return_visit", {"agreement_honoured": True})
    assert walk.case()["data"]["agreed_stage"] == "spot"  # the API keeps every value as the scripts set it
    login(client, "grid_worker_1")
    page = client.get(f"/cases/{walk.id}").data.decode()
    assert "办理结果" in page and "达成协议的调解阶段" in page and "当场调解" in page
    assert "agreed_stage" not in page and "agreement<" not in page  # were shown as "agreed_stage: spot"
    client.post("/locale", data={"locale": "en"})
    page = client.get(f"/cases/{walk.id}").data.decode()
    assert "Outcome" in page and "Agreement reached" in page and "On the spot" in page
