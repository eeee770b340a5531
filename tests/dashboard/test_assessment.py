"""Grid-worker assessment: scores from the event log under the scheme file, top workers per township."""

import re
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from app.clock import utcnow
from app.dashboard.assessment import Scheme, load_scheme, township_ranking
from app.dashboard.periods import Period
from app.extensions import db
from app.org.service import unit_by_code
from tests.casetypes.test_dispute_mediation import DISPUTE
from tests.conftest import login
from tests.dashboard.dataset import Flow, at
from tests.dashboard.test_stats import COUNTY, TOWNSHIP_1, TOWNSHIP_2

GRID_2 = "360123001001002"  # 桃源社区第2网格: grid_worker_2


def late_visit_by_grid_worker_2() -> None:
    """Reported on 2 March, the return visit (3 working days) done on 25 March: one late completion."""
    flow = Flow("dispute_mediation", "grid_worker_2", {**DISPUTE, "settled_on_spot": True, "spot_agreement": "和解"},
                GRID_2, at(3, 2))  # fmt: skip
    flow.step("grid_worker_2", "return_visit", {"agreement_honoured": True}, at(3, 25))
    db.session.commit()


def ranking(html: str, township: str) -> list[tuple[str, str]]:
    section = html.split(f'data-township="{township}"')[1].split("</section>", maxsplit=1)[0]
    return re.findall(r'data-worker="([^"]+)">.*?<strong>([^<]+)</strong>', section, flags=re.S)


def test_monthly_scores_ranked_per_township(client: FlaskClient, run: Any, cases: dict[str, int]) -> None:
    run(late_visit_by_grid_worker_2)
    login(client, "leader")
    html = client.get(f"/dashboard/assessment?org_unit={COUNTY}&period=month&date=2026-03-01").data.decode()
    # grid_worker_1: reported D (+2), closed its visit on time (+1 +1); grid_worker_2: reported (+2), one task
    # done (+1) but late (-2); grid_worker_5 reported C (+2); the others did nothing (ties by username).
    assert ranking(html, TOWNSHIP_1) == [("grid_worker_1", "4"), ("grid_worker_2", "1"), ("grid_worker_3", "0"),
                                         ("grid_worker_4", "0")]  # fmt: skip
    assert ranking(html, TOWNSHIP_2)[0] == ("grid_worker_5", "2")
    april = client.get(f"/dashboard/assessment?org_unit={TOWNSHIP_1}&date=2026-04-01").data.decode()
    assert {score for _worker, score in ranking(april, TOWNSHIP_1)} == {"0"}
    assert f'data-township="{TOWNSHIP_2}"' not in april


def test_the_scheme_is_data(tmp_path: Path, run: Any, cases: dict[str, int]) -> None:
    assert load_scheme().points == {"reported": 2.0, "completed": 1.0, "on_time": 1.0, "late": -2.0, "overdue": -2.0,
                                  "returned": -1.0}  # fmt: skip
    bad = tmp_path / "scheme.json"
    bad.write_text('{"points": {"bribes": 5}}', "utf-8")
    with pytest.raises(ValueError, match="bribes"):
        load_scheme(bad)
    start, end = Period(date(2026, 3, 1), date(2026, 3, 31)).instants(ZoneInfo("Asia/Shanghai"))
    township = run(unit_by_code, TOWNSHIP_1)
    top = run(township_ranking, township, start, end, Scheme(points={"reported": 10}, top=2), now=utcnow())
    assert [(s.worker.username, s.score) for s in top] == [("grid_worker_1", 10.0), ("grid_worker_2", 0.0)]


def test_only_dashboard_roles_see_the_assessment(client: FlaskClient) -> None:
    login(client, "grid_worker_1")
    assert client.get("/dashboard/assessment").status_code == 403
