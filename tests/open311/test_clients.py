"""Open311 clients: created by `flask open311 add-client`, key shown once, a deactivated client refused."""

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.open311.models import Open311Client
from app.org.service import user_by_username
from tests.conftest import login

TOWNSHIP_2 = "360123101000"


def test_add_client_prints_the_key_once_and_keeps_only_its_hash(app: Flask, session: Any, client: FlaskClient) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["open311", "add-client", "westapp", "--unit", TOWNSHIP_2])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert "西河镇" in result.output and len(key) >= 40
    with app.app_context():
        stored = db.session.scalars(select(Open311Client).where(Open311Client.name == "westapp")).one()
        assert stored.key_sha256 != key and key not in stored.key_sha256
        account = user_by_username("open311-westapp")
        assert account is not None and not account.active
        assert [(m.role, m.org_unit.code) for m in account.memberships] == [("intake_channel", TOWNSHIP_2)]
    # Its account never signs in.
    assert client.post("/api/v1/auth/token", json={"username": "open311-westapp", "password": key}).status_code == 401
    # A report from a township's client is routed among that township's grids only.
    answer = client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "010101", "address_string": "桃源路5号", "description": "消防通道被堵塞"})  # fmt: skip
    assert answer.status_code == 201, answer.data
    number = answer.json[0]["service_request_id"]
    assert client.get(f"/open311/v2/requests/{number}.json").json[0]["agency_responsible"] == "青山县"

    for args in (["westapp"], ["Bad Name!"], ["other", "--unit", "000"]):
        refused = runner.invoke(args=["open311", "add-client", *args])
        assert refused.exit_code != 0 and "Error" in refused.output

    with app.app_context():
        stored = db.session.scalars(select(Open311Client).where(Open311Client.name == "westapp")).one()
        stored.active = False
        db.session.commit()
    again = client.post("/open311/v2/requests.xml", data={
        "api_key": key, "service_code": "010101", "address_string": "石桥老街", "description": "消防通道被堵塞"})  # fmt: skip
    assert again.status_code == 403 and b"<code>403</code>" in again.data


def test_add_client_defaults_to_the_root_unit(app: Flask, session: Any) -> None:
    result = app.test_cli_runner().invoke(args=["open311", "add-client", "rootapp"])
    assert result.exit_code == 0, result.output
    assert "青山县" in result.output


def test_admins_create_and_stop_clients_on_their_page(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    assert client.get("/admin/open311").status_code == 403
    client.post("/logout")
    login(client, "admin")
    assert "cityapp" not in client.get("/admin/open311").get_data(as_text=True)
    assert client.post("/admin/open311", data={"name": "Bad!", "unit": "360123000000"}).status_code == 422
    assert client.post("/admin/open311", data={"name": "cityapp", "unit": "999"}).status_code == 422
    created = client.post("/admin/open311", data={"name": "cityapp", "unit": "360123000000"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    page = created.get_data(as_text=True)
    key = page.split("<code data-key>")[1].split("</code>")[0]
    assert "cityapp" in page and len(key) >= 40
    assert "<code data-key>" not in client.get("/admin/open311").get_data(as_text=True)
    posted = client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "010101", "lat": "28.705", "long": "115.905", "description": "消防通道被堵塞"})  # fmt: skip
    assert posted.status_code == 201
    with client.application.app_context():
        client_id = db.session.scalars(select(Open311Client.id).where(Open311Client.name == "cityapp")).one()
    assert client.post(f"/admin/open311/{client_id}/active", data={"active": "0"}).status_code == 200
    assert client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "010101", "lat": "28.705", "long": "115.905", "description": "消防通道被堵塞"
    }).status_code == 403  # fmt: skip
    assert client.post(f"/admin/open311/{client_id}/active", data={"active": "1"}).status_code == 200
    assert client.post("/admin/open311/99999/active", data={"active": "1"}).status_code == 404
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "open311-cityapp" in log
