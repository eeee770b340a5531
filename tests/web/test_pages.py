"""The HTML pages, through the Flask test client, as each role sees them."""

import re
from pathlib import Path

from flask import Flask, render_template_string
from flask.testing import FlaskClient

from tests.conftest import FIRE_REPORT, GRID_1, build_app, login


def report_fire_case(client: FlaskClient) -> str:
    login(client, "grid_worker_1")
    response = client.post(
        "/cases/new", data={"case_type": "fire_hazard_rectification", "org_unit": GRID_1, **FIRE_REPORT}
    )
    assert response.status_code == 302, response.data.decode()
    client.post("/logout")
    return str(response.location)


def task_ids(html: str) -> list[str]:
    return re.findall(r'href="/tasks/([0-9a-f-]{36})"', html)


def test_pages_need_a_sign_in(client: FlaskClient) -> None:
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.location


def test_sign_in_page_is_chinese_by_default_and_english_on_request(client: FlaskClient) -> None:
    assert "登录" in client.get("/login").data.decode()
    client.post("/locale", data={"locale": "en", "next": "/login"})
    assert "Sign in" in client.get("/login").data.decode()


def test_wrong_password_is_shown_next_to_the_field(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "grid_worker_1", "password": "wrong"})
    assert response.status_code == 422
    assert 'id="password-error"' in response.data.decode()


def test_a_grid_worker_reports_a_hazard_through_the_form(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    choices = client.get("/cases/new").data.decode()
    assert "/cases/new?case_type=fire_hazard_rectification" in choices
    form = client.get("/cases/new?case_type=fire_hazard_rectification").data.decode()
    assert 'name="address"' in form and 'value="360123001001001"' in form
    assert "360123001001002" not in form  # only the worker's own grid is offered
    invalid = client.post(
        "/cases/new", data={"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "address": "桃源路"}
    )
    assert invalid.status_code == 422
    page = invalid.data.decode()
    for field in ("hazard_kind", "description", "severity", "responsible_party"):
        assert f'id="{field}-error"' in page
    assert 'value="桃源路"' in page  # what was typed is kept
    created = client.post(
        "/cases/new", data={"case_type": "fire_hazard_rectification", "org_unit": GRID_1, **FIRE_REPORT}
    )
    assert created.status_code == 302
    detail = client.get(created.location).data.decode()
    assert "XF" in detail and "桃源路12号" in detail and "电气线路私拉乱接" in detail
    assert "受理并研判" in detail and "乡镇调度员" in detail  # the open task and its candidate


def test_each_step_reaches_only_the_right_inbox(client: FlaskClient) -> None:
    case_url = report_fire_case(client)
    login(client, "township_dispatcher_2")
    assert task_ids(client.get("/inbox").data.decode()) == []
    assert client.get(case_url).status_code == 404
    client.post("/logout")
    login(client, "township_dispatcher_1")
    [task_id] = task_ids(client.get("/inbox").data.decode())
    page = client.get(f"/tasks/{task_id}").data.decode()
    assert 'name="severity_decision"' in page
    invalid = client.post(f"/tasks/{task_id}/complete", data={})
    assert invalid.status_code == 422 and 'id="severity_decision-error"' in invalid.data.decode()
    done = client.post(
        f"/tasks/{task_id}/complete", data={"severity_decision": "minor", "assessment_opinion": "可现场整改"}
    )
    assert done.status_code == 302
    assert task_ids(client.get("/inbox").data.decode()) == []
    client.post("/logout")
    login(client, "grid_worker_1")
    [urge] = task_ids(client.get("/inbox").data.decode())
    assert "督促现场整改" in client.get(f"/tasks/{urge}").data.decode()
    history = client.get(case_url).data.decode()
    assert "可现场整改" in history and 'data-kind="completed"' in history


def test_claim_release_and_assign_from_the_task_page(client: FlaskClient) -> None:
    report_fire_case(client)
    login(client, "township_dispatcher_1")
    [task_id] = task_ids(client.get("/inbox").data.decode())
    assert client.post(f"/tasks/{task_id}/claim").status_code == 302
    assert "领取人：东城街道乡镇调度员" in client.get(f"/tasks/{task_id}").data.decode()
    assert client.post(f"/tasks/{task_id}/unclaim").status_code == 302
    client.post("/logout")
    login(client, "grid_worker_1")
    assert client.post(f"/tasks/{task_id}/assign", data={"username": "grid_worker_1"}).status_code == 403
    client.post("/logout")
    login(client, "county_dispatcher")
    assert client.post(f"/tasks/{task_id}/assign", data={"username": "township_dispatcher_1"}).status_code == 302


def test_the_task_page_in_english(client: FlaskClient) -> None:
    report_fire_case(client)
    login(client, "township_dispatcher_1")
    client.post("/locale", data={"locale": "en", "next": "/inbox"})
    inbox = client.get("/inbox").data.decode()
    assert "Accept and assess" in inbox
    [task_id] = task_ids(inbox)
    page = client.get(f"/tasks/{task_id}").data.decode()
    assert "Serious: refer to the fire-safety inspector for enforcement" in page
    assert "Unsafe electrical wiring" in page


def test_unknown_pages_and_cases_are_404_pages(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    assert client.get("/cases/424242").status_code == 404
    assert client.get("/tasks/nope").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/cases/new?case_type=nope").status_code == 404


def test_forms_without_the_csrf_token_are_refused(tmp_path: Path) -> None:
    app = build_app(f"sqlite:///{tmp_path / 'csrf.sqlite'}", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"username": "grid_worker_1", "password": "gridcase-demo"})
    assert response.status_code == 400
    page = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert token is not None
    ok = client.post(
        "/login", data={"username": "grid_worker_1", "password": "gridcase-demo", "csrf_token": token.group(1)}
    )
    assert ok.status_code == 302


def test_dates_are_written_as_the_readers_language_writes_them(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    created = client.post(
        "/cases/new", data={"case_type": "fire_hazard_rectification", "org_unit": GRID_1, **FIRE_REPORT}
    )
    chinese = client.get(created.location).data.decode()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", chinese)
    client.post("/locale", data={"locale": "en", "next": "/inbox"})
    english = client.get(created.location).data.decode()
    assert re.search(r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d{2}:\d{2}", english)
    assert not re.search(r"\d{4}年", english)


def test_numbers_are_grouped_and_rates_written_as_percentages(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string("{{ 40840|number }} · {{ 0.9812|percent }}") == "40,840 · 98.1%"
    with app.test_request_context("/"):  # Chinese by default; a float keeps its decimals
        assert render_template_string("{{ 1234567|number }} · {{ 1234.5|number }} · {{ 0.5|percent }}") == (
            "1,234,567 · 1,234.5 · 50.0%"
        )


def test_templates_speak_the_requests_language_with_or_without_the_render_context(app: Flask) -> None:
    """Flask's renders carry the request's translations (app/template_i18n.py); a template rendered straight
    from Jinja, without Flask's context, asks Flask-Babel and says the same."""
    texts = (
        "{{ _('Dashboard') }} · {{ _('%(n)d accepted', n=3) }} · "
        "{{ ngettext('%(num)d record imported.', '%(num)d records imported.', 2) }} · {{ 2500|number }}"
    )
    for language, expected in (("en", "Dashboard · 3 accepted · 2 records imported. · 2,500"),
                               ("zh-CN", "指挥中心 · 受理 3 件 · 已导入 2 条记录。 · 2,500")):  # fmt: skip
        with app.test_request_context("/api/v1/cases", headers={"Accept-Language": language}):
            assert render_template_string(texts) == expected
            assert app.jinja_env.from_string(texts).render() == expected
