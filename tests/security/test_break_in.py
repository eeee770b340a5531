"""Tests that try to break in: other jurisdictions, other roles, anonymous clients, mass assignment,
hostile diagrams. None of it may answer 500 or leave a partial write."""

from typing import Any

import pytest
from flask.testing import FlaskClient

from app.engine.sandbox import SandboxEnvironment, UnsafeExpression
from tests.casetypes.walk import Walk
from tests.conftest import FIRE_REPORT, GRID_1, login
from tests.engine.test_definitions import problems_of

FIRE = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
TASK_POSTS = ["claim", "unclaim", "assign", "complete", "supervise", "return"]


@pytest.fixture
def case_in_township_1(api: Any) -> tuple[int, str]:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    return walk.id, walk.task("accept_and_assess")["id"]


def test_another_township_gets_404_everywhere(
    client: FlaskClient, api: Any, case_in_township_1: tuple[int, str]
) -> None:
    case_id, task_id = case_in_township_1
    outsider = api("township_dispatcher_2")
    answers = [outsider.get(f"/cases/{case_id}").status_code, outsider.get(f"/cases/{case_id}?reveal=1").status_code,
               outsider.get(f"/tasks/{task_id}").status_code]  # fmt: skip
    answers += [outsider.post(f"/tasks/{task_id}/{action}", {"data": {}, "reason": "x", "username": "x"}).status_code
                for action in TASK_POSTS]  # fmt: skip
    login(client, "township_dispatcher_2")
    answers += [client.get(f"/cases/{case_id}").status_code, client.get(f"/tasks/{task_id}").status_code,
                client.post(f"/cases/{case_id}/reveal").status_code]  # fmt: skip
    answers += [client.post(f"/tasks/{task_id}/{action}", data={"reason": "x"}).status_code for action in TASK_POSTS]
    assert answers == [404] * len(answers)
    assert task_id not in [t["id"] for t in outsider.get("/tasks").json["items"]]


@pytest.mark.parametrize("path", ["/admin", "/admin/units", "/admin/users", "/admin/import", "/admin/audit",
                                  "/admin/calendar", "/admin/users/grid_worker_2"])  # fmt: skip
def test_a_grid_worker_cannot_reach_admin_pages(client: FlaskClient, path: str) -> None:
    login(client, "grid_worker_1")
    assert client.get(path).status_code == 403


def test_a_grid_worker_cannot_use_admin_api(api: Any) -> None:
    worker = api("grid_worker_1")
    assert worker.get("/users").status_code == 403
    assert worker.post("/users", {"username": "evil", "password": "x"}).status_code == 403
    assert worker.post("/org-units", {"code": "360123001001009"}).status_code == 403


@pytest.mark.parametrize(("method", "path"), [("get", "/me"), ("get", "/cases/1"), ("get", "/tasks"), ("post", "/cases"),
                                               ("post", "/tasks/x/complete"), ("get", "/users"), ("get", "/notifications"),
                                               ("get", "/calendar"), ("post", "/auth/logout")])  # fmt: skip
def test_anonymous_api_calls_are_401(client: FlaskClient, method: str, path: str) -> None:
    response = getattr(client, method)(f"/api/v1{path}", json={})
    assert response.status_code == 401
    bad_token = getattr(client, method)(f"/api/v1{path}", json={}, headers={"Authorization": "Bearer forged"})
    assert bad_token.status_code == 401


@pytest.mark.parametrize("path", ["/inbox", "/cases", "/cases/1", "/cases/new", "/tasks/x", "/notifications", "/admin"])
def test_anonymous_pages_redirect_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.location


