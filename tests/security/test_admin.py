"""Administration within an admin's subtree: units, users and roles, CSV import, the security log."""

import io
from typing import Any

from flask.testing import FlaskClient

from app.org.service import unit_by_code, user_by_username
from tests.conftest import TOWNSHIP_1, login, make_user

VILLAGE_1 = "360123001001"
TOWNSHIP_2 = "360123101000"


def township_admin() -> None:
    make_user("admin_dongcheng", "admin", TOWNSHIP_1)


def test_admin_creates_renames_and_moves_units(client: FlaskClient) -> None:
    login(client, "admin")
    assert client.post("/admin/units", data={"code": "360123001001003", "name": "桃源社区第3网格", "kind": "grid",
                                             "parent": VILLAGE_1}).status_code == 302  # fmt: skip
    unit = unit_by_code("360123001001003")
    assert unit is not None and unit.path.startswith(unit_by_code(VILLAGE_1).path)  # type: ignore[union-attr]
    duplicate = client.post(
        "/admin/units", data={"code": "360123001001003", "name": "x", "kind": "grid", "parent": VILLAGE_1}
    )
    assert duplicate.status_code == 422 and 'id="code-error"' in duplicate.data.decode()
    wrong_kind = client.post(
        "/admin/units", data={"code": "360123001001004", "name": "x", "kind": "township", "parent": VILLAGE_1}
    )
    assert wrong_kind.status_code == 422 and 'id="kind-error"' in wrong_kind.data.decode()
    assert client.post("/admin/units/360123001001003", data={"name": "桃源社区新网格"}).status_code == 302
    village_2 = "360123101201"
    assert client.post("/admin/units/360123001001003", data={"parent": village_2}).status_code == 302
    moved = unit_by_code("360123001001003")
    assert moved is not None and moved.name == "桃源社区新网格"
    assert moved.path.startswith(unit_by_code(village_2).path)  # type: ignore[union-attr]
    assert "桃源社区新网格" in client.get("/admin/units").data.decode()


def test_moving_a_village_moves_its_grids(client: FlaskClient) -> None:
    login(client, "admin")
    assert client.post(f"/admin/units/{VILLAGE_1}", data={"parent": TOWNSHIP_2}).status_code == 302
    grid = unit_by_code("360123001001001")
    assert grid is not None and grid.path.startswith(unit_by_code(TOWNSHIP_2).path)  # type: ignore[union-attr]
    assert (
        client.post(f"/admin/units/{VILLAGE_1}", data={"parent": "360123001001001"}).status_code == 422
    )  # into itself


def test_a_township_admin_acts_only_in_their_township(client: FlaskClient) -> None:
    township_admin()
    login(client, "admin_dongcheng")
    users = client.get("/admin/users").data.decode()
    assert "grid_worker_1" in users and "grid_worker_5" not in users
    assert client.get("/admin/users/grid_worker_5").status_code == 404
    other = client.post(
        "/admin/units", data={"code": "360123101201003", "name": "x", "kind": "grid", "parent": "360123101201"}
    )
    assert other.status_code == 422  # the other township's village is not offered / not theirs
    assert client.post(f"/admin/units/{TOWNSHIP_2}", data={"name": "x"}).status_code == 404


def test_admin_creates_a_user_grants_revokes_deactivates_and_resets(client: FlaskClient) -> None:
    login(client, "admin")
    weak = client.post("/admin/users", data={"username": "zhang_san", "display_name": "张三", "password": "123",
                                             "role": "grid_worker", "org_unit": "360123001001001"})  # fmt: skip
    assert weak.status_code == 422 and 'id="password-error"' in weak.data.decode()
    made = client.post("/admin/users", data={"username": "zhang_san", "display_name": "张三", "password": "river-7-stone",
                                             "role": "grid_worker", "org_unit": "360123001001001"})  # fmt: skip
    assert made.status_code == 302
    assert (
        client.post(
            "/admin/users/zhang_san/grant", data={"role": "grid_leader", "org_unit": "360123001001001"}
        ).status_code
        == 302
    )
    user = user_by_username("zhang_san")
    assert user is not None and sorted(m.role for m in user.memberships) == ["grid_leader", "grid_worker"]
    worker_api = client.post("/api/v1/auth/token", json={"username": "zhang_san", "password": "river-7-stone"})
    assert worker_api.status_code == 200
    headers = {"Authorization": f"Bearer {worker_api.json['token']}"}
    leader = next(m for m in user.memberships if m.role == "grid_leader")
    assert client.post("/admin/users/zhang_san/revoke", data={"membership": leader.id}).status_code == 302
    assert client.post("/admin/users/zhang_san/deactivate").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # its tokens went with it
    assert (
        client.post("/api/v1/auth/token", json={"username": "zhang_san", "password": "river-7-stone"}).status_code
        == 401
    )
    assert client.post("/admin/users/zhang_san/activate").status_code == 302
    short = client.post("/admin/users/zhang_san/password", data={"password": "short"})
    assert short.status_code == 302 and short.location.endswith("/admin/users/zhang_san")  # back to the account
    assert 'class="flash error"' in client.get("/admin/users/zhang_san").data.decode()  # told why, on its page
    assert (
        client.post("/api/v1/auth/token", json={"username": "zhang_san", "password": "short"}).status_code == 401
    )  # nothing changed
    assert client.post("/admin/users/zhang_san/password", data={"password": "lake-9-cloud"}).status_code == 302
    assert (
        client.post("/api/v1/auth/token", json={"username": "zhang_san", "password": "lake-9-cloud"}).status_code == 200
    )
    log = client.get("/admin/audit?username=admin").data.decode()
    for kind in ("user_created", "role_granted", "role_revoked", "user_deactivated", "password_reset"):
        assert kind in log


