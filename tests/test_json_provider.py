"""Response JSON (app/json_provider.py): a shared value is encoded once and spliced in; everything else as Flask."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from app.json_provider import Encoded
from tests.conftest import FIRE_REPORT, GRID_1

FORM = {"schema": {"type": "object", "title": "受理并研判", "properties": {"x": {"type": "string"}}}, "ui_schema": {}}


def test_a_shared_value_is_encoded_once_and_spliced_into_every_place(app: Flask) -> None:
    form = Encoded(FORM)
    text = app.json.dumps({"items": [{"id": 1, "form": form}, {"id": 2, "form": form}], "next": None})
    assert json.loads(text) == {"items": [{"id": 1, "form": FORM}, {"id": 2, "form": FORM}], "next": None}
    form.value = {"changed": True}  # never done: shows that the kept text is what goes out
    assert json.loads(app.json.dumps([form]))[0] == FORM


def test_texts_that_look_like_a_placeholder_go_out_as_written(app: Flask) -> None:
    form = Encoded(FORM)
    tricky = ["\x00", "\x00" + "0" * 16 + f":{id(form)}", '"\\u0000"']
    assert json.loads(app.json.dumps({"form": form, "texts": tricky})) == {"form": FORM, "texts": tricky}


def test_everything_else_is_encoded_as_flask_does(app: Flask) -> None:
    at = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert json.loads(app.json.dumps({"at": at})) == {"at": "Thu, 26 Nov 2026 08:00:00 GMT"}
    with pytest.raises(TypeError):
        app.json.dumps({"x": object()})


def test_an_inbox_page_carries_each_tasks_form(api: Any) -> None:
    worker = api("grid_worker_1")
    body = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
    assert worker.post("/cases", json=body).status_code == 201
    assert worker.post("/cases", json=body).status_code == 201
    items = api("township_dispatcher_1").get("/tasks?limit=50").json["items"]
    forms = [t["form"] for t in items if t["bpmn_id"] == "accept_and_assess"]
    assert len(forms) >= 2 and all(f == forms[0] for f in forms)
    assert forms[0]["schema"]["properties"]["severity_decision"]["type"] == "string"


def test_nan_and_infinity_are_not_json(app: Flask, api: Any) -> None:
    with pytest.raises(ValueError, match="NaN"):
        app.json.loads('{"x": NaN}')
    worker = api("grid_worker_1")
    body = json.dumps({"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": {"x": 1}})
    body = body.replace('"x": 1', '"x": Infinity')
    response = worker.client.post(
        "/api/v1/cases", data=body, headers={**worker.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400 and "JSON" in response.json["error"]["message"], response.json


def test_an_api_answer_is_utf8_with_sorted_keys_and_shared_values_spliced(app: Flask) -> None:
    form = Encoded(FORM)
    with app.app_context():
        body = app.json.response({"b": "桃源路", "a": [1, 2.5, None], "form": form, "again": form}).get_data()
    kept = json.dumps(FORM, sort_keys=True)  # the shared value's text, as Flask wrote it the first time
    assert body == f'{{"a":[1,2.5,null],"again":{kept},"b":"桃源路","form":{kept}}}\n'.encode()


def test_what_orjson_refuses_is_answered_as_flask_answers_it(app: Flask) -> None:
    at = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    value = {"huge": 2**70 + 1, "surrogate": "\ud800", "at": at}
    with app.app_context():
        assert json.loads(app.json.response(value).get_data()) == {**value, "at": "Thu, 26 Nov 2026 08:00:00 GMT"}
        with pytest.raises(TypeError):
            app.json.response({"x": object()})


def test_a_request_reads_an_integer_beyond_64_bits_whole(app: Flask) -> None:
    assert app.json.loads(f'{{"households": {2**70 + 1}}}') == {"households": 2**70 + 1}
    assert app.json.loads(b'{"a": "\\u6843"}') == {"a": "桃"}
