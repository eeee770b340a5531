"""The process designer, as designers use it: upload, deploy, refusals, versions, forms, diff."""

import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.audit.models import SecurityEvent
from app.casetypes.models import ProcessVersion
from app.extensions import db
from tests.conftest import FIRE_REPORT, GRID_1, ROOT, login

FIRE = (ROOT / "processes" / "fire_hazard_rectification.bpmn").read_text("utf-8")
KEY = "fire_hazard_rectification"


def versions_of(key: str = KEY) -> int:
    return int(db.session.scalar(select(func.count()).where(ProcessVersion.key == key)) or 0)


def upload(xml: str | bytes, forms: dict[str, str] | None = None, name: str = "fire.bpmn") -> dict[str, Any]:
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    data: dict[str, Any] = {"bpmn": (io.BytesIO(raw), name)}
    if forms:
        data["forms"] = [(io.BytesIO(text.encode("utf-8")), fname) for fname, text in forms.items()]
    return data


def with_pre_check(xml: str) -> str:
    """The fire diagram with a new user task between the gateway and acceptance."""
    task = """<bpmn:userTask id="pre_check" name="预审">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="fire_pre_check.schema.json"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>flow_to_accept</bpmn:incoming><bpmn:outgoing>flow_pre_checked</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="flow_pre_checked" sourceRef="pre_check" targetRef="accept_and_assess"/>
    <bpmn:userTask id="accept_and_assess" name="受理并研判">"""
    xml = xml.replace('<bpmn:userTask id="accept_and_assess" name="受理并研判">', task)
    xml = xml.replace(
        'sourceRef="gw_fixed" targetRef="accept_and_assess"', 'sourceRef="gw_fixed" targetRef="pre_check"'
    )
    return xml.replace(
        "<bpmn:flowNodeRef>accept_and_assess</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>pre_check</bpmn:flowNodeRef><bpmn:flowNodeRef>accept_and_assess</bpmn:flowNodeRef>",
    )


PRE_CHECK_FORM = json.dumps({"type": "object", "properties": {"ok": {"type": "boolean", "title": "无误"}}})


def test_only_designers_and_admins_see_the_designer(client: FlaskClient, api: Any) -> None:
    login(client, "grid_worker_1")
    assert "/designer" not in client.get("/inbox").data.decode()
    assert client.get("/designer").status_code == 403
    assert client.post("/designer/deploy", data=upload(FIRE)).status_code == 403
    assert api("grid_worker_1").get("/designer/case-types").status_code == 403
    assert api("grid_worker_1").post("/designer/deploy", data=upload(FIRE)).status_code == 403
    client.post("/logout")
    login(client, "admin")
    assert client.get("/designer").status_code == 200
    client.post("/logout")
    login(client, "designer")
    assert 'href="/designer"' in client.get("/inbox").data.decode()


def test_a_new_version_deployed_in_the_browser_serves_new_cases_only(client: FlaskClient, api: Any) -> None:
    reporter = api("grid_worker_1")
    body = {"case_type": KEY, "org_unit": GRID_1, "data": FIRE_REPORT}
    old = reporter.post("/cases", body).json
    before = versions_of()
    login(client, "designer")
    page = client.get("/designer").data.decode()
    assert f'data-case-type="{KEY}"' in page and "<td data-running>1</td>" in page
    response = client.post("/designer/deploy", data=upload(FIRE.replace("受理并研判", "受理研判")))
    assert response.status_code == 302 and response.location.endswith(f"/designer/{KEY}")
    assert versions_of() == before + 1
    detail = client.get(f"/designer/{KEY}").data.decode()
    assert f'data-version="{before + 1}"' in detail and ">designer<" in detail
    downloaded = client.get(f"/designer/{KEY}/{before + 1}.bpmn")
    assert downloaded.status_code == 200 and "受理研判" in downloaded.data.decode()
    new = reporter.post("/cases", body).json
    assert (old["open_tasks"][0]["name"], new["open_tasks"][0]["name"]) == ("受理并研判", "受理研判")
    dispatcher = api("township_dispatcher_1")
    done = dispatcher.post(f"/tasks/{old['open_tasks'][0]['id']}/complete", {"data": {"severity_decision": "minor"}})
    assert done.status_code == 200 and done.json["open_tasks"][0]["bpmn_id"] == "urge_rectification"
    event = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "deploy")).all()[-1]
    assert event.username == "designer" and event.detail["key"] == KEY and event.detail["version"] == before + 1
    assert event.detail["sha256"]
    again = client.post("/designer/deploy", data=upload(FIRE.replace("受理并研判", "受理研判")))
    assert again.status_code == 302 and versions_of() == before + 1  # identical: nothing new