def test_mass_assignment_is_ignored_or_refused(api: Any) -> None:
    worker = api("grid_worker_1")
    created = worker.post("/cases", {**FIRE, "status": "closed", "number": "FAKE1", "id": 1, "opened_by": "admin",
                                     "process_version_id": 999})  # fmt: skip
    assert created.status_code == 201 and created.json["status"] == "open" and created.json["number"] != "FAKE1"
    smuggled = worker.post("/cases", {**FIRE, "data": {**FIRE_REPORT, "outcome": "rectified"}})
    assert smuggled.status_code == 422 and "outcome" in smuggled.json["error"]["fields"]
    task = created.json["open_tasks"][0]
    dispatcher = api("township_dispatcher_1")
    claimed = dispatcher.post(f"/tasks/{task['id']}/claim", {"assignee": "admin", "status": "completed"})
    assert claimed.json["assignee"] == "township_dispatcher_1" and claimed.json["status"] == "open"
    done = dispatcher.post(
        f"/tasks/{task['id']}/complete", {"data": {"severity_decision": "minor"}, "case": {"status": "closed"}}
    )
    assert done.status_code == 200 and done.json["case"]["status"] == "open"
    admin = api("admin")
    made = admin.post("/users", {"username": "new_worker", "display_name": "新网格员", "password": "river-7-stone",
                                 "role": "grid_worker", "org_unit": GRID_1, "active": False, "roles": [{"role": "admin"}]})  # fmt: skip
    assert made.status_code == 201 and made.json["active"] is True
    assert [r["role"] for r in made.json["roles"]] == ["grid_worker"]


@pytest.mark.parametrize(
    ("script", "reason"),
    [("while True:\n    pass", "'While' is not allowed"), ("def f():\n    return f()", "'FunctionDef' is not allowed"),
     ("x = ().__class__.__mro__", "the attribute '.__"), ("lambda: 1", "'Lambda' is not allowed")],
)  # fmt: skip
def test_hostile_scripts_are_refused_at_deploy(script: str, reason: str) -> None:
    from tests.engine.test_definitions import FIRE as FIRE_XML

    xml = FIRE_XML.replace('<bpmn:script>outcome = "rectified"</bpmn:script>', f"<bpmn:script>{script}</bpmn:script>")
    [problem] = problems_of(xml)
    assert reason in problem


def test_hostile_expressions_cannot_harm_at_run_time() -> None:
    sandbox = SandboxEnvironment()
    for source in ("__import__('os').system('id')", "open('/etc/passwd').read()", "().__class__.__mro__"):
        with pytest.raises(UnsafeExpression):
            sandbox.evaluate(source, {})
    with pytest.raises(ValueError, match="longer than"):
        sandbox.execute("x = 'aa' * 1000 * 1000", {})
    with pytest.raises(ValueError, match="longer than"):
        sandbox.execute("x = [0]\nx *= 200000", {})


def test_nothing_here_answers_500(client: FlaskClient, api: Any) -> None:
    worker = api("grid_worker_1")
    weird = [
        worker.client.post(
            "/api/v1/cases", headers={**worker.headers, "Content-Type": "application/json"}, data=b"\xff\xfe"
        ),
        worker.post("/cases", {"case_type": ["x"], "org_unit": {"a": 1}, "data": []}),
        worker.post("/cases", {**FIRE, "data": {**FIRE_REPORT, "address": "x" * 100000}}),
        worker.get("/tasks?limit=abc&next=-5"),
        worker.get("/cases/99999999999999999999"),
        worker.post("/tasks/" + "a" * 5000 + "/complete", {"data": {}}),
        client.post("/login", data={"username": "x" * 10000, "password": "y"}),
        client.get("/cases/new?case_type=%00"),
    ]
    assert all(r.status_code < 500 for r in weird), [r.status_code for r in weird]


def test_xxe_and_entity_bombs_are_refused() -> None:
    from tests.engine.test_definitions import FIRE as FIRE_XML

    for payload in ('<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'):  # fmt: skip
        xml = FIRE_XML.replace("?>", f"?>\n{payload}", 1)
        assert "DOCTYPE and ENTITY declarations are not allowed" in problems_of(xml)[0]
