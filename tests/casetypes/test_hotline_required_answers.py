"""12345 hotline forms: the text a choice needs (the reply, the reason, the department) is required with that choice."""

from typing import Any

from flask.testing import FlaskClient

from tests.casetypes.test_hotline_matter import CALL
from tests.casetypes.walk import Walk
from tests.conftest import login

REQUIRED = "This field is required."


def _refused(walk: Walk, username: str, bpmn_id: str, data: dict[str, Any]) -> dict[str, str]:
    task = walk.task(bpmn_id)
    response = walk.as_(username).post(f"/tasks/{task['id']}/complete?locale=en", {"data": data})
    assert response.status_code == 422, response.json
    return dict(response.json["error"]["fields"])


def test_a_direct_answer_needs_its_text(api: Any) -> None:
    walk = Walk(api, "hotline_matter", "hotline_operator", CALL)
    assert _refused(walk, "hotline_operator", "triage", {"direct_answer": True}) == {"answer": REQUIRED}
    assert "answer" in _refused(walk, "hotline_operator", "triage", {"direct_answer": True, "answer": ""})
    walk.step("hotline_operator", "triage", {"direct_answer": False})  # dispatching needs no answer


def test_dispatching_to_a_department_needs_its_name(api: Any) -> None:
    walk = Walk(api, "hotline_matter", "hotline_operator", CALL)
    walk.step("hotline_operator", "triage", {"direct_answer": False})
    fields = _refused(walk, "county_dispatcher", "dispatch", {"dispatch_to": "department"})
    assert fields == {"department_name": REQUIRED}
    assert _refused(walk, "county_dispatcher", "dispatch", {}) == {"dispatch_to": REQUIRED}  # nothing chosen yet
    walk.step("county_dispatcher", "dispatch", {"dispatch_to": "township"})  # the township needs no name


def test_a_unit_replies_with_its_reply_and_returns_with_its_reason(api: Any, client: FlaskClient) -> None:
    walk = Walk(api, "hotline_matter", "hotline_operator", CALL)
    walk.step("hotline_operator", "triage", {"direct_answer": False})
    walk.step("county_dispatcher", "dispatch", {"dispatch_to": "township"})
    assert _refused(walk, "township_dispatcher_1", "township_handling", {"unit_action": "reply"}) == {"reply": REQUIRED}
    fields = _refused(walk, "township_dispatcher_1", "township_handling", {"unit_action": "return"})
    assert fields == {"return_reason": REQUIRED}
    # On the task page the empty text box is named next to the field, in the reader's language.
    task_id = walk.task("township_handling")["id"]
    login(client, "township_dispatcher_1")
    page = client.post(f"/tasks/{task_id}/complete", data={"unit_action": "reply", "reply": "  "})
    html = page.data.decode()
    assert page.status_code == 422 and 'id="reply-error"' in html and "return_reason-error" not in html
    walk.step("township_dispatcher_1", "township_handling", {"unit_action": "return", "return_reason": "属城管职责"})
