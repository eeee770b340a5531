"""Open311 GeoReport v2: every response checked against the spec's field lists, in JSON and XML."""

import re
from typing import Any

from flask.testing import FlaskClient
from lxml import etree

from tests.casetypes.walk import Walk
from tests.conftest import GRID_1

BASE = "/open311/v2"
# The field lists of http://wiki.open311.org/GeoReport_v2
SERVICE = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
DEFINITION = {"service_code", "attributes"}
POSTED = {"service_request_id", "service_notice", "account_id"}
REQUEST = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
           "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
           "address", "address_id", "zipcode", "lat", "long", "media_url"}  # fmt: skip
DISCOVERY = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT = {"specification", "url", "changeset", "type", "formats"}
ERROR = {"code", "description"}
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")
FIRE_LANE = "010101"  # 消防通道堵塞: fire_hazard_rectification, whose report form maps Open311 fields
GAS = "010203"  # 燃气安全隐患: a hotline matter
CITIZEN = {"first_name": "李", "last_name": "四", "phone": "13800138000", "email": "li@example.com",
           "device_id": "dev-1", "account_id": "acct-9"}  # fmt: skip


def xml_items(response: Any, root: str, item: str) -> list[dict[str, Any]]:
    assert response.content_type.startswith("text/xml")
    assert response.data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    doc = etree.fromstring(response.data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    assert doc.tag == root
    return [{child.tag: child for child in element} for element in doc.findall(item)]


def get(client: FlaskClient, path: str, fmt: str, **params: Any) -> Any:
    return client.get(f"{BASE}/{path}.{fmt}", query_string=params)


def post(client: FlaskClient, fmt: str, **form: Any) -> Any:
    return client.post(f"{BASE}/requests.{fmt}", data=form)


def test_discovery_in_both_formats(client: FlaskClient) -> None:
    body = get(client, "discovery", "json").json
    assert set(body) == DISCOVERY and set(body["endpoints"][0]) == ENDPOINT
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert body["endpoints"][0]["url"].endswith("/open311/v2")
    doc = etree.fromstring(get(client, "discovery", "xml").data)
    assert {c.tag for c in doc} == DISCOVERY
    endpoint = doc.find("endpoints/endpoint")
    assert {c.tag for c in endpoint} == ENDPOINT
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_services_come_from_the_taxonomy_leaves(client: FlaskClient) -> None:
    services = get(client, "services", "json", locale="en").json
    assert all(set(s) == SERVICE for s in services)
    by_code = {s["service_code"]: s for s in services}
    assert len(by_code) >= 80
    assert by_code[FIRE_LANE] | {"description": ""} == {
        "service_code": FIRE_LANE, "service_name": "Blocked fire lane", "description": "", "metadata": False,
        "type": "realtime", "keywords": "xftdds", "group": "Public safety"}  # fmt: skip
    assert by_code[FIRE_LANE]["description"] == "Fire safety: Blocked fire lane"
    xml = xml_items(get(client, "services", "xml"), "services", "service")
    assert len(xml) == len(services)
    assert all(set(s) == SERVICE for s in xml)
    fire = next(s for s in xml if s["service_code"].text == FIRE_LANE)
    assert (fire["service_name"].text, fire["metadata"].text, fire["group"].text) == (
        "消防通道堵塞",
        "false",
        "公共安全",
    )


def test_a_service_definition_and_an_unknown_service(client: FlaskClient) -> None:
    body = get(client, f"services/{FIRE_LANE}", "json").json
    assert set(body) == DEFINITION and body == {"service_code": FIRE_LANE, "attributes": []}
    doc = etree.fromstring(get(client, f"services/{FIRE_LANE}", "xml").data)
    assert doc.tag == "service_definition" and {c.tag for c in doc} == DEFINITION
    for fmt in ("json", "xml"):
        missing = get(client, "services/nope", fmt)
        assert missing.status_code == 404
    assert missing.content_type.startswith("text/xml")
    errors = xml_items(missing, "errors", "error")
    assert set(errors[0]) == ERROR and errors[0]["code"].text == "404"
    assert get(client, "services", "html").status_code == 404


def test_posting_a_request_opens_a_routed_case(client: FlaskClient, key: str, api: Any) -> None:
    answer = post(client, "json", api_key=key, service_code=GAS, lat="28.705", long="115.905",
                  description="小区燃气管道有异味，请尽快处理", media_url="https://example.com/a.jpg", **CITIZEN)  # fmt: skip
    assert answer.status_code == 201, answer.data
    assert len(answer.json) == 1 and set(answer.json[0]) == POSTED
    number = answer.json[0]["service_request_id"]
    assert number.startswith("RX") and answer.json[0]["account_id"] == "acct-9"
    found = get(client, f"requests/{number}", "json").json
    assert len(found) == 1 and set(found[0]) == REQUEST
    item = found[0]
    assert (item["status"], item["service_code"], item["agency_responsible"]) == ("open", GAS, "桃源社区第1网格")
    assert item["description"] == "小区燃气管道有异味，请尽快处理"
    assert (item["lat"], item["long"], item["media_url"]) == (28.705, 115.905, "https://example.com/a.jpg")
    assert W3C.match(item["requested_datetime"]) and item["requested_datetime"].endswith("+08:00")
    assert W3C.match(item["updated_datetime"])
    # Personal data never leaves through GET requests.
    text = get(client, f"requests/{number}", "xml").get_data(as_text=True)
    for secret in ("13800138000", "li@example.com", "李 四", "dev-1"):
        assert secret not in text and secret not in str(found)
    xml = xml_items(get(client, f"requests/{number}", "xml"), "service_requests", "request")
    assert set(xml[0]) == REQUEST and xml[0]["status"].text == "open"
    posted_xml = post(client, "xml", api_key=key, service_code=GAS, address_string="桃源路12号",
                      description="燃气表漏气需要检查", **CITIZEN)  # fmt: skip
    assert posted_xml.status_code == 201
    assert set(xml_items(posted_xml, "service_requests", "request")[0]) == POSTED


def test_request_errors_follow_the_spec(client: FlaskClient, key: str) -> None:
    cases = [
        ({"api_key": "wrong", "service_code": GAS, "address_string": "桃源路"}, 403),
        ({"service_code": GAS, "address_string": "桃源路"}, 403),
        ({"api_key": key, "address_string": "桃源路", "description": "燃气泄漏了"}, 400),
        ({"api_key": key, "service_code": GAS, "description": "燃气泄漏了"}, 400),
        ({"api_key": key, "service_code": GAS, "lat": "28.7", "description": "燃气泄漏了"}, 400),
        ({"api_key": key, "service_code": GAS, "lat": "north", "long": "1", "description": "燃气泄漏了"}, 400),
        ({"api_key": key, "service_code": "999999", "address_string": "桃源路"}, 404),
        ({"api_key": key, "service_code": GAS, "address_string": "桃源路", "description": "短"}, 400),
        (
            {
                "api_key": key,
                "service_code": GAS,
                "address_string": "桃源路",
                "description": "燃气泄漏了",
                **CITIZEN,
                "media_url": 'https://evil.example/x.jpg"><img src=x onerror=alert(1)>',
            },
            400,
        ),  # markup in a URL
    ]
    for form, status in cases:
        for fmt in ("json", "xml"):
            answer = post(client, fmt, **form)
            assert answer.status_code == status, (form, answer.data)
            errors = answer.json if fmt == "json" else [
                {k: v.text for k, v in e.items()} for e in xml_items(answer, "errors", "error")]  # fmt: skip
            assert all(set(e) == ERROR for e in errors) and str(errors[0]["code"]) == str(status)
    short = post(client, "json", api_key=key, service_code=GAS, address_string="桃源路", description="短")
    assert "description: " in short.json[0]["description"]
    no_phone = post(client, "json", api_key=key, service_code=GAS, address_string="桃源路", description="燃气泄漏了")
    assert no_phone.status_code == 400 and no_phone.json[0]["description"].startswith("phone:")
    assert get(client, "requests/RX000", "json").status_code == 404
    assert get(client, "tokens/abc", "xml").status_code == 404


def test_listing_requests_with_filters(client: FlaskClient, key: str) -> None:
    first = post(client, "json", api_key=key, service_code=GAS, address_string="火星基地",
                 description="燃气泄漏需要处理", **CITIZEN).json[0]["service_request_id"]  # fmt: skip
    second = post(client, "json", api_key=key, service_code=FIRE_LANE, lat="28.705", long="115.905",
                  description="消防通道被车辆堵塞").json[0]["service_request_id"]  # fmt: skip
    listed = get(client, "requests", "json").json
    assert {first, second} <= {r["service_request_id"] for r in listed}
    assert all(set(r) == REQUEST for r in listed)
    assert [r["service_request_id"] for r in get(client, "requests", "json", service_code=FIRE_LANE).json] == [second]
    by_id = get(client, "requests", "json", service_request_id=f"{first},{second}").json
    assert {r["service_request_id"] for r in by_id} == {first, second}
    triaged = next(r for r in by_id if r["service_request_id"] == first)
    assert triaged["agency_responsible"] == "青山县"  # unknown address: the county's triage queue
    assert get(client, "requests", "json", status="closed").json == []
    assert len(get(client, "requests", "json", status="open").json) == 2
    assert (
        get(client, "requests", "json", start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00Z").json == []
    )
    assert get(client, "requests", "json", start_date="yesterday").status_code == 400
    assert get(client, "requests", "xml", status="lost").status_code == 400
    xml = xml_items(get(client, "requests", "xml"), "service_requests", "request")
    assert len(xml) == 2 and all(set(r) == REQUEST for r in xml)


def walk_of(api: Any, number: str) -> Walk:
    """A Walk over a case an Open311 client opened (Walk itself starts its case over the API)."""
    walk = Walk.__new__(Walk)
    walk.api, walk.clients, walk.status = api, {}, "open"
    listed = walk.as_("township_dispatcher_1").get("/tasks?scope=candidate").json["items"]
    walk.id = next(t["case_id"] for t in listed if t["case_number"] == number)
    return walk


def test_an_open311_request_followed_to_closure(client: FlaskClient, key: str, api: Any) -> None:
    number = post(client, "json", api_key=key, service_code=FIRE_LANE, lat="28.705", long="115.905",
                  description="消防通道被车辆堵塞").json[0]["service_request_id"]  # fmt: skip
    walk = walk_of(api, number)
    assert walk.case()["org_unit"]["code"] == GRID_1
    walk.step("township_dispatcher_1", "accept_and_assess", {"severity_decision": "minor"})
    assert get(client, f"requests/{number}", "json").json[0]["status"] == "open"
    walk.step(
        "grid_worker_1", "urge_rectification", {"rectification_measures": "车辆已挪走", "rectified_on": "2026-11-26"}
    )
    walk.step("grid_worker_1", "reinspect", {"reinspection_passed": True})
    assert walk.status == "closed"
    closed = get(client, f"requests/{number}", "json").json[0]
    assert (closed["status"], closed["status_notes"]) == ("closed", "已办结。")
    assert get(client, "requests", "xml", status="closed").data.count(number.encode()) == 1


def test_a_category_whose_form_has_no_mapping_comes_in_as_a_hotline_matter(client: FlaskClient, key: str) -> None:
    answer = post(client, "json", api_key=key, service_code="030102", address_string="柳湾菜市场",
                  description="菜市场有商户在卖过期食品", **CITIZEN)  # fmt: skip
    assert answer.status_code == 201, answer.data
    number = answer.json[0]["service_request_id"]
    assert number.startswith("RX")  # the 12345 line's numbers
    item = get(client, f"requests/{number}", "json", locale="en").json[0]
    assert (item["service_code"], item["service_name"]) == ("030102", "Selling expired food")
    assert item["agency_responsible"] == "柳湾社区第1网格"
    assert item["service_notice"] == "Time limit: 3 working days"
    assert item["status_notes"] == "In progress: Answer or dispatch."  # the step's English name, not its Chinese one
    chinese = get(client, f"requests/{number}", "json").json[0]
    assert (chinese["service_notice"], chinese["status_notes"]) == ("办理时限：3个工作日", "办理中：直接答复研判。")
