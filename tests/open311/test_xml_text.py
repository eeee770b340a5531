"""Open311 answers never fail on text: characters XML 1.0 cannot carry become U+FFFD in XML (JSON carries them as
escapes), a POST's reply is built before its case is saved, and dates outside the years kept are refused."""

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.cases.models import Case, CaseEvent
from app.date_range import FIRST_YEAR, LAST_YEAR
from app.extensions import db
from app.open311 import views
from app.open311.formats import render
from app.open311.requests import CHANNEL
from app.xml_text import xml_text
from tests.open311.test_open311 import BASE, CITIZEN, ERROR, GAS, POSTED, REQUEST, get, post, xml_items

CANNOT = "Contains a character that cannot be stored (NUL or an unpaired surrogate)."
REPORT = {"service_code": GAS, "address_string": "桃源路12号", "description": "燃气表漏气需要检查"}


def saved() -> int:
    return int(db.session.scalar(select(func.count()).select_from(Case).where(Case.channel == CHANNEL)) or 0)


def xml_errors(answer: Any) -> list[dict[str, str]]:
    return [{k: v.text for k, v in e.items()} for e in xml_items(answer, "errors", "error")]


def test_the_helper_replaces_what_xml_cannot_carry_and_keeps_the_rest() -> None:
    kept = "桃源路\t12号\n\r🔥\x7f\u2028\ufffd"
    assert xml_text(kept) == kept
    assert xml_text("a\x00\x01\x08\x0b\x0c\x0e\x1fb\ufffe\uffff\ud800\udfff") == "a" + "\ufffd" * 7 + "b" + "\ufffd" * 4


def test_every_xml_answer_replaces_what_xml_cannot_carry(app: Any) -> None:
    with app.test_request_context():
        answer = render("xml", [{"a": "x\x01y", "b": ["\ufffe", "\udc00"]}], root="r", item="i")
    assert answer.status_code == 200
    assert b"<a>x\xef\xbf\xbdy</a>" in answer.data and answer.data.count(b"\xef\xbf\xbd") == 3


def test_an_account_id_the_xml_reply_cannot_carry(client: FlaskClient, key: str) -> None:
    """Before, the case was saved and then the reply failed (500): a client's retry filed it twice."""
    before = saved()
    answer = post(client, "xml", api_key=key, **REPORT, **{**CITIZEN, "account_id": "a\x01b"})
    assert answer.status_code == 201, answer.data  # control characters are kept as written, and shown as U+FFFD
    reply = xml_items(answer, "service_requests", "request")
    assert set(reply[0]) == POSTED and reply[0]["account_id"].text == "a\ufffdb"
    assert saved() == before + 1


def test_the_reply_to_a_post_is_built_before_the_case_is_saved(
    client: FlaskClient, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("status") == 201:
            raise RuntimeError("the reply could not be built")
        return render(*args, **kwargs)

    before = saved()
    monkeypatch.setattr(views, "render", failing)
    assert post(client, "json", api_key=key, **REPORT, **CITIZEN).status_code == 500  # "nothing was saved"
    assert saved() == before


def _store_unwritable_text(number: str) -> None:
    """Text as a report may have stored it: control characters are kept as written."""
    case = db.session.scalars(select(Case).where(Case.number == number)).one()
    case.address = "桃源路\x0b12号"
    case.org_unit.name = "桃源社区\x01第1网格"
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                       CaseEvent.kind == "open311_received")).one()  # fmt: skip
    event.payload = {**event.payload, "description": "燃气\x0b漏气\ufffe", "media_url": "https://example.com/\x1f.jpg"}
    db.session.commit()


def test_stored_text_xml_cannot_carry_is_listed_with_replacements(client: FlaskClient, key: str, run: Any) -> None:
    number = post(client, "json", api_key=key, **REPORT, **CITIZEN).json[0]["service_request_id"]
    run(_store_unwritable_text, number)
    for path, params in ((f"requests/{number}", {}), ("requests", {"service_request_id": number}), ("requests", {})):
        answer = get(client, path, "xml", **params)
        assert answer.status_code == 200, (path, answer.data)
        item = next(r for r in xml_items(answer, "service_requests", "request")
                    if r["service_request_id"].text == number)  # fmt: skip
        assert set(item) == REQUEST
        assert (item["address"].text, item["agency_responsible"].text) == ("桃源路\ufffd12号", "桃源社区\ufffd第1网格")
        assert (item["description"].text, item["media_url"].text) == (
            "燃气\ufffd漏气\ufffd",
            "https://example.com/\ufffd.jpg",
        )
    as_json = get(client, f"requests/{number}", "json").json[0]
    assert (as_json["address"], as_json["description"]) == ("桃源路\x0b12号", "燃气\x0b漏气\ufffe")


@pytest.mark.parametrize("path", ["services/a%01b", "tokens/a%01b", "requests/a%01b", "requests?status=a%01b"])
def test_an_error_answer_echoing_a_control_character(client: FlaskClient, path: str) -> None:
    where, _sep, query = path.partition("?")
    answer = client.get(f"{BASE}/{where}.xml?{query}")
    assert answer.status_code in (400, 404), answer.data
    errors = xml_errors(answer)
    assert set(errors[0]) == ERROR and errors[0]["code"] == str(answer.status_code)
    assert "\x01" not in str(errors)


def test_a_post_error_echoing_a_control_character(client: FlaskClient, key: str) -> None:
    answer = post(client, "xml", api_key=key, **{**REPORT, "service_code": "a\x01b"})
    assert answer.status_code in (400, 404), answer.data
    assert set(xml_errors(answer)[0]) == ERROR


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "0001-01-01T00:00:00+08:00"},
        {"end_date": "9999-12-31T23:59:59-05:00"},
        {"end_date": "0001-01-01T00:00:00+00:00"},
        {"start_date": f"{FIRST_YEAR - 1}-12-31T23:59:59+00:00"},
        {"end_date": f"{LAST_YEAR + 1}-01-01T00:00:00Z"},
    ],
)
def test_a_date_outside_the_years_kept_is_refused(client: FlaskClient, params: dict[str, str]) -> None:
    (name,) = params
    answer = get(client, "requests", "json", locale="en", **params)
    assert answer.status_code == 400, answer.data
    why = f"{name}: Must be within the years {FIRST_YEAR} to {LAST_YEAR}."
    assert answer.json == [{"code": 400, "description": why}]
    assert xml_errors(get(client, "requests", "xml", locale="en", **params))[0]["code"] == "400"


def test_the_first_and_last_years_kept_are_accepted(client: FlaskClient, key: str) -> None:
    number = post(client, "json", api_key=key, **REPORT, **CITIZEN).json[0]["service_request_id"]
    first, last = f"{FIRST_YEAR}-01-01T00:00:00+14:00", f"{LAST_YEAR}-12-31T23:59:59-12:00"
    wide = get(client, "requests", "json", start_date=first, end_date=last)
    assert wide.status_code == 200 and number in {r["service_request_id"] for r in wide.json}
    early = get(client, "requests", "xml", end_date=first)  # from 90 days before: a year earlier, still stored
    assert early.status_code == 200 and xml_items(early, "service_requests", "request") == []


def test_a_field_refused_before_the_view_is_named_in_the_error(client: FlaskClient, key: str) -> None:
    """The app's own check of every request names fields; GeoReport errors have only a description to name them."""
    before = saved()
    answer = client.post(f"{BASE}/requests.json?locale=en", data={"api_key": key, **REPORT, "description": "a\x00b"})
    assert answer.status_code == 400
    assert answer.json == [{"code": 400, "description": f"description: {CANNOT}"}]
    assert saved() == before