def test_an_admin_cannot_change_their_own_account(client: FlaskClient) -> None:
    login(client, "admin")
    assert client.post("/admin/users/admin/deactivate").status_code == 403


def csv_file(text: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(text.encode("utf-8")), "import.csv"


UNITS = "code,name,kind,parent_code\n360123001003,新村社区,village,360123001000\n360123001003001,新村社区第1网格,grid,360123001003\n"


def test_import_units_dry_run_then_for_real(client: FlaskClient) -> None:
    login(client, "admin")
    dry = client.post("/admin/import", data={"kind": "units", "file": csv_file(UNITS), "dry_run": "y"})
    assert dry.status_code == 200 and "2" in dry.data.decode()
    assert unit_by_code("360123001003") is None
    real = client.post("/admin/import", data={"kind": "units", "file": csv_file(UNITS)})
    assert real.status_code == 200
    grid = unit_by_code("360123001003001")
    assert grid is not None and grid.parent is not None and grid.parent.code == "360123001003"


def test_a_bad_line_imports_nothing_and_names_the_line(client: FlaskClient) -> None:
    login(client, "admin")
    bad = (
        UNITS
        + "360123001003001,重复,grid,360123001003\nABC,坏编码,grid,360123001003\n360123001003002,无上级,grid,999\n"
    )
    page = client.post("/admin/import", data={"kind": "units", "file": csv_file(bad)})
    html = page.data.decode()
    assert page.status_code == 422
    assert 'data-line="4"' in html and 'data-line="5"' in html and 'data-line="6"' in html
    assert 'data-line="2"' not in html
    assert unit_by_code("360123001003") is None  # nothing imported


def test_import_users_and_refuse_unknown_columns(client: FlaskClient) -> None:
    login(client, "admin")
    users = ("username,display_name,password,role,unit_code\n"
             "li_si,李四,river-7-stone,grid_worker,360123001001001\n"
             "wang_wu,王五,river-7-stone,no_such_role,360123001001001\n")  # fmt: skip
    bad = client.post("/admin/import", data={"kind": "users", "file": csv_file(users)})
    assert bad.status_code == 422 and 'data-line="3"' in bad.data.decode()
    assert user_by_username("li_si") is None
    good = client.post("/admin/import", data={"kind": "users", "file": csv_file(users.rsplit("wang_wu", 1)[0])})
    assert good.status_code == 200 and user_by_username("li_si") is not None
    missing = client.post("/admin/import", data={"kind": "users", "file": csv_file("username,password\nx,y\n")})
    assert missing.status_code == 422 and "display_name" in missing.data.decode()
    binary = client.post("/admin/import", data={"kind": "users", "file": (io.BytesIO(b"\xff\xfe\x00"), "x.csv")})
    assert binary.status_code == 422


def test_security_log_filters_and_exports(client: FlaskClient) -> None:
    client.post("/login", data={"username": "grid_worker_1", "password": "wrong"})
    login(client, "admin")
    page = client.get("/admin/audit?kind=login_failed").data.decode()
    assert "grid_worker_1" in page
    export = client.get("/admin/audit?kind=login_failed&format=csv")
    assert export.mimetype == "text/csv" and "login_failed,grid_worker_1" in export.data.decode()
    assert "export" in client.get("/admin/audit?kind=export").data.decode()
    client.post("/logout")
    client.post("/login", data={"username": "=cmd|' /C calc'!A0", "password": "x"})
    login(client, "admin")
    assert "'=cmd" in client.get("/admin/audit?kind=login_failed&format=csv").data.decode()


def test_township_admin_sees_only_their_people_in_the_log(client: FlaskClient) -> None:
    township_admin()
    client.post("/login", data={"username": "grid_worker_5", "password": "wrong"})
    client.post("/login", data={"username": "grid_worker_1", "password": "wrong"})
    login(client, "admin_dongcheng")
    page = client.get("/admin/audit?kind=login_failed").data.decode()
    assert "grid_worker_1" in page and "grid_worker_5" not in page


def test_users_and_units_over_the_api(api: Any) -> None:
    admin = api("admin")
    listed = admin.get("/users").json["items"]
    assert "grid_worker_8" in {u["username"] for u in listed}
    bad = admin.post("/users", {"username": "X", "display_name": "", "password": "1", "role": "nope", "org_unit": "0"})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {
        "username",
        "display_name",
        "password",
        "role",
        "org_unit",
    }
    unit = admin.post(
        "/org-units", {"code": "360123001001005", "name": "桃源社区第5网格", "kind": "grid", "parent": VILLAGE_1}
    )
    assert unit.status_code == 201 and unit.json == {
        "code": "360123001001005",
        "name": "桃源社区第5网格",
        "kind": "grid",
    }
    assert (
        admin.post(
            "/org-units", {"code": "360123001001005", "name": "x", "kind": "grid", "parent": VILLAGE_1}
        ).status_code
        == 422
    )
