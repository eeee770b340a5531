"""The dashboards' overdue counts: read for the whole county once, kept by the process, cleared by a change."""

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from app.extensions import db
from tests.casetypes.walk import Walk
from tests.conftest import FIRE_REPORT
from tests.dashboard.test_stats import COUNTY, TOWNSHIP_1, stats


@pytest.fixture
def reads(app: Flask) -> Iterator[list[str]]:
    """The statements that count overdue open tasks, as they are sent."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "CASE WHEN (task.status" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def test_pages_share_the_countys_counts_until_a_case_changes(api: Any, cases: dict[str, int], reads: list[str]) -> None:
    county = stats(api, "county_dispatcher", org_unit=COUNTY).json
    township = stats(api, "county_dispatcher", org_unit=TOWNSHIP_1).json
    assert len(reads) == 1  # the township's page added up its own units' rows of the county's
    assert 0 < township["overdue_open"] <= county["overdue_open"]
    assert sum(c["overdue_open"] for c in county["by_child_unit"]) <= county["overdue_open"]
    Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)  # a new case: its trail clears them
    assert stats(api, "county_dispatcher", org_unit=TOWNSHIP_1).json["overdue_open"] == township["overdue_open"]
    assert len(reads) == 2


def test_counted_afresh_once_the_setting_runs_out(
    app: Flask, api: Any, cases: dict[str, int], reads: list[str], monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "GRIDCASE_OVERDUE_CACHE_SECONDS", 0)
    stats(api, "county_dispatcher", org_unit=COUNTY)
    stats(api, "county_dispatcher", org_unit=COUNTY)
    assert len(reads) == 2
