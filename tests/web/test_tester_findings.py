"""Pages as a tester found them in the browser: each offers only what the server then accepts, and says it at once."""

import csv
import io
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.extensions import db
from app.org.models import User
from tests.conftest import FIRE_REPORT, GRID_1, login, make_user
from tests.intake.test_triage import triage_case
from tests.web.test_pages import report_fire_case, task_ids

REPORT_LINK = 'href="/cases/new"'


def _saved_locale(username: str) -> str | None:
    return db.session.scalar(select(User.locale).where(User.username == username))


def test_the_language_chosen_on_the_sign_in_page_stays_after_signing_in(client: FlaskClient) -> None:
    make_user("no_preference", "grid_worker", GRID_1)
    client.post("/locale", data={"locale": "en", "next": "/login"})
    login(client, "no_preference")
    inbox = client.get("/inbox").data.decode()
    assert '<html lang="en">' in inbox and "Inbox" in inbox
    assert _saved_locale("no_preference") == "en"  # kept as their preference for the next sign-in


def test_a_saved_preference_wins_over_the_sign_in_pages_choice(client: FlaskClient) -> None:
    user = make_user("prefers_chinese", "grid_worker", GRID_1)
    user.locale = "zh_Hans_CN"
    db.session.commit()
    client.post("/locale", data={"locale": "en", "next": "/login"})
    login(client, "prefers_chinese")
    assert '<html lang="zh-CN">' in client.get("/inbox").data.decode()
    assert _saved_locale("prefers_chinese") == "zh_Hans_CN"


def test_the_menu_offers_reporting_only_to_roles_that_report(client: FlaskClient) -> None:
    for username in ("department_staff", "leader", "peoples_mediator_1"):
        login(client, username)
        assert REPORT_LINK not in client.get("/inbox").data.decode(), username
        client.post("/logout")
    for username in ("grid_worker_1", "hotline_operator"):
        login(client, username)
        assert REPORT_LINK in client.get("/inbox").data.decode(), username
        client.post("/logout")


def test_a_case_type_the_user_cannot_report_anywhere_has_no_form(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    refused = client.get("/cases/new?case_type=hotline_matter")
    assert refused.status_code == 403
    assert "您的岗位不负责上报此类案件" in refused.data.decode() and 'name="org_unit"' not in refused.data.decode()
    posted = client.post("/cases/new", data={"case_type": "hotline_matter", "org_unit": GRID_1})
    assert posted.status_code == 403


def test_a_completed_tasks_page_shows_when_it_was_done_not_a_deadline(client: FlaskClient) -> None:
    report_fire_case(client)
    login(client, "township_dispatcher_1")
    [task_id] = task_ids(client.get("/inbox").data.decode())
    assert client.post(f"/tasks/{task_id}/supervise", data={"reason": "请尽快"}).status_code == 302
    page = client.get(f"/tasks/{task_id}").data.decode()
    assert 'class="deadline"' in page and "督办" in page  # open: its time limit, and the notice
    done = client.post(f"/tasks/{task_id}/complete", data={"severity_decision": "minor"})
    assert done.status_code == 302
    page = client.get(f"/tasks/{task_id}").data.decode()
    assert 'class="deadline"' not in page and "办理时限" not in page and "待处" not in page
    assert "data-completed" in page and 'class="flash error"' not in page  # nor the supervision notice


def test_the_triage_grid_choice_starts_empty_and_an_empty_choice_is_refused(client: FlaskClient, run: Any) -> None:
    case_id = triage_case(run, address=None)
    login(client, "county_dispatcher")
    page = client.get("/triage").data.decode()
    select_html = re.search(rf'<select id="grid-{case_id}"[^>]*>\s*(<option[^>]*>)', page)
    assert select_html is not None and select_html.group(1) == '<option value="">'
    refused = client.post(f"/triage/{case_id}", data={"org_unit": ""})
    assert refused.status_code == 422 and "请选择您辖区内的网格" in refused.data.decode()


def test_an_admin_is_not_offered_changes_to_their_own_account(client: FlaskClient) -> None:
    login(client, "admin")
    own = client.get("/admin/users/admin").data.decode()
    for action in ("revoke", "grant", "deactivate", "password"):
        assert f"/admin/users/admin/{action}" not in own, action
    other = client.get("/admin/users/grid_worker_1").data.decode()
    for action in ("revoke", "grant", "deactivate", "password"):
        assert f"/admin/users/grid_worker_1/{action}" in other, action


def test_the_security_log_export_is_in_local_time_with_a_byte_order_mark(app: Flask, client: FlaskClient) -> None:
    client.post("/login", data={"username": "grid_worker_1", "password": "wrong"})
    login(client, "admin")
    body = client.get("/admin/audit?kind=login_failed&format=csv").data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["at", "kind", "username", "ip", "detail"]
    at = datetime.fromisoformat(rows[1][0])
    assert at.utcoffset() == at.astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).utcoffset()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", rows[1][0])


