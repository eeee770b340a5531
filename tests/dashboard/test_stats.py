"""Statistics over the API, against numbers computed by hand from dataset.build()."""

from typing import Any

import pytest

TOWNSHIP_1, TOWNSHIP_2, COUNTY = "360123001000", "360123101000", "360123000000"
TAOYUAN, LIUWAN = "360123001001", "360123001002"
ZERO = {"received": 0, "accepted": 0, "accepted_closed": 0, "closed": 0, "closed_on_time": 0, "overdue_open": 0,
        "returned": 0, "visits": 0, "satisfied": 0, "dissatisfied": 0}  # fmt: skip


def stats(api: Any, username: str, **params: str) -> Any:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api(username).get(f"/stats?{query}")


def pick(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in ZERO}


MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def test_a_township_in_march_by_case_type_and_child_unit(api: Any, cases: dict[str, int]) -> None:
    body = stats(api, "county_dispatcher", org_unit=TOWNSHIP_1, **MARCH).json
    assert (body["org_unit"], body["from"], body["to"]) == (TOWNSHIP_1, "2026-03-01", "2026-03-31")
    # A, B, D, F opened in March; A and D closed in March on time; B was returned once; E and F have overdue tasks;
    # D's visit honoured, F's unsatisfied.
    assert pick(body) == {**ZERO, "received": 4, "accepted": 4, "accepted_closed": 2, "closed": 2, "closed_on_time": 2,
                          "overdue_open": 2, "returned": 1, "visits": 2, "satisfied": 1, "dissatisfied": 1}  # fmt: skip
    assert (body["acceptance_rate"], body["closure_rate"], body["on_time_rate"], body["satisfaction_rate"]) == (
        1.0, 0.5, 1.0, 0.5)  # fmt: skip
    hotline, dispute = body["by_case_type"]["hotline_matter"], body["by_case_type"]["dispute_mediation"]
    assert pick(hotline) == {**ZERO, "received": 3, "accepted": 3, "accepted_closed": 1, "closed": 1,
                             "closed_on_time": 1, "overdue_open": 2, "returned": 1, "visits": 1, "dissatisfied": 1}  # fmt: skip
    assert pick(dispute) == {**ZERO, "received": 1, "accepted": 1, "accepted_closed": 1, "closed": 1,
                             "closed_on_time": 1, "visits": 1, "satisfied": 1}  # fmt: skip
    assert hotline["satisfaction_rate"] == 0.0 and hotline["closure_rate"] == 0.3333
    taoyuan, liuwan = body["by_child_unit"]
    assert (taoyuan["org_unit"], liuwan["org_unit"]) == (TAOYUAN, LIUWAN)
    assert pick(taoyuan) == {**ZERO, "received": 3, "accepted": 3, "accepted_closed": 2, "closed": 2,
                             "closed_on_time": 2, "overdue_open": 1, "returned": 1, "visits": 1, "satisfied": 1}  # fmt: skip
    assert pick(liuwan) == {**ZERO, "received": 1, "accepted": 1, "overdue_open": 1, "visits": 1, "dissatisfied": 1}
    assert liuwan["on_time_rate"] is None and liuwan["closure_rate"] == 0.0


def test_a_case_opened_in_march_is_closed_late_in_april(api: Any, cases: dict[str, int]) -> None:
    body = stats(api, "leader", org_unit=TOWNSHIP_1, period="month", date="2026-04-15").json
    assert (body["from"], body["to"]) == ("2026-04-01", "2026-04-30")
    # E opened in April, not closed; B closed in April after its return visit was late, basically satisfied.
    assert pick(body) == {**ZERO, "received": 1, "accepted": 1, "closed": 1, "overdue_open": 2, "visits": 1,
                          "satisfied": 1}  # fmt: skip
    assert (body["closure_rate"], body["on_time_rate"], body["satisfaction_rate"]) == (0.0, 0.0, 1.0)


def test_a_custom_period_spanning_two_months(api: Any, cases: dict[str, int]) -> None:
    body = stats(api, "township_dispatcher_1", **{"from": "2026-03-10", "to": "2026-04-05"}).json
    assert body["org_unit"] == TOWNSHIP_1  # the caller's own unit by default
    assert pick(body) == {**ZERO, "received": 4, "accepted": 4, "accepted_closed": 2, "closed": 2,
                          "closed_on_time": 1, "overdue_open": 2, "returned": 1, "visits": 3, "satisfied": 2,
                          "dissatisfied": 1}  # fmt: skip


def test_the_county_counts_both_townships_and_a_quiet_one_has_null_rates(api: Any, cases: dict[str, int]) -> None:
    county = stats(api, "leader", org_unit=COUNTY, **MARCH).json
    assert (county["received"], county["overdue_open"]) == (5, 3)
    assert [(u["org_unit"], u["received"]) for u in county["by_child_unit"]] == [(TOWNSHIP_1, 4), (TOWNSHIP_2, 1)]
    west = stats(api, "township_dispatcher_2", **MARCH).json
    assert pick(west) == {**ZERO, "received": 1, "accepted": 1, "overdue_open": 1}
    assert (west["on_time_rate"], west["satisfaction_rate"], west["closure_rate"]) == (None, None, 0.0)
    empty = stats(api, "leader", period="day", date="2025-01-01").json
    assert empty["received"] == 0 and empty["acceptance_rate"] is None and empty["org_unit"] == COUNTY


def test_quarter_week_and_year_periods(api: Any, cases: dict[str, int]) -> None:
    quarter = stats(api, "leader", period="quarter", date="2026-05-20").json
    assert (quarter["from"], quarter["to"], quarter["received"]) == ("2026-04-01", "2026-06-30", 1)
    week = stats(api, "leader", period="week", date="2026-03-04").json  # Wednesday: Monday 2 to Sunday 8 March
    assert (week["from"], week["to"], week["received"]) == ("2026-03-02", "2026-03-08", 2)
    year = stats(api, "leader", period="year", date="2026-07-01").json
    assert (year["from"], year["to"], year["received"]) == ("2026-01-01", "2026-12-31", 6)


def test_the_other_township_does_not_exist_for_a_township_dispatcher(api: Any, cases: dict[str, int]) -> None:
    response = stats(api, "township_dispatcher_1", org_unit=TOWNSHIP_2, **MARCH)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert stats(api, "township_dispatcher_1", org_unit="nope").status_code == 404
    assert stats(api, "township_dispatcher_1", org_unit=COUNTY).status_code == 404  # above their unit
    assert stats(api, "grid_worker_1").status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "2026-03-01", "to": "yesterday"}, "to"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "to"),
        ({"to": "2026-03-01"}, "from"),
        ({"period": "fortnight"}, "period"),
        ({"period": "month", "date": "March"}, "date"),
    ],
)
def test_bad_parameters_name_the_field(api: Any, params: dict[str, str], field: str) -> None:
    response = stats(api, "leader", **params)
    assert response.status_code == 422 and list(response.json["error"]["fields"]) == [field]
