"""The in-browser modeler's server side: the page, drafts saved, validated and deployed, over pages and the API."""

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.audit.models import SecurityEvent
from app.cases.models import Case
from app.casetypes.models import ProcessVersion
from app.designer import drafts
from app.designer.models import ProcessDraft
from app.extensions import db
from tests.conftest import FIRE_REPORT, GRID_1, login
from tests.designer.test_designer import BOMB, FIRE, KEY, XXE, versions_of, with_pre_check

JSON = {"Accept": "application/json"}


def draft_of(key: str = KEY) -> ProcessDraft | None:
    return db.session.scalars(select(ProcessDraft).where(ProcessDraft.key == key)).first()


def save(client: FlaskClient, xml: str, key: str = KEY) -> Any:
    return client.post(f"/designer/{key}/draft", data=xml.encode("utf-8"), headers=JSON,
                       content_type="application/xml")  # fmt: skip


@pytest.mark.parametrize("installed", [True, False])
def test_the_modeler_page_opens_the_latest_version_or_says_it_is_unavailable(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    monkeypatch.setattr("app.designer.modeler_views.modeler_installed", lambda: installed)
    login(client, "designer")
    assert 'href="/designer/fire_hazard_rectification/modeler"' in client.get(f"/designer/{KEY}").data.decode()
    page = client.get(f"/designer/{KEY}/modeler").data.decode()
    assert 'data-opened="version"' in page
    assert ('id="modeler"' in page) is installed
    assert ("bpmn-modeler.production.min.js" in page) is installed
    assert ("data-modeler-unavailable" in page) is not installed
    assert "<script>" not in page and "style=" not in page  # the CSP allows neither
    if installed:
        assert "fire_hazard_assessment.schema.json" in page  # the forms offered for the form property
        assert "fire_safety_inspector" in page  # the roles offered for lanes
    download = client.get(f"/designer/{KEY}/draft.bpmn")
    assert download.status_code == 200 and download.data.decode() == FIRE
    assert f'filename="{KEY}.draft.bpmn"' in download.headers["Content-Disposition"]
    script = client.get("/static/designer-modeler.js")
    assert script.status_code == 200 and b"spiffworkflow:Properties" in script.data
    script.close()


def test_a_new_case_type_starts_blank_under_a_checked_key(client: FlaskClient) -> None:
    login(client, "designer")
    response = client.get("/designer/modeler?key=elderly_visit")
    assert response.status_code == 302 and response.location.endswith("/designer/elderly_visit/modeler")
    bad = client.get("/designer/modeler?key=Bad-Key", headers=JSON)
    assert bad.status_code == 422 and "key" in bad.json["error"]["fields"]
    assert client.get("/designer/x%20y/modeler").status_code == 422
    page = client.get("/designer/elderly_visit/modeler").data.decode()
    assert 'data-opened="blank"' in page
    blank = client.get("/designer/elderly_visit/draft.bpmn").data.decode()
    assert 'id="elderly_visit"' in blank and 'name="grid_worker"' in blank
    # The blank diagram itself is valid: saved and deployed, it is the new case type's version 1.
    assert save(client, blank, "elderly_visit").status_code == 200
    assert 'data-opened="draft"' in client.get("/designer/elderly_visit/modeler").data.decode()
    assert client.post("/designer/elderly_visit/draft/deploy", headers=JSON).status_code == 201
    assert versions_of("elderly_visit") == 1 and draft_of("elderly_visit") is None


def test_a_draft_is_saved_validated_with_labels_and_lines_then_deployed(client: FlaskClient, api: Any) -> None:
    login(client, "designer")
    before = versions_of()
    broken = with_pre_check(FIRE).replace("fire_pre_check.schema.json", "missing.schema.json")
    saved = save(client, broken)
    assert saved.status_code == 200 and saved.json["saved_by"] == "designer"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", saved.json["saved_at_text"])
    assert draft_of() is not None and draft_of().bpmn_xml == broken  # type: ignore[union-attr]
    assert client.get(f"/designer/{KEY}/draft.bpmn").data.decode() == broken
    result = client.post(f"/designer/{KEY}/draft/validate", headers=JSON).json
    assert result["valid"] is False
    [problem] = result["problems"]
    line = broken[: broken.index('id="pre_check"')].count("\n") + 1
    assert problem == {"file": f"{KEY}.bpmn", "line": line, "element": "pre_check", "label": "预审",
                       "reason": "form file 'missing.schema.json' does not exist"}  # fmt: skip
    refused = client.post(f"/designer/{KEY}/draft/deploy", headers=JSON)
    assert refused.status_code == 422 and refused.json["error"]["problems"] == [problem]
    assert versions_of() == before and draft_of() is not None
    event = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "deploy_refused")).all()[-1]
    assert "missing.schema.json" in str(event.detail)
    # Fixed: it validates and deploys as the next version, through the upload's path, and the draft is gone.
    assert save(client, FIRE.replace("受理并研判", "受理研判")).status_code == 200
    assert client.post(f"/designer/{KEY}/draft/validate", headers=JSON).json == {"valid": True, "problems": []}
    deployed = client.post(f"/designer/{KEY}/draft/deploy", headers=JSON)
    assert deployed.status_code == 201 and deployed.json["version"] == before + 1
    assert deployed.json["url"] == f"/designer/{KEY}"
    assert versions_of() == before + 1 and draft_of() is None
    created = api("grid_worker_1").post("/cases", {"case_type": KEY, "org_unit": GRID_1, "data": FIRE_REPORT})
    case = db.session.get(Case, created.json["id"])
    assert case is not None and db.session.get(ProcessVersion, case.process_version_id).version == before + 1  # type: ignore[union-attr]
    assert "受理研判" in client.get(f"/designer/{KEY}/draft.bpmn").data.decode()
    assert (
        db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "deploy")).all()[-1].detail["version"]
        == before + 1
    )
    assert client.post(f"/designer/{KEY}/draft/deploy", headers=JSON).status_code == 404  # nothing left to deploy


