"""Importing a model authored for spiff-arena: folder or zip, lanes mapped to our roles, then the ordinary deploy."""

import io
import re
import zipfile
from html import unescape
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from app.engine import InvalidDiagram, compile_definition
from app.org.roles import ROLES
from tests.conftest import GRID_1, login

MODEL = Path(__file__).with_name("spiff_arena_model")
KEY = "Process_facility_repair_7f3k2x"
MAPPING = {"lane-Lane_requester": "grid_worker", "lane-Lane_manager": "township_dispatcher"}


def folder(skip: str = "") -> dict[str, Any]:
    return {"model": [(io.BytesIO(p.read_bytes()), p.name) for p in sorted(MODEL.iterdir()) if p.name != skip]}


def zipped() -> dict[str, Any]:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        for path in sorted(MODEL.iterdir()):
            archive.write(path, f"facility-repair/{path.name}")
    return {"model": [(io.BytesIO(raw.getvalue()), "facility-repair.zip")]}


def payload_of(page: str) -> str:
    found = re.search(r'name="model" value="([^"]*)"', page)
    assert found, page
    return unescape(found.group(1))


def test_a_spiff_arena_folder_imports_with_its_lanes_mapped_and_runs(client: FlaskClient, api: Any) -> None:
    login(client, "designer")
    assert 'href="/designer/import"' in client.get("/designer").data.decode()
    assert client.get("/designer/import").status_code == 200
    page = client.post("/designer/import", data=folder()).data.decode()
    assert 'data-lane="Lane_requester"' in page and 'data-lane="Lane_manager"' in page
    assert "Describe the repair" in page and "repair-request.schema.json" in page
    done = client.post("/designer/import/deploy", data={"model": payload_of(page), **MAPPING})
    assert done.status_code == 302 and done.location.endswith(f"/designer/{KEY}")

    started = api("grid_worker_1").post("/cases", {"case_type": KEY, "org_unit": GRID_1, "data": {}})
    assert started.status_code == 201, started.json
    [describe] = started.json["open_tasks"]
    assert (describe["name"], describe["role"]) == ("Describe the repair", "grid_worker")
    assert describe["form"]["schema"]["required"] == ["facility", "description"]
    data = {"facility": "桃源路路灯", "description": "灯不亮"}
    after = api("grid_worker_1").post(f"/tasks/{describe['id']}/complete", {"data": data}).json
    [approve] = after["open_tasks"]
    assert approve["role"] == "township_dispatcher"
    closed = api("township_dispatcher_1").post(f"/tasks/{approve['id']}/complete", {"data": {"approved": True}}).json
    assert closed["case"]["status"] == "closed"
    case = api("grid_worker_1").get(f"/cases/{started.json['id']}").json
    assert (case["data"]["decision"], case["data"]["outcome"]) == ("approved", "scheduled")  # the postScript ran


def test_a_zip_imports_too_and_an_unmapped_lane_is_asked_again(client: FlaskClient) -> None:
    login(client, "designer")
    page = client.post("/designer/import", data=zipped()).data.decode()
    payload = payload_of(page)
    missing = client.post("/designer/import/deploy", data={"model": payload, "lane-Lane_requester": "grid_worker",
                                                           "lane-Lane_manager": "boss"})  # fmt: skip
    assert missing.status_code == 422
    assert 'id="lane-Lane_manager-error"' in missing.data.decode() and "请为此泳道选择角色" in missing.data.decode()


def test_a_model_that_fails_the_checks_is_refused_with_its_problems(client: FlaskClient) -> None:
    login(client, "designer")
    page = client.post("/designer/import", data=folder(skip="repair-approval-schema.json")).data.decode()
    refused = client.post("/designer/import/deploy", data={"model": payload_of(page), **MAPPING})
    assert refused.status_code == 422
    assert "form file &#39;repair-approval.schema.json&#39; does not exist" in refused.data.decode()


def test_bad_uploads_and_strangers_are_refused(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    assert client.get("/designer/import").status_code == 403
    assert client.post("/designer/import", data=folder()).status_code == 403
    client.post("/logout")
    login(client, "designer")
    assert client.post("/designer/import", data={}).status_code == 422
    broken = client.post("/designer/import", data={"model": [(io.BytesIO(b"not a zip"), "m.zip")]})
    assert broken.status_code == 422 and "not a readable zip file" in broken.data.decode()
    two = {"model": [(io.BytesIO((MODEL / "facility_repair.bpmn").read_bytes()), n) for n in ("a.bpmn", "b.bpmn")]}
    assert client.post("/designer/import", data=two).status_code == 422
    assert client.post("/designer/import/deploy", data={"model": "{garbage", **MAPPING}).status_code == 422
    not_bpmn = '{"primary": "m.bpmn", "files": {"m.bpmn": "PHg+PC94Pg=="}}'  # <x></x>
    assert client.post("/designer/import/deploy", data={"model": not_bpmn, **MAPPING}).status_code == 422


def test_an_unsafe_spiff_arena_post_script_is_refused_at_upload() -> None:
    xml = (MODEL / "facility_repair.bpmn").read_text("utf-8").replace('name="Requester"', 'name="grid_worker"')
    xml = xml.replace('name="Manager"', 'name="township_dispatcher"')
    xml = xml.replace('decision = "approved" if approved else "rejected"', "__import__('os').system('id')")
    forms = {"repair-request-schema.json", "repair-request-uischema.json", "repair-approval-schema.json",
             "repair-approval-uischema.json"}  # fmt: skip
    try:
        compile_definition(xml.encode("utf-8"), "m.bpmn", roles=ROLES.keys(), forms=forms)
    except InvalidDiagram as err:
        [problem] = err.problems
        assert problem.element == "Activity_approve_repair" and "expression rejected" in problem.reason
    else:
        raise AssertionError("the unsafe post-script was accepted")
