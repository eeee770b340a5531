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


def copy_of_cookie(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s session cookie (copied, stolen, left on a shared computer)."""
    name = app.config["SESSION_COOKIE_NAME"]
    other = app.test_client()
    cookie = client.get_cookie(name)
    assert cookie is not None
    other.set_cookie(name, cookie.value)
    assert other.get("/inbox").status_code == 200
    return other


def test_signing_out_ends_the_session_in_every_copy_of_its_cookie(app: Flask, client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    other = copy_of_cookie(app, client)
    client.post("/logout")
    assert other.get("/inbox").status_code == 302  # was 200: the cookie stayed valid for twelve hours


def test_a_new_password_or_deactivation_ends_the_users_sessions(app: Flask, client: FlaskClient) -> None:
    login(client, "grid_worker_4")
    other = copy_of_cookie(app, client)
    admin = app.test_client()
    login(admin, "admin")
    assert admin.post("/admin/users/grid_worker_4/password", data={"password": "lake-9-cloud"}).status_code == 302
    assert other.get("/inbox").status_code == 302
    login(client, "grid_worker_4", "lake-9-cloud")
    other = copy_of_cookie(app, client)
    admin.post("/admin/users/grid_worker_4/deactivate")
    admin.post("/admin/users/grid_worker_4/activate")
    assert other.get("/inbox").status_code == 302  # reactivating does not revive the old session


def test_a_session_ends_twelve_hours_after_signing_in_however_often_it_was_renewed(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    with client.session_transaction() as session:
        session["signed_in_at"] -= 12 * 3600 + 1  # signed in twelve hours and a second ago
    client.post("/locale", data={"locale": "en"})  # a request that renews the cookie does not extend it
    assert client.get("/inbox").status_code == 302
