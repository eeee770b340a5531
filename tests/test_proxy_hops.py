"""GRIDCASE_PROXY_HOPS: behind a reverse proxy the security log records the client's address, not the proxy's."""

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.audit.models import SecurityEvent
from app.extensions import db

PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # the proxy on the same network, as gunicorn sees it


def _proxied(app: Flask, hops: int) -> Flask:
    """A second app on the test database (the session fixture's transaction serves both), its settings but hops."""
    keys = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "WTF_CSRF_ENABLED", "TESTING")
    return create_app({**{k: app.config[k] for k in keys}, "GRIDCASE_PROXY_HOPS": hops})


@pytest.fixture
def behind_one_proxy(app: Flask, session: Any) -> Iterator[Flask]:
    proxied = _proxied(app, 1)
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def _failed_sign_in_ip(app: Flask, target: Flask, username: str, headers: dict[str, str]) -> str:
    client = target.test_client()
    response = client.post("/login", data={"username": username, "password": "wrong-password-1"},
                           headers=headers, environ_base=PROXY)  # fmt: skip
    assert response.status_code == 422  # wrong username or password
    with app.app_context():
        stmt = select(SecurityEvent.ip).where(SecurityEvent.kind == "login_failed", SecurityEvent.username == username)
        return str(db.session.scalars(stmt.order_by(SecurityEvent.id.desc())).first())


def test_the_client_address_is_logged_behind_a_proxy(app: Flask, behind_one_proxy: Flask) -> None:
    forwarded = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "gc.example.gov.cn",
    }
    assert _failed_sign_in_ip(app, behind_one_proxy, "grid_worker_1", forwarded) == "203.0.113.9"
    # What the client itself sends is not believed: the proxy appends the address it saw, and one hop reads that one.
    spoofed = {"X-Forwarded-For": "198.51.100.1, 203.0.113.10"}
    assert _failed_sign_in_ip(app, behind_one_proxy, "grid_worker_2", spoofed) == "203.0.113.10"


def test_the_scheme_and_host_come_from_the_proxy(behind_one_proxy: Flask) -> None:
    """Links the app writes out whole (Open311 discovery) name the address the public uses, over https."""
    forwarded = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "gc.example.gov.cn",
    }
    response = behind_one_proxy.test_client().get("/open311/v2/discovery.json", headers=forwarded, environ_base=PROXY)
    assert response.status_code == 200
    assert response.json["endpoints"][0]["url"] == "https://gc.example.gov.cn/open311/v2"


def test_without_hops_the_headers_are_ignored(app: Flask, client: Any) -> None:
    """The default (0): a client talking to gunicorn directly cannot put another address in the log."""
    assert app.config["GRIDCASE_PROXY_HOPS"] == 0
    assert _failed_sign_in_ip(app, app, "grid_worker_3", {"X-Forwarded-For": "203.0.113.9"}) == "10.0.0.2"
