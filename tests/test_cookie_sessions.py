"""Page sessions are Flask's signed cookies (app/auth/session.py); a request without the cookie gets an empty one."""

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.auth.session import CookieSessions
from tests.conftest import login


def test_an_api_request_opens_no_cookie(app: Flask, api: Any) -> None:
    assert isinstance(app.session_interface, CookieSessions)
    response = api("grid_worker_1").get("/me")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_a_signed_in_page_keeps_its_session_and_a_forged_cookie_is_none(app: Flask, client: FlaskClient) -> None:
    assert client.get("/inbox").status_code == 302  # no cookie: an empty session, so the sign-in page
    login(client, "grid_worker_1")
    assert client.get("/inbox").status_code == 200
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "forged.value.signature")
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
