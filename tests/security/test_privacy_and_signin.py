"""Masked personal data with logged reveals; the sign-in throttle; token revocation; headers."""

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.audit.models import SecurityEvent
from app.auth.passwords import password_problem
from app.extensions import db
from app.jsonforms.loader import FormFileError, load_form_file
from app.privacy import mask_value
from tests.casetypes.test_hotline_matter import CALL
from tests.casetypes.walk import Walk
from tests.conftest import FIRE_REPORT, login


def security_events(kind: str, username: str) -> list[SecurityEvent]:
    return list(
        db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind, SecurityEvent.username == username))
    )


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [("phone", "13900001111", "139****1111"), ("id_card", "320102199001011234", "3201**********1234"),
     ("name", "赵女士", "赵**"), ("contact", "李四 13800000001", "*" * 14), ("phone", "", "")],
)  # fmt: skip
def test_masks(kind: str, value: str, shown: str) -> None:
    assert mask_value(kind, value) == shown


def test_phone_numbers_are_masked_unless_the_role_needs_them_and_reveals_are_logged(
    api: Any, client: FlaskClient
) -> None:
    walk = Walk(api, "hotline_matter", "hotline_operator", CALL)
    assert walk.case("hotline_operator")["data"]["caller_phone"] == "13900001111"  # operators call back
    county = walk.case("county_dispatcher")
    assert county["data"]["caller_phone"] == "139****1111" and county["data"]["caller_name"] == "赵**"
    assert county["history"][0]["data"]["caller_phone"] == "139****1111"
    revealed = walk.as_("county_dispatcher").get(f"/cases/{walk.id}?reveal=1").json
    assert revealed["data"]["caller_phone"] == "13900001111"
    assert [e.detail["case"] for e in security_events("reveal", "county_dispatcher")] == [revealed["number"]]
    login(client, "county_dispatcher")
    page = client.get(f"/cases/{walk.id}").data.decode()
    assert "139****1111" in page and "13900001111" not in page
    full = client.post(f"/cases/{walk.id}/reveal").data.decode()
    assert "13900001111" in full
    assert len(security_events("reveal", "county_dispatcher")) == 2
    task = walk.task("triage")
    assert (
        walk.as_("county_dispatcher").get(f"/tasks/{task['id']}").json["case"]["data"]["caller_phone"] == "139****1111"
    )


def test_the_sixth_wrong_password_in_a_minute_is_refused_without_checking(client: FlaskClient) -> None:
    for _ in range(5):
        assert (
            client.post("/api/v1/auth/token", json={"username": "grid_worker_2", "password": "wrong"}).status_code
            == 401
        )
    locked = client.post("/api/v1/auth/token", json={"username": "grid_worker_2", "password": "gridcase-demo"})
    assert locked.status_code == 429 and locked.json["error"]["code"] == "too_many_attempts"
    assert client.post("/login", data={"username": "grid_worker_2", "password": "gridcase-demo"}).status_code == 429
    assert len(security_events("login_failed", "grid_worker_2")) == 5
    assert len(security_events("login_locked", "grid_worker_2")) == 2
    assert (
        client.post("/login", data={"username": "grid_worker_3", "password": "gridcase-demo"}).status_code == 302
    )  # others unaffected
    assert security_events("login", "grid_worker_3")


def test_logout_revokes_the_token(api: Any) -> None:
    worker = api("grid_worker_1")
    assert worker.post("/auth/logout").json == {"revoked": True}
    assert worker.get("/me").status_code == 401
    assert security_events("token_revoked", "grid_worker_1")


def test_pages_carry_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert client.get("/api/v1/me").headers["X-Content-Type-Options"] == "nosniff"


def test_sign_in_and_out_are_logged(client: FlaskClient) -> None:
    login(client, "leader")
    client.post("/logout")
    assert security_events("login", "leader") and security_events("logout", "leader")


@pytest.mark.parametrize(
    ("password", "ok"),
    [("short1!", False), ("onlyletterslong", False), ("1234567890123", False), ("gridcase-demo", True),
     ("river-7-stone", True), ("admin-2026-x", False)],
)  # fmt: skip
def test_password_policy(password: str, ok: bool) -> None:
    assert (password_problem(password, "admin") is None) is ok


def test_broken_form_files_are_named(tmp_path: Path, app: Flask) -> None:
    (tmp_path / "a.schema.json").write_text("{not json", "utf-8")
    (tmp_path / "b.schema.json").write_text(
        json.dumps({"type": "object", "properties": {"x": {"type": "array"}}}), "utf-8"
    )
    (tmp_path / "c.schema.json").write_text(json.dumps({"type": "nonsense"}), "utf-8")
    (tmp_path / "d.schema.json").write_text("[1, 2]", "utf-8")
    with app.app_context():
        for name, reason in (("a", "not valid JSON"), ("b", "field 'x' must have a type"), ("c", "not a valid JSON Schema"),
                             ("d", "must hold a JSON object"), ("missing", "cannot be read")):  # fmt: skip
            with pytest.raises(FormFileError, match=reason):
                load_form_file(str(tmp_path), f"{name}.schema.json")


def test_fire_report_phone_is_masked_for_the_dispatcher(api: Any) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", {**FIRE_REPORT, "responsible_phone": "13812345678"})
    assert walk.case("township_dispatcher_1")["data"]["responsible_phone"] == "138****5678"


def test_the_worker_command_sweeps_once(app: Flask, session: Any) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "timers=" in result.output
