"""The dashboards' overdue counts: read for the whole county once, kept by the process for the setting's seconds."""

from typing import Any

from flask import Flask

from tests.casetypes.walk import Walk
from tests.conftest import FIRE_REPORT
from tests.dashboard.test_stats import COUNTY, TOWNSHIP_1, stats
from tests.perf.statements import statements

OVERDUE_READ = "CASE WHEN (task.status"  # the statement that counts overdue open tasks (app/dashboard/overdue.py)


def overdue_reads(seen: list[str]) -> int:
    return sum(OVERDUE_READ in statement for statement in seen)


def test_pages_share_the_countys_counts_for_the_settings_seconds(app: Flask, api: Any, cases: dict[str, int]) -> None:
    with statements(app) as seen:
        county = stats(api, "county_dispatcher", org_unit=COUNTY).json
        township = stats(api, "county_dispatcher", org_unit=TOWNSHIP_1).json
    assert overdue_reads(seen) == 1  # the township's page added up its own units' rows of the county's
    assert 0 < township["overdue_open"] <= county["overdue_open"]
    assert sum(c["overdue_open"] for c in county["by_child_unit"]) <= county["overdue_open"]
    # Cases keep changing (a county's working day): the pages go on sharing the counts until the seconds run out.
    Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    with statements(app) as seen:
        assert stats(api, "county_dispatcher", org_unit=TOWNSHIP_1).json["overdue_open"] == township["overdue_open"]
    assert overdue_reads(seen) == 0


def test_counted_afresh_once_the_setting_runs_out(
    app: Flask, api: Any, cases: dict[str, int], monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "GRIDCASE_OVERDUE_CACHE_SECONDS", 0)
    with statements(app) as seen:
        stats(api, "county_dispatcher", org_unit=COUNTY)
        stats(api, "county_dispatcher", org_unit=COUNTY)
    assert overdue_reads(seen) == 2
