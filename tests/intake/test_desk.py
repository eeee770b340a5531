"""The 12345 operator desk over HTTP: answer directly from the knowledge base, create a case, look up callers."""

from typing import Any

from flask.testing import FlaskClient

from app.cases.models import Case
from app.extensions import db
from tests.conftest import GRID_1, login

CALL = {"category": "010203", "caller_name": "王五", "caller_phone": "13900001111", "appeal_kind": "report",
        "content": "小区燃气管道有异味，担心泄漏", "address": "桃源路8号", "latitude": "28.68", "longitude": "115.89",
        "org_unit": GRID_1}  # fmt: skip
ANSWER = {"title": "燃气异味如何处理", "body": "请立即开窗通风，关闭阀门，拨打燃气公司抢修电话。", "keywords": "燃气 异味",
          "categories": ["0102"]}  # fmt: skip


def _case(case_id: int) -> dict[str, Any]:
    case = db.session.get(Case, case_id)
    assert case is not None and case.category is not None
    return {"id": case.id, "data": case.data, "grid": case.org_unit.code, "routing": case.routing,
            "place": (case.category.code, case.latitude, case.longitude, case.address)}  # fmt: skip


def test_answer_directly_closes_as_answered_directly(api: Any, run: Any) -> None:
    entry = api("admin").post("/knowledge", ANSWER).json
    operator = api("hotline_operator")
    answered = operator.post("/desk/calls", {**CALL, "action": "answer", "kb_entry": entry["id"]})
    assert answered.status_code == 201, answered.json
    assert answered.json["case"]["status"] == "closed" and answered.json["open_tasks"] == []
    case = run(lambda: _case(answered.json["case"]["id"]))
    assert case["data"]["outcome"] == "answered_directly" and case["data"]["answer"] == ANSWER["body"]
    assert case["place"] == ("010203", 28.68, 115.89, "桃源路8号")
    history = operator.get(f"/cases/{case['id']}").json["history"]
    kinds = [h["kind"] for h in history]
    assert kinds[:1] == ["started"] and "answered_from_knowledge" in kinds and kinds[-1] == "closed"
    assert any(h["kind"] == "completed" and h["data"].get("direct_answer") is True for h in history)


def test_create_case_routes_by_category_to_dispatch(api: Any, run: Any) -> None:
    operator = api("hotline_operator")
    created = operator.post("/desk/calls", {**CALL, "action": "create"})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["case"]["status"] == "open" and body["case"]["case_type"] == "hotline_matter"
    assert [t["bpmn_id"] for t in body["open_tasks"]] == ["dispatch"]
    assert body["case"]["category"] == "010203"
    # a leaf whose case type the operator may not start (fire hazards start on patrol) becomes a hotline matter
    fire = operator.post(
        "/desk/calls", {**CALL, "category": "010101", "latitude": "", "longitude": "", "action": "create"}
    )
    assert fire.status_code == 201 and fire.json["case"]["case_type"] == "hotline_matter"
    case = run(lambda: _case(fire.json["case"]["id"]))
    assert case["place"] == ("010101", None, None, "桃源路8号") and case["grid"] == GRID_1


def test_bad_input_names_every_field(api: Any) -> None:
    operator = api("hotline_operator")
    bad = operator.post("/desk/calls", {"action": "create", "category": "zz", "caller_phone": "12", "latitude": "95",
                                        "longitude": "x"})  # fmt: skip
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) >= {"category", "caller_name", "caller_phone", "content", "address",
                                                "latitude", "longitude"}  # fmt: skip
    branch = operator.post("/desk/calls", {**CALL, "category": "0101", "action": "create"})
    assert branch.status_code == 422 and set(branch.json["error"]["fields"]) == {"category"}
    half = operator.post("/desk/calls", {**CALL, "longitude": "", "action": "create"})
    assert set(half.json["error"]["fields"]) == {"longitude"}
    no_entry = operator.post("/desk/calls", {**CALL, "action": "answer", "kb_entry": 999999})
    assert no_entry.status_code == 422 and set(no_entry.json["error"]["fields"]) == {"kb_entry"}
    assert operator.post("/desk/calls", {**CALL, "action": "fly"}).status_code == 422
    assert operator.post("/desk/calls", {**CALL, "org_unit": "nope", "action": "create"}).status_code == 422