@pytest.mark.parametrize(
    ("xml", "line", "reason"),
    [
        (XXE, 2, "DOCTYPE and ENTITY declarations are not allowed"),
        (BOMB, 2, "DOCTYPE and ENTITY declarations are not allowed"),
        ('<?xml version="1.0"?>\n<bpmn:definitions>\n  <oops>\n</bpmn:definitions>', 2, "XML syntax error"),
    ],
    ids=["xxe", "bomb", "malformed"],
)
def test_unsafe_or_malformed_xml_is_not_saved(client: FlaskClient, xml: str, line: int, reason: str) -> None:
    login(client, "designer")
    response = save(client, xml)
    assert response.status_code == 422
    [problem] = response.json["error"]["problems"]
    assert problem["line"] == line and problem["reason"].startswith(reason)
    assert draft_of() is None


def test_a_draft_must_keep_its_key_and_hold_text(client: FlaskClient) -> None:
    login(client, "designer")
    assert save(client, FIRE, "other_line").status_code == 200
    problems = client.post("/designer/other_line/draft/validate", headers=JSON).json["problems"]
    assert problems[0]["element"] == KEY and "must be the case type's key 'other_line'" in problems[0]["reason"]
    response = client.post("/designer/other_line/draft/deploy", headers=JSON)
    assert response.status_code == 422 and versions_of("other_line") == 0
    assert save(client, "   ").status_code == 422
    not_utf8 = client.post(f"/designer/{KEY}/draft", data="<a>é</a>".encode("latin-1"), headers=JSON)
    assert not_utf8.status_code == 422 and "UTF-8" in not_utf8.json["error"]["problems"][0]["reason"]
    assert client.post("/designer/none_here/draft/validate", headers=JSON).status_code == 404


