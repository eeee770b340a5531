"""Photos and documents on a report, over HTTP: what is kept, what is refused, who may see it."""

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from app.attachments.models import Attachment
from app.cases.models import Case, CaseEvent
from app.extensions import db
from tests.attachments.conftest import fetch, stored
from tests.attachments.files import HTML, PDF, jpeg, office, plain_zip, png
from tests.conftest import FIRE_REPORT, GRID_1, login

ATTACHMENT_URL = re.compile(r'href="(/cases/\d+/attachments/\d+)"')


def report(client: FlaskClient, **files: Any) -> Any:
    data = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, **FIRE_REPORT, **files}
    return client.post("/cases/new", data=data, content_type="multipart/form-data")


def case_count(run: Any) -> int:
    return int(run(lambda: db.session.scalar(select(func.count()).select_from(Case))))


def test_a_report_keeps_its_photo_and_document(client: FlaskClient, store: Path, run: Any) -> None:
    login(client, "grid_worker_1")
    photo, document = jpeg(40, 20, orientation=6), office("docx")
    response = report(client, photos=(io.BytesIO(photo), "IMG_0001.JPEG"),
                      files=[(io.BytesIO(document), "整改通知.docx"), (io.BytesIO(PDF), "../../etc/plan.pdf")])  # fmt: skip
    assert response.status_code == 302, response.data.decode()
    case_id = int(response.location.rsplit("/", 1)[1])
    of_case = select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id)  # in the order sent
    rows = run(lambda: list(db.session.scalars(of_case)))
    assert [(a.filename, a.content_type, a.is_image) for a in rows] == [
        ("IMG_0001.jpg", "image/jpeg", True),
        ("整改通知.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
        ("plan.pdf", "application/pdf", False),  # the sender's path is dropped
    ]
    assert rows[0].sha256 == hashlib.sha256(photo).hexdigest() and rows[0].size == len(photo)
    assert (rows[0].width, rows[0].height) == (20, 40)  # as the camera held it
    files = stored(store)
    assert len(files) == 4 and sum(f.endswith(".thumb.jpg") for f in files) == 1
    assert not any("IMG" in f or "plan" in f or "pdf" in f for f in files)  # random names only
    page = client.get(f"/cases/{case_id}").data.decode()
    assert f"/cases/{case_id}/attachments/{rows[0].id}/thumbnail" in page
    assert "整改通知.docx" in page and "plan.pdf" in page
    assert "添加附件" in page  # the history says what was added
    events = run(lambda: list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id,
                                                                            CaseEvent.kind == "attachment_added")
                                                                     .order_by(CaseEvent.id))))  # fmt: skip
    assert [e.payload["sha256"] for e in events] == [a.sha256 for a in rows]


def test_files_are_served_with_safe_headers_and_an_upright_bare_thumbnail(client: FlaskClient, store: Path) -> None:
    login(client, "grid_worker_1")
    photo = jpeg(40, 20, orientation=6)
    case_url = report(client, photos=(io.BytesIO(photo), "p.jpg"), files=(io.BytesIO(PDF), "plan.pdf")).location
    image_url, pdf_url = ATTACHMENT_URL.findall(client.get(case_url).data.decode())
    original = fetch(client, image_url)
    assert original.status_code == 200 and original.data == photo and original.mimetype == "image/jpeg"
    assert original.headers["X-Content-Type-Options"] == "nosniff"
    assert original.headers["Content-Disposition"].startswith("inline")
    assert "private" in original.headers["Cache-Control"]
    document = fetch(client, pdf_url)
    assert document.data == PDF and document.headers["Content-Disposition"].startswith("attachment")
    assert "plan.pdf" in document.headers["Content-Disposition"]
    thumbnail = fetch(client, f"{image_url}/thumbnail")
    image = Image.open(io.BytesIO(thumbnail.data))
    assert thumbnail.mimetype == "image/jpeg" and image.size == (20, 40)  # turned upright
    assert not image.getexif()  # no camera metadata (orientation, make, GPS …) in the thumbnail
    assert fetch(client, f"{pdf_url}/thumbnail").status_code == 404  # documents have none


@pytest.mark.parametrize(
    ("sent", "field", "reason"),
    [
        ([("photos", HTML, "photo.jpg")], "photos", "不能作为附件"),  # a page disguised as a photo
        ([("files", HTML, "report.pdf")], "files", "不能作为附件"),
        ([("files", plain_zip(), "table.xlsx")], "files", "不能作为附件"),  # a zip is no workbook
        ([("files", b"PK\x03\x04 not really a zip", "table.docx")], "files", "不能作为附件"),
        ([("photos", PDF, "scan.jpg")], "photos", "不是照片"),  # a real PDF, but not a photo
        ([("photos", jpeg()[:200], "cut.jpg")], "photos", "无法读取"),  # truncated
        ([("files", b"", "empty.pdf")], "files", "文件为空"),
        ([("files", PDF, "ok.pdf"), ("files", HTML, "bad.png")], "files", "bad.png"),
    ],
)
def test_refused_files_name_the_field_and_nothing_is_written(
    client: FlaskClient, store: Path, run: Any, sent: list[tuple[str, bytes, str]], field: str, reason: str
) -> None:
    login(client, "grid_worker_1")
    before = case_count(run)
    files: dict[str, list[Any]] = {}
    for name, content, filename in sent:
        files.setdefault(name, []).append((io.BytesIO(content), filename))
    response = report(client, **files)
    assert response.status_code == 422
    page = response.data.decode()
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(reason)}', page), page
    assert 'value="桃源路12号"' in page  # what was typed is kept
    assert case_count(run) == before and stored(store) == []