def test_caller_lookup_finds_earlier_calls_only_for_operators(api: Any) -> None:
    operator = api("hotline_operator")
    first = operator.post("/desk/calls", {**CALL, "action": "create"}).json
    found = operator.get("/desk/callers?phone=13900001111").json["items"]
    assert [c["id"] for c in found] == [first["case"]["id"]] and found[0]["caller_name"] == "王五"
    assert operator.get("/desk/callers?phone=13900002222").json["items"] == []
    assert operator.get("/desk/callers?phone=x").json["items"] == []
    assert api("grid_worker_1").get("/desk/callers?phone=13900001111").status_code == 403
    assert api("grid_worker_1").post("/desk/calls", {**CALL, "action": "create"}).status_code == 403


def test_desk_page_without_javascript(client: FlaskClient, api: Any) -> None:
    api("admin").post("/knowledge", ANSWER)
    login(client, "hotline_operator")
    page = client.get("/intake/desk")
    assert page.status_code == 200 and 'src="/static/desk.js"' in page.get_data(as_text=True)
    searched = client.post("/intake/desk", data={"action": "search", "category_q": "rqaq"}).get_data(as_text=True)
    assert '<option value="010203"' in searched and '<option value="010101"' not in searched
    with_category = client.post("/intake/desk", data={"action": "search", "category": "010203"}).get_data(as_text=True)
    assert ANSWER["title"] in with_category  # the answers for the chosen item's branch
    refused = client.post("/intake/desk", data={**CALL, "category": "0101", "content": "", "action": "create"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-field="category"' in text and 'data-field="content"' in text
    assert "桃源路8号" in text  # what was typed is kept
    created = client.post("/intake/desk", data={**CALL, "action": "create"})
    assert created.status_code == 302 and "/cases/" in created.headers["Location"]
    assert "分拨" not in client.get(created.headers["Location"]).get_data(as_text=True)  # placed: nothing to say
    nowhere = {
        **CALL,
        "org_unit": "",
        "latitude": "",
        "longitude": "",
        "address": "不知道哪里",
        "content": "路灯坏了很久",
    }
    lost = client.post("/intake/desk", data={**nowhere, "action": "create"})
    told = client.get(lost.headers["Location"]).get_data(as_text=True)
    assert 'class="flash error"' in told and "待分拨" in told  # the operator can tell the caller
    lookup = client.post("/intake/desk", data={"action": "lookup", "caller_phone": CALL["caller_phone"]})
    assert "data-case=" in lookup.get_data(as_text=True)
    suggestions = client.get("/intake/categories.json?q=xftd").json["items"]
    assert suggestions[0]["code"] == "010101" and "消防通道堵塞" in suggestions[0]["path"]


def test_desk_answer_page_and_grid_worker_refused(client: FlaskClient, api: Any) -> None:
    entry = api("admin").post("/knowledge", ANSWER).json
    login(client, "hotline_operator")
    answered = client.post("/intake/desk", data={**CALL, "action": "answer", "kb_entry": str(entry["id"])})
    assert answered.status_code == 302
    detail = client.get(answered.headers["Location"]).get_data(as_text=True)
    assert ANSWER["body"] in detail
    client.get("/logout")
    login(client, "grid_worker_1")
    assert client.get("/intake/desk").status_code == 403
    assert client.post("/intake/desk", data={**CALL, "action": "create"}).status_code == 403


def test_without_a_chosen_grid_the_call_is_routed_by_place(api: Any, run: Any) -> None:
    operator = api("hotline_operator")
    by_point = operator.post("/desk/calls", {**CALL, "org_unit": "", "latitude": "28.705", "longitude": "115.915",
                                             "action": "create"})  # fmt: skip
    assert by_point.status_code == 201, by_point.json
    case = run(lambda: _case(by_point.json["case"]["id"]))
    assert case["grid"] == "360123001001002" and case["routing"] == "point"
    by_address = operator.post("/desk/calls", {**CALL, "org_unit": "", "latitude": "", "longitude": "",
                                               "address": "桃花巷3号", "action": "create"})  # fmt: skip
    assert run(lambda: _case(by_address.json["case"]["id"]))["routing"] == "address"
    lost = operator.post("/desk/calls", {**CALL, "org_unit": "", "latitude": "", "longitude": "",
                                         "address": "不知道哪里", "action": "create"})  # fmt: skip
    assert lost.status_code == 201, lost.json
    case = run(lambda: _case(lost.json["case"]["id"]))
    assert case["routing"] == "triage" and case["grid"] == "360123000000"  # the county's triage queue, never lost
