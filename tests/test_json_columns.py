"""JSON columns are read by orjson (app/engine/json_text.py, set in app/config.py), and what orjson refuses by
Python's json: a case's data with an integer beyond 64 bits reads back whole, on both databases."""

from typing import Any

from flask import Flask
from sqlalchemy import text

from app.cases.models import Case
from app.engine import json_text
from app.extensions import db
from tests.perf.test_statement_counts import _start

HUGE = 2**70 + 1  # orjson reads integers beyond 64 bits as floats (2**70 itself is one exactly)


def test_json_columns_read_back_what_was_stored(app: Flask, api: Any) -> None:
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["json_deserializer"] is json_text.loads
    case_id = _start(api)["id"]
    with app.app_context():
        stored = f'{{"address": "城关路1号", "households": {HUGE}, "floors": [1, 2.5, null], "ok": true}}'
        db.session.execute(text('UPDATE "case" SET data = :data WHERE id = :id'), {"data": stored, "id": case_id})
        db.session.commit()
        db.session.expunge_all()

        case = db.session.get(Case, case_id)

        assert case is not None
        assert case.data == {"address": "城关路1号", "households": HUGE, "floors": [1, 2.5, None], "ok": True}
        assert isinstance(case.data["households"], int)
