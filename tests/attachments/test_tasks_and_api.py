"""Attachments when a task is completed, through the JSON API, and the storage's clean-up on failure."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from app.attachments.models import Attachment
from app.attachments.storage import files_written, new_key, path_of
from app.cases.models import CaseEvent
from app.extensions import db
from app.tasks.models import Task, TaskStatus
from tests.attachments.conftest import fetch, stored
from tests.attachments.files import HTML, PDF, jpeg, office, png, webp
from tests.conftest import FIRE_REPORT, GRID_1, login


def open_task_of(run: Any, case_id: int) -> Task:
    stmt = select(Task).where(Task.case_id == case_id, Task.status == TaskStatus.OPEN)
    return run(lambda: db.session.scalars(stmt).one())


def reported_case(api: Any) -> int:
    body = api("grid_worker_1").post("/cases", {"case_type": "fire_hazard_rectification", "org_unit": GRID_1,
                                                "data": FIRE_REPORT}).json  # fmt: skip
    return int(body["id"])


def test_a_photo_comes_with_a_completed_task(client: FlaskClient, api: Any, store: Path, run: Any) -> None:
    case_id = reported_case(api)
    task = open_task_of(run, case_id)
    login(client, "township_dispatcher_1")
    form = client.get(f"/tasks/{task.id}").data.decode()
    assert 'enctype="multipart/form-data"' in form and 'capture="environment"' in form
    refused = client.post(f"/tasks/{task.id}/complete", content_type="multipart/form-data",
                          data={"severity_decision": "minor", "files": (io.BytesIO(HTML), "x.pdf")})  # fmt: skip
    assert refused.status_code == 422 and 'id="files-error"' in refused.data.decode()
    assert open_task_of(run, case_id).id == task.id and stored(store) == []  # still open, nothing written
    done = client.post(f"/tasks/{task.id}/complete", content_type="multipart/form-data",
                       data={"severity_decision": "minor", "photos": (io.BytesIO(jpeg()), "site.jpg")})  # fmt: skip
    assert done.status_code == 302
    (attachment,) = run(lambda: list(db.session.scalars(select(Attachment).where(Attachment.case_id == case_id))))
    assert attachment.task_id == task.id and attachment.uploaded_by.username == "township_dispatcher_1"
    event = run(lambda: db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "attachment_added",
                                                                   CaseEvent.case_id == case_id)).one())  # fmt: skip
    assert event.task_id == task.id and event.payload["filename"] == "site.jpg"
    assert len(stored(store)) == 2  # the photo and its thumbnail


def test_the_api_uploads_lists_and_serves_attachments(api: Any, store: Path) -> None:
    case_id = reported_case(api)
    worker = api("grid_worker_1")
    sent = worker.client.post(f"/api/v1/cases/{case_id}/attachments", headers=worker.headers,
                              data={"files": [(io.BytesIO(png()), "a.png"), (io.BytesIO(PDF), "b.pdf"),
                                              (io.BytesIO(office("xlsx")), "台账"), (io.BytesIO(webp()), "w.webp")]},
                              content_type="multipart/form-data")  # fmt: skip
    assert sent.status_code == 201, sent.json
    items = sent.json["items"]
    assert [(i["filename"], i["content_type"], i["is_image"]) for i in items] == [
        ("a.png", "image/png", True),
        ("b.pdf", "application/pdf", False),
        ("台账.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),  # named by content
        ("w.webp", "image/webp", True),
    ]
    assert items[1]["thumbnail_url"] is None
    case = worker.get(f"/cases/{case_id}").json
    assert [a["id"] for a in case["attachments"]] == [i["id"] for i in items]
    assert "attachment_added" in [e["kind"] for e in case["history"]]
    assert worker.get(f"/cases/{case_id}/attachments").json["items"] == items
    served = fetch(worker.client, items[1]["url"], headers=worker.headers)
    assert served.status_code == 200 and served.data == PDF
    thumbnail = fetch(worker.client, items[0]["thumbnail_url"], headers=worker.headers)
    assert thumbnail.mimetype == "image/jpeg"
    red, green, blue = Image.open(io.BytesIO(thumbnail.data)).getpixel((5, 5))  # half-transparent green on white
    assert red > 100 and green > 180 and blue > 100
    other = api("grid_worker_5")
    assert fetch(other.client, items[1]["url"], headers=other.headers).status_code == 404
    assert other.get(f"/cases/{case_id}/attachments").status_code == 404
    assert fetch(worker.client, items[1]["url"]).status_code == 401  # no token, no file


@pytest.mark.parametrize(
    ("sent", "field"),
    [(("files", HTML, "evil.jpg"), "files"), (("photos", PDF, "scan.png"), "photos"), (None, "files")],
)
def test_the_api_refuses_bad_files_with_the_field_named(api: Any, store: Path, sent: tuple[str, bytes, str] | None,
                                                        field: str) -> None:  # fmt: skip
    case_id = reported_case(api)
    worker = api("grid_worker_1")
    data = {sent[0]: (io.BytesIO(sent[1]), sent[2])} if sent else {}
    response = worker.client.post(f"/api/v1/cases/{case_id}/attachments", headers=worker.headers, data=data,
                                  content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert worker.get(f"/cases/{case_id}").json["attachments"] == [] and stored(store) == []


def test_files_written_for_a_failed_commit_are_removed_again(tmp_path: Path) -> None:
    key = new_key()
    seen = []

    def failing_commit() -> None:
        with files_written(str(tmp_path), [(key, b"photo", b"thumb")]):
            seen.append(path_of(str(tmp_path), key).read_bytes())
            raise RuntimeError("the commit failed")

    with pytest.raises(RuntimeError):
        failing_commit()
    assert seen == [b"photo"] and stored(tmp_path) == []
    with pytest.raises(ValueError, match="bad storage key"):
        path_of(str(tmp_path), "../../etc/passwd")


def test_the_api_reports_a_case_with_its_photo_in_one_request(api: Any, store: Path) -> None:
    worker = api("grid_worker_1")
    form = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": json.dumps(FIRE_REPORT)}
    created = worker.client.post("/api/v1/cases", headers=worker.headers, content_type="multipart/form-data",
                                 data={**form, "photos": (io.BytesIO(jpeg()), "p.jpg")})  # fmt: skip
    assert created.status_code == 201, created.json
    case = worker.get(f"/cases/{created.json['id']}").json
    assert [a["filename"] for a in case["attachments"]] == ["p.jpg"] and len(stored(store)) == 2
    refused = worker.client.post("/api/v1/cases", headers=worker.headers, content_type="multipart/form-data",
                                 data={**form, "photos": (io.BytesIO(HTML), "p.jpg")})  # fmt: skip
    assert refused.status_code == 422 and "photos" in refused.json["error"]["fields"]
    bad_json = worker.client.post("/api/v1/cases", headers=worker.headers, content_type="multipart/form-data",
                                  data={**form, "data": "{not json"})  # fmt: skip
    assert bad_json.status_code == 422 and "data" in bad_json.json["error"]["fields"]
    assert len(stored(store)) == 2


def test_a_closed_case_takes_no_more_files_but_still_shows_its_own(client: FlaskClient, store: Path) -> None:
    login(client, "grid_worker_1")
    data = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, **FIRE_REPORT, "fixed_on_spot": "on",
            "spot_measures": "当场拔掉充电线", "photos": (io.BytesIO(jpeg()), "after.jpg")}  # fmt: skip
    case_url = client.post("/cases/new", data=data, content_type="multipart/form-data").location
    page = client.get(case_url).data.decode()
    assert "已结案" in page and "/thumbnail" in page and 'action="/cases/' not in page.split("attachments-list")[1]
    refused = client.post(f"{case_url}/attachments", data={"files": (io.BytesIO(PDF), "late.pdf")},
                          content_type="multipart/form-data")  # fmt: skip
    assert refused.status_code == 409 and len(stored(store)) == 2  # was 403, as if the worker lacked the right
    assert "此案件已结案，不能再添加附件。" in refused.data.decode()
    token = client.post("/api/v1/auth/token", json={"username": "grid_worker_1", "password": "gridcase-demo"}).json
    over_api = client.post(f"/api/v1{case_url}/attachments?locale=en", data={"files": (io.BytesIO(PDF), "late.pdf")},
                           headers={"Authorization": f"Bearer {token['token']}"}, content_type="multipart/form-data")  # fmt: skip
    assert over_api.status_code == 409 and len(stored(store)) == 2
    assert over_api.json["error"]["message"] == "This case is closed: nothing more can be attached to it."


def test_the_task_page_shows_the_case_photos_and_a_lost_file_is_not_found(
    client: FlaskClient, api: Any, store: Path, run: Any
) -> None:
    case_id = reported_case(api)
    worker = api("grid_worker_1")
    sent = worker.client.post(f"/api/v1/cases/{case_id}/attachments", headers=worker.headers,
                              data={"photos": (io.BytesIO(jpeg()), "p.jpg")}, content_type="multipart/form-data")  # fmt: skip
    item = sent.json["items"][0]
    login(client, "township_dispatcher_1")
    page = client.get(f"/tasks/{open_task_of(run, case_id).id}").data.decode()
    assert f"/cases/{case_id}/attachments/{item['id']}/thumbnail" in page
    for path in store.rglob("*.jpg"):
        path.unlink()  # the thumbnail lost from disk: 404, not 500
    assert fetch(client, f"/cases/{case_id}/attachments/{item['id']}/thumbnail").status_code == 404


def test_the_api_says_when_a_request_is_too_large(api: Any, app: Any, store: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    case_id = reported_case(api)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 32 * 1024)
    worker = api("grid_worker_1")
    response = worker.client.post(f"/api/v1/cases/{case_id}/attachments", headers=worker.headers,
                                  data={"files": (io.BytesIO(PDF + b"0" * 64 * 1024), "big.pdf")},
                                  content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large" and "0.03125 MB" in response.json["error"]["message"]
    assert stored(store) == []