def test_the_report_form_names_every_field_error_at_once(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    report = {k: v for k, v in FIRE_REPORT.items() if k != "description"}
    response = client.post("/cases/new", data={"case_type": "fire_hazard_rectification", "org_unit": GRID_1, **report,
                                               "place_latitude": "28.6", "place_longitude": "east"})  # fmt: skip
    assert response.status_code == 422
    page = response.data.decode()
    assert 'id="description-error"' in page and 'data-field="place_longitude"' in page
    no_grid = client.post("/cases/new", data={"case_type": "fire_hazard_rectification", **report})
    assert 'id="org_unit-error"' in no_grid.data.decode() and 'id="description-error"' in no_grid.data.decode()


def test_the_security_logs_day_filter_counts_the_countys_days(client: FlaskClient, run: Any) -> None:
    from datetime import UTC

    from app.audit.service import record

    def log() -> None:  # 07:30 on 28 November in the county, still the 27th in UTC
        record("login_failed", now=datetime(2026, 11, 27, 23, 30, tzinfo=UTC), user=None, ip="10.9.8.7",
               username="early_bird")  # fmt: skip
        db.session.commit()

    run(log)
    login(client, "admin")
    assert "early_bird" in client.get("/admin/audit?from=2026-11-28&to=2026-11-28").data.decode()
    assert "early_bird" not in client.get("/admin/audit?from=2026-11-27&to=2026-11-27").data.decode()


def test_a_supervision_notice_without_a_reason_comes_back_on_the_task_page(client: FlaskClient) -> None:
    report_fire_case(client)
    login(client, "township_dispatcher_1")
    [task_id] = task_ids(client.get("/inbox").data.decode())
    page = client.post(f"/tasks/{task_id}/supervise", data={"reason": "  ", "due_at": "2026-12-01T17:30"})
    html = page.data.decode()
    assert page.status_code == 422 and 'id="supervise-reason-error"' in html  # was a bare error page: "reason: …"
    assert 'value="2026-12-01T17:30"' in html and 'name="reason" rows="2"' in html  # the deadline typed is kept
    bad_day = client.post(f"/tasks/{task_id}/supervise", data={"reason": "请尽快", "due_at": "tomorrow"})
    assert bad_day.status_code == 422 and ">请尽快</textarea>" in bad_day.data.decode()
    assert 'id="supervise-due-error"' in bad_day.data.decode()


def test_a_return_without_a_reason_comes_back_on_the_task_page(client: FlaskClient) -> None:
    report_fire_case(client)
    login(client, "township_dispatcher_1")
    [task_id] = task_ids(client.get("/inbox").data.decode())
    assert client.post(f"/tasks/{task_id}/claim").status_code == 302
    page = client.post(f"/tasks/{task_id}/return", data={"reason": ""})
    assert page.status_code == 422 and 'id="return-reason-error"' in page.data.decode()
    assert task_id in task_ids(client.get("/inbox").data.decode())  # still theirs: nothing was returned


def test_a_next_with_a_line_break_goes_to_the_inbox(client: FlaskClient) -> None:
    answer = client.post("/login?next=/cases%0d%0aSet-Cookie:x=1", data={"username": "grid_worker_1",
                                                                          "password": "gridcase-demo"})  # fmt: skip
    assert answer.status_code == 302 and answer.location.endswith("/inbox")  # was a 500 after signing in


def test_the_language_follows_this_browsers_choice_whatever_a_process_remembers(client: FlaskClient, run: Any) -> None:
    from app.auth.principals import forget_users

    login(client, "grid_worker_1")
    client.post("/locale", data={"locale": "en", "next": "/inbox"})

    def saved_elsewhere() -> None:  # as a process whose copy of the user holds another language (kept a few seconds)
        db.session.execute(update(User).where(User.username == "grid_worker_1").values(locale="zh_Hans_CN"))
        db.session.commit()
        forget_users()

    run(saved_elsewhere)
    assert '<html lang="en">' in client.get("/inbox").data.decode()  # was the copy's, so pages alternated


def test_the_case_page_and_the_taxonomy_name_the_category_in_the_readers_language(
    client: FlaskClient, api: Any, run: Any
) -> None:
    from app.intake.models import Category

    category = run(lambda: db.session.scalars(select(Category).where(Category.code == "010102")).one())
    names = (category.name, category.name_en)
    started = api("grid_worker_1").post("/cases", {"case_type": "fire_hazard_rectification", "org_unit": GRID_1,
                                                   "data": FIRE_REPORT, "category": "010102"})  # fmt: skip
    assert started.status_code == 201, started.json
    login(client, "grid_worker_1")
    page = client.get(f"/cases/{started.json['id']}").data.decode()
    assert f'data-category="010102">{names[0]}<' in page  # the case page never showed its category
    client.post("/locale", data={"locale": "en"})
    assert f'data-category="010102">{names[1]}<' in client.get(f"/cases/{started.json['id']}").data.decode()
    client.post("/logout")
    login(client, "admin")
    client.post("/locale", data={"locale": "en"})
    taxonomy = client.get("/intake/taxonomy?q=010102").data.decode()
    assert names[1] in taxonomy
    client.post("/locale", data={"locale": "zh_Hans_CN"})
    chinese = client.get("/intake/taxonomy").data.decode()
    assert "个工作日" in chinese and "working days" not in chinese  # time limits in the reader's language
