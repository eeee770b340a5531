"""A case's number carries the county's date of its report, not UTC's: at 07:43 in Beijing on 28 November it is
still the 27th in UTC, and the number said 20261127 while the page said 28 November."""

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import FIRE_REPORT, GRID_1


@pytest.mark.parametrize(
    ("instant", "day"),
    [(datetime(2026, 11, 27, 23, 43, tzinfo=UTC), "20261128"), (datetime(2026, 11, 28, 15, 59, tzinfo=UTC), "20261128"),
     (datetime(2026, 11, 28, 16, 0, tzinfo=UTC), "20261129")],
)  # fmt: skip
def test_a_case_number_has_the_countys_date(
    api: Any, monkeypatch: pytest.MonkeyPatch, instant: datetime, day: str
) -> None:
    monkeypatch.setattr("app.api.views.utcnow", lambda: instant)
    started = api("grid_worker_1").post("/cases", {"case_type": "fire_hazard_rectification", "org_unit": GRID_1,
                                                   "data": FIRE_REPORT})  # fmt: skip
    assert started.status_code == 201, started.json
    assert started.json["number"][2:10] == day and started.json["number"].startswith("XF")