XXE = '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<d>&x;</d>'
BOMB = '<?xml version="1.0"?>\n<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n<l>&b;</l>'
REFUSALS: dict[str, tuple[str | bytes, str, str]] = {
    "syntax": (FIRE[:3000], "fire.bpmn:", "XML syntax error"),
    "role": (FIRE.replace('name="township_dispatcher"', 'name="town_boss"'), "fire.bpmn:", "unknown lane role 'town_boss'"),
    "form": (FIRE.replace("fire_hazard_assessment.schema.json", "nowhere.schema.json"), "fire.bpmn:",
             "form file 'nowhere.schema.json' does not exist"),
    "script": (FIRE.replace('outcome = "fixed_on_spot"', "__import__('os').system('id')"), "fire.bpmn:", "rejected"),
    "xxe": (XXE, "fire.bpmn:2", "DOCTYPE and ENTITY declarations are not allowed"),
    "bomb": (BOMB, "fire.bpmn:2", "DOCTYPE and ENTITY declarations are not allowed"),
    "encoding": (FIRE.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"), "fire.bpmn", "UTF-8"),
    "size": (FIRE + "<!--" + "x" * 20_000 + "-->", "fire.bpmn", "larger than"),  # the cap is lowered below
    "long_key": (FIRE.replace('process id="fire_hazard_rectification"', f'process id="{"k" * 65}"'), "fire.bpmn:11",
                 "id is longer than 64 characters"),  # the version's column: a DataError (500) on PostgreSQL before
    "long_name": (FIRE.replace('name="消防隐患整改" isExecutable', f'name="{"消" * 201}" isExecutable'), "fire.bpmn:11",
                  "name is longer than 200 characters"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refused_uploads_answer_422_and_deploy_nothing(
    client: FlaskClient, api: Any, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A 2 MiB body would be spooled by the test client to a file it never closes: lower the cap instead.
    monkeypatch.setattr("app.engine.xml.MAX_DIAGRAM_BYTES", len(FIRE) + 10_000)
    xml, where, reason = REFUSALS[case]
    before = versions_of()
    answer = api("designer").post("/designer/deploy", data=upload(xml))
    assert answer.status_code == 422, answer.json
    error = answer.json["error"]
    assert error["code"] == "invalid_diagram" and error["problems"]
    assert any(key.startswith(where) and reason in text for key, text in error["fields"].items()), error
    if case in ("role", "script", "syntax"):
        assert all(p["line"] for p in error["problems"])
    login(client, "designer")
    page = client.post("/designer/deploy", data=upload(xml))
    assert page.status_code == 422 and reason in page.data.decode().replace("&#39;", "'")
    assert versions_of() == before
    refusals = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "deploy_refused")).all()
    assert len(refusals) == 2 and refusals[0].detail["source"] == "fire.bpmn"


def test_an_upload_without_a_diagram_or_with_a_broken_form_is_refused(api: Any) -> None:
    designer = api("designer")
    missing = designer.post("/designer/deploy", data={})
    assert missing.status_code == 422 and "bpmn" in missing.json["error"]["fields"]
    bad = designer.post(
        "/designer/deploy", data=upload(with_pre_check(FIRE), {"fire_pre_check.schema.json": "{\n oops"})
    )
    assert bad.status_code == 422
    assert "fire_pre_check.schema.json:2" in bad.json["error"]["fields"]
    not_form = designer.post("/designer/deploy", data=upload(FIRE, {"x.schema.json": '{"type": "array"}'}))
    assert "a form schema must be an object" in not_form.json["error"]["fields"]["x.schema.json"]


def test_a_diagram_deployed_with_its_forms_over_the_api_and_its_diff(client: FlaskClient, api: Any) -> None:
    designer = api("designer")
    answer = designer.post(
        "/designer/deploy", data=upload(with_pre_check(FIRE), {"fire_pre_check.schema.json": PRE_CHECK_FORM})
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["key"] == KEY and answer.json["created"] is True
    listed = {i["key"]: i for i in designer.get("/designer/case-types").json["items"]}
    assert listed[KEY]["versions"][0]["version"] == answer.json["version"]
    assert listed[KEY]["versions"][0]["deployed_by"] == "designer"
    case = api("grid_worker_1").post("/cases", {"case_type": KEY, "org_unit": GRID_1, "data": FIRE_REPORT}).json
    assert case["open_tasks"][0]["bpmn_id"] == "pre_check"
    login(client, "designer")
    page = client.get(f"/designer/{KEY}/diff").data.decode()
    added = page[page.index("data-added") : page.index("data-removed")]
    assert "pre_check" in added and "flow_pre_checked" in added
    changed = page[page.index("data-changed") :]
    assert "flow_to_accept" in changed
    assert client.get(f"/designer/{KEY}/diff?from=1&to=99").status_code == 404


def test_the_form_editor_previews_validates_and_saves_a_new_version(client: FlaskClient) -> None:
    login(client, "designer")
    url = f"/designer/{KEY}/1/forms/fire_hazard_assessment.schema.json"
    page = client.get(url).data.decode()
    assert 'name="severity_decision"' in page and "data-preview" in page and "研判结论" in page
    schema = json.loads(client.get(url).data.decode().split('name="schema" rows="18" class="code">')[1]
                        .split("</textarea>")[0].replace("&#34;", '"').replace("&quot;", '"'))  # fmt: skip
    ui = (ROOT / "forms" / "fire_hazard_assessment.uischema.json").read_text("utf-8")
    checked = client.post(url, data={"schema": json.dumps(schema), "ui_schema": ui, "action": "validate",
                                     "sample": json.dumps({"assessment_opinion": 5, "extra": 1})})  # fmt: skip
    text = checked.data.decode()
    assert checked.status_code == 200
    for field in ("severity_decision", "assessment_opinion", "extra"):
        assert f'data-sample-error="{field}"' in text
    assert 'id="severity_decision-error"' in text  # the preview shows them next to the fields
    broken = client.post(url, data={"schema": "{", "ui_schema": ui, "action": "save"})
    assert broken.status_code == 422 and "not valid JSON" in broken.data.decode()
    before = versions_of()
    schema["properties"]["assessment_opinion"]["title"] = "研判意见（必填）"
    saved = client.post(url, data={"schema": json.dumps(schema), "ui_schema": ui, "action": "save"})
    assert saved.status_code == 302 and versions_of() == before + 1
    new, old = db.session.scalars(select(ProcessVersion).where(ProcessVersion.key == KEY)
                                  .order_by(ProcessVersion.version.desc()).limit(2)).all()  # fmt: skip
    assert new.bpmn_xml == old.bpmn_xml and new.sha256 != old.sha256
    assert (
        new.forms["fire_hazard_assessment.schema.json"]["properties"]["assessment_opinion"]["title"]
        == "研判意见（必填）"
    )
    assert client.get(saved.location).status_code == 200
    assert client.get(f"/designer/{KEY}/1/forms/nothing.schema.json").status_code == 404


@pytest.mark.parametrize("installed", [True, False])
def test_the_diagram_view_appears_only_with_bpmn_js(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    monkeypatch.setattr("app.designer.views._viewer_installed", lambda: installed)
    login(client, "designer")
    page = client.get(f"/designer/{KEY}").data.decode()
    assert ('id="bpmn-view"' in page) is installed
    assert ("/static/designer.js" in page) is installed
    assert "<script>" not in page  # the CSP allows no inline script
    assert f"/designer/{KEY}/1.bpmn" in page  # the download works either way
    script = client.get("/static/designer.js")
    assert script.status_code == 200 and b"BpmnJS" in script.data
    script.close()  # a static file is streamed: close it, or the file handle outlives the test


def test_form_files_are_checked_one_by_one(api: Any) -> None:
    designer = api("designer")
    forms = {"notes.txt": "{}", "bad.uischema.json": "[1]"}
    answer = designer.post("/designer/deploy", data=upload(FIRE, forms))
    fields = answer.json["error"]["fields"]
    assert answer.status_code == 422
    assert "must end in .json" in fields["notes.txt"] and "must hold a JSON object" in fields["bad.uischema.json"]
    data = upload(FIRE)
    data["forms"] = [(io.BytesIO(b"\xff\xfe{"), "latin.schema.json")]
    assert "not UTF-8" in designer.post("/designer/deploy", data=data).json["error"]["fields"]["latin.schema.json"]


def test_the_form_editor_reports_bad_sample_json_and_unchanged_saves(client: FlaskClient, run: Any) -> None:
    from app.clock import utcnow
    from app.designer.service import get_version, save_forms
    from app.engine import InvalidDiagram
    from app.errors import NotFoundError
    from app.org.service import user_by_username

    login(client, "designer")
    url = f"/designer/{KEY}/1/forms/fire_hazard_assessment.schema.json"
    schema = (ROOT / "forms" / "fire_hazard_assessment.schema.json").read_text("utf-8")
    ui = (ROOT / "forms" / "fire_hazard_assessment.uischema.json").read_text("utf-8")
    checked = client.post(url, data={"schema": schema, "ui_schema": ui, "sample": "{", "action": "validate"})
    assert 'data-sample-error="data"' in checked.data.decode()
    before = versions_of()
    same = client.post(url, data={"schema": schema, "ui_schema": ui, "action": "save"}, follow_redirects=True)
    assert same.status_code == 200 and versions_of() == before

    def save(changed: dict[str, bytes]) -> Any:
        return save_forms(get_version(KEY, 1), changed, actor=user_by_username("designer"), now=utcnow())

    with pytest.raises(NotFoundError):
        run(save, {"other.schema.json": b"{}"})
    with pytest.raises(InvalidDiagram):
        run(save, {"fire_hazard_assessment.schema.json": b"[]"})


def test_a_restart_sync_keeps_a_version_deployed_from_the_browser(app: Any, api: Any, run: Any) -> None:
    from app.casetypes.registry import latest_version, sync_processes
    from app.clock import utcnow

    answer = api("designer").post("/designer/deploy", data=upload(FIRE.replace("受理并研判", "受理研判")))
    assert answer.status_code == 201

    def sync() -> Any:
        config = app.config
        return sync_processes(config["GRIDCASE_PROCESSES_DIR"], config["GRIDCASE_FORMS_DIR"], actor=None, now=utcnow())

    report = run(sync)
    assert KEY in [v.key for v in report.unchanged] and KEY not in [v.key for v in report.deployed]
    assert run(lambda: latest_version(KEY).version) == answer.json["version"]