def test_size_count_and_pixel_limits(client: FlaskClient, store: Path, app: Flask, run: Any,
                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    login(client, "grid_worker_1")
    before = case_count(run)
    # Small sizes: the test client spools bodies over 500 KB to a file it never closes.
    monkeypatch.setitem(app.config, "GRIDCASE_ATTACHMENT_MAX_BYTES", 256 * 1024)
    monkeypatch.setitem(app.config, "GRIDCASE_ATTACHMENT_MAX_FILES", 2)
    monkeypatch.setitem(app.config, "GRIDCASE_ATTACHMENT_MAX_PIXELS", 10_000)
    too_big = report(client, files=(io.BytesIO(PDF + b"0" * 256 * 1024), "big.pdf")).data.decode()
    assert re.search(r'id="files-error">big.pdf: [^<]*0.25 MB', too_big)
    too_many = report(client, files=[(io.BytesIO(PDF), f"{n}.pdf") for n in range(3)]).data.decode()
    assert re.search(r'id="files-error">[^<]*2', too_many)
    too_wide = report(client, photos=(io.BytesIO(png(200, 100)), "wide.png")).data.decode()
    assert re.search(r'id="photos-error">wide.png: [^<]*像素', too_wide)
    assert case_count(run) == before and stored(store) == []


def test_a_request_over_the_whole_limit_is_a_clear_413(client: FlaskClient, store: Path, app: Flask,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    login(client, "grid_worker_1")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = report(client, files=(io.BytesIO(PDF + b"0" * 128 * 1024), "big.pdf"))
    assert response.status_code == 413
    assert "0.0625 MB" in response.data.decode() and stored(store) == []


def test_a_decompression_bomb_is_refused(client: FlaskClient, store: Path) -> None:
    login(client, "grid_worker_1")
    out = io.BytesIO()
    Image.new("1", (20_000, 10_000)).save(out, "PNG")  # 200 megapixels in a few kilobytes: over Pillow's own limit
    response = report(client, photos=(io.BytesIO(out.getvalue()), "bomb.png"))
    assert response.status_code == 422 and "像素" in response.data.decode()
    assert stored(store) == []


def test_only_those_who_see_the_case_see_its_files(client: FlaskClient, store: Path) -> None:
    login(client, "grid_worker_1")
    case_url = report(client, photos=(io.BytesIO(jpeg()), "p.jpg")).location
    (image_url,) = ATTACHMENT_URL.findall(client.get(case_url).data.decode())
    client.post("/logout")
    anonymous = fetch(client, image_url)
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    login(client, "grid_worker_5")  # 西河镇: another township
    assert fetch(client, image_url).status_code == 404
    assert fetch(client, f"{image_url}/thumbnail").status_code == 404
    client.post("/logout")
    login(client, "township_dispatcher_1")
    assert fetch(client, image_url).status_code == 200
    case_id, attachment_id = re.findall(r"\d+", image_url)
    assert fetch(client, f"/cases/{int(case_id) + 1000}/attachments/{attachment_id}").status_code == 404
    assert fetch(client, f"/cases/{case_id}/attachments/{int(attachment_id) + 1000}").status_code == 404


def test_files_can_be_added_to_an_open_case_from_its_page(client: FlaskClient, store: Path, run: Any) -> None:
    login(client, "grid_worker_1")
    case_url = report(client).location
    assert stored(store) == []
    added = client.post(f"{case_url}/attachments", data={"files": (io.BytesIO(png()), "site.png")},
                        content_type="multipart/form-data")  # fmt: skip
    assert added.status_code == 302
    page = client.get(case_url).data.decode()
    assert "site.png" in page and len(stored(store)) == 2
    nothing = client.post(f"{case_url}/attachments", data={}, content_type="multipart/form-data")
    assert nothing.status_code == 302 and nothing.location.endswith("#attachments")  # back to the case, told why
    assert "请选择照片或文档。" in client.get(case_url).data.decode()
    text = client.post(f"{case_url}/attachments", data={"files": (io.BytesIO(b"just text"), "notes.txt")},
                       content_type="multipart/form-data")  # fmt: skip
    assert text.status_code == 302
    told = client.get(case_url).data.decode()
    assert 'class="flash error"' in told and "notes.txt" not in told.split("attachments-list")[-1]
    assert len(stored(store)) == 2
    client.post("/logout")
    login(client, "grid_worker_5")
    other = client.post(f"{case_url}/attachments", data={"files": (io.BytesIO(png()), "x.png")},
                        content_type="multipart/form-data")  # fmt: skip
    assert other.status_code == 404 and len(stored(store)) == 2


def test_a_photo_of_more_than_fifty_million_pixels_is_refused_before_it_is_decoded(app: Flask) -> None:
    import struct
    import zlib

    from app.attachments.content import RefusedFile, inspect

    ihdr = struct.pack(">IIBBBBB", 9400, 9400, 8, 2, 0, 0, 0)  # 88 million pixels: 258 KB of PNG took 230 MB

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header_only = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")
    assert app.config["GRIDCASE_ATTACHMENT_MAX_PIXELS"] == 50_000_000  # under Pillow's own 89 million
    with pytest.raises(RefusedFile, match="too many pixels"):
        inspect(header_only, max_pixels=app.config["GRIDCASE_ATTACHMENT_MAX_PIXELS"])
