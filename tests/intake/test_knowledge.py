"""The knowledge base: editors write answers linked to taxonomy items; everyone searches; handlers see related ones."""

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases.models import Case
from app.extensions import db
from app.intake.models import Category
from tests.api.test_fire_hazard_walk import start_fire_case
from tests.conftest import login

LANE = {"title": "消防通道被占用怎么办", "body": "消防通道禁止堆放杂物，物业应当及时清理。", "keywords": "消防 通道 占用",
        "categories": ["0101"]}  # fmt: skip
NOISE = {"title": "夜间施工噪音投诉", "body": "夜间22时至次日6时禁止产生噪声污染的施工作业。", "keywords": "噪音 施工",
         "categories": ["020202"]}  # fmt: skip


def test_editor_creates_and_everyone_searches_ranked(api: Any) -> None:
    editor = api("county_dispatcher")
    lane = editor.post("/knowledge", LANE)
    assert lane.status_code == 201 and lane.json["categories"] == [{"code": "0101", "name": "消防安全"}]
    editor.post("/knowledge", {**NOISE, "body": NOISE["body"] + "消防车道也不得占用。"})
    operator = api("hotline_operator")
    found = operator.get("/knowledge?q=消防").json["items"]
    assert [e["title"] for e in found] == [LANE["title"], NOISE["title"]]  # title match before body match
    assert [e["title"] for e in operator.get("/knowledge?q=噪音 夜间").json["items"]] == [NOISE["title"]]
    assert operator.get("/knowledge?q=100%25").json["items"] == []
    # a leaf below the linked branch finds the branch's answer
    assert [e["title"] for e in operator.get("/knowledge?category=010101").json["items"]] == [LANE["title"]]
    assert operator.get("/knowledge?category=nope").status_code == 422
    assert operator.get(f"/knowledge/{lane.json['id']}").json["body"] == LANE["body"]


def test_bad_input_names_the_fields_and_only_editors_write(api: Any) -> None:
    editor = api("admin")
    bad = editor.post("/knowledge", {"title": "", "body": "x" * 10001, "categories": ["zz99"]})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"title", "body", "categories"}
    assert editor.post("/knowledge", {**LANE, "categories": "0101"}).status_code == 422
    assert editor.post("/knowledge", {**LANE, "title": 5}).status_code == 422
    assert api("hotline_operator").post("/knowledge", LANE).status_code == 403
    created = editor.post("/knowledge", LANE).json
    changed = editor.client.put(f"/api/v1/knowledge/{created['id']}", headers=editor.headers,
                                json={**LANE, "title": "新标题", "active": False})  # fmt: skip
    assert changed.status_code == 200 and changed.json["active"] is False
    operator = api("hotline_operator")
    assert operator.get(f"/knowledge/{created['id']}").status_code == 404  # inactive: only editors see it
    assert operator.get("/knowledge?q=新标题").json["items"] == []
    assert operator.get("/knowledge/999999").status_code == 404


def test_pages_create_edit_and_search(client: FlaskClient) -> None:
    login(client, "county_dispatcher")
    refused = client.post("/intake/knowledge/new", data={"title": "", "body": "", "categories": ["zz"]})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-field="title"' in page and 'data-field="categories"' in page
    created = client.post("/intake/knowledge/new", data={**LANE, "active": "y"})
    assert created.status_code == 302
    entry_url = created.headers["Location"]
    assert LANE["body"] in client.get(entry_url).get_data(as_text=True)
    form = client.get(entry_url + "/edit").get_data(as_text=True)
    assert '<option selected value="0101">' in form
    assert client.post(entry_url + "/edit", data={**LANE, "title": "改过的标题", "active": "y"}).status_code == 302
    listing = client.get("/intake/knowledge?q=改过").get_data(as_text=True)
    assert "改过的标题" in listing
    client.get("/logout")
    login(client, "grid_worker_1")
    assert "改过的标题" in client.get("/intake/knowledge?category=010101").get_data(as_text=True)
    assert client.get("/intake/knowledge/new").status_code == 403
    assert client.get(entry_url + "/edit").status_code == 403


def test_task_page_shows_answers_for_the_case_category(api: Any, client: FlaskClient, run: Any) -> None:
    api("admin").post("/knowledge", LANE)
    api("admin").post("/knowledge", NOISE)
    started = start_fire_case(api)

    def categorise() -> None:
        case = db.session.get(Case, started["id"])
        assert case is not None
        case.category_id = db.session.scalar(select(Category.id).where(Category.code == "010101"))
        db.session.commit()

    run(categorise)
    login(client, "grid_worker_1")
    page = client.get(f"/tasks/{started['open_tasks'][0]['id']}").get_data(as_text=True)
    assert "related-answers" in page and LANE["title"] in page and NOISE["title"] not in page