def test_only_designers_and_admins_use_the_modeler(client: FlaskClient, api: Any) -> None:
    anonymous = client.get(f"/designer/{KEY}/modeler")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    assert client.get(f"/api/v1/designer/drafts/{KEY}").status_code == 401
    login(client, "grid_worker_1")
    assert client.get(f"/designer/{KEY}/modeler").status_code == 403
    assert save(client, FIRE).status_code == 403
    assert client.post(f"/designer/{KEY}/draft/deploy", headers=JSON).status_code == 403
    worker = api("grid_worker_1")
    assert worker.get(f"/designer/drafts/{KEY}").status_code == 403
    assert client.put(f"/api/v1/designer/drafts/{KEY}", json={"xml": FIRE}, headers=worker.headers).status_code == 403
    assert worker.post(f"/designer/drafts/{KEY}/validate").status_code == 403
    assert worker.post(f"/designer/drafts/{KEY}/deploy").status_code == 403
    assert draft_of() is None
    client.post("/logout")
    login(client, "admin")
    assert client.get(f"/designer/{KEY}/modeler").status_code == 200


def test_the_draft_api_saves_validates_and_deploys(client: FlaskClient, api: Any) -> None:
    designer = api("designer")
    opened = designer.get(f"/designer/drafts/{KEY}").json
    assert opened["source"] == "version" and opened["xml"] == FIRE and opened["version"] == versions_of()
    put = client.put(f"/api/v1/designer/drafts/{KEY}", json={"xml": with_pre_check(FIRE)}, headers=designer.headers)
    assert put.status_code == 200 and put.json["saved_by"] == "designer"
    opened = designer.get(f"/designer/drafts/{KEY}").json
    assert opened["source"] == "draft" and opened["saved_by"] == "designer" and "pre_check" in opened["xml"]
    result = designer.post(f"/designer/drafts/{KEY}/validate").json
    assert result["valid"] is False and result["problems"][0]["element"] == "pre_check"
    refused = designer.post(f"/designer/drafts/{KEY}/deploy")
    assert refused.status_code == 422 and refused.json["error"]["code"] == "invalid_diagram"
    assert any("fire_pre_check.schema.json" in reason for reason in refused.json["error"]["fields"].values())
    raw = FIRE.replace("受理并研判", "受理研判").encode("utf-8")
    put = client.put(f"/api/v1/designer/drafts/{KEY}", data=raw, content_type="application/xml",
                     headers=designer.headers)  # fmt: skip
    assert put.status_code == 200
    before = versions_of()
    deployed = designer.post(f"/designer/drafts/{KEY}/deploy")
    assert deployed.status_code == 201 and deployed.json["version"] == before + 1 and deployed.json["created"]
    empty = client.put(f"/api/v1/designer/drafts/{KEY}", json={"xml": ""}, headers=designer.headers)
    assert empty.status_code == 422 and "xml" in empty.json["error"]["fields"]
    hostile = client.put(f"/api/v1/designer/drafts/{KEY}", json={"xml": XXE}, headers=designer.headers)
    assert hostile.status_code == 422 and hostile.json["error"]["problems"][0]["line"] == 2
    assert designer.get("/designer/drafts/Not-A-Key").status_code == 422


def test_two_first_saves_at_once_both_land_on_the_one_draft(client: FlaskClient, monkeypatch: Any) -> None:
    """The second save's look-up missed the first's row (saved in between): the unique key is caught, not a 500."""
    login(client, "designer")
    assert save(client, FIRE, KEY).status_code == 200
    real = drafts.get_draft
    calls: list[str] = []

    def missed_once(key: str) -> ProcessDraft | None:
        calls.append(key)
        return None if len(calls) == 1 else real(key)

    monkeypatch.setattr(drafts, "get_draft", missed_once)
    second = FIRE.replace("消防隐患整改", "消防隐患整改（二）")
    assert save(client, second, KEY).status_code == 200
    assert len(calls) == 2
    rows = db.session.scalars(select(ProcessDraft).where(ProcessDraft.key == KEY)).all()
    assert len(rows) == 1 and "（二）" in rows[0].bpmn_xml
