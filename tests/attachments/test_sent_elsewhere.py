"""A task sent to another grid: its handler there may open the case, see its photos and add their own while the task
is theirs; before, the task opened but the case's page and photos answered 404 (the case lies outside their grid)."""

import io
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.attachments.conftest import fetch
from tests.attachments.files import jpeg
from tests.casetypes.walk import Walk
from tests.conftest import FIRE_REPORT, login

GRID_2 = "360123001001002"  # 桃源社区第2网格: grid_worker_2
MINOR = {"severity_decision": "minor", "assessment_opinion": "现场可整改"}


def test_the_grid_a_task_is_sent_to_may_open_its_case_while_the_task_waits_there(
    client: FlaskClient, api: Any, store: Path
) -> None:
    walk = Walk(api, "fire_hazard_rectification", "grid_worker_1", FIRE_REPORT)
    reporter = walk.as_("grid_worker_1")
    sent = reporter.client.post(f"/api/v1/cases/{walk.id}/attachments", headers=reporter.headers,
                                data={"photos": (io.BytesIO(jpeg()), "before.jpg")}, content_type="multipart/form-data")  # fmt: skip
    photo = sent.json["items"][0]
    walk.step("township_dispatcher_1", "accept_and_assess", MINOR)
    urge = walk.task("urge_rectification")
    moved = walk.as_("township_dispatcher_1").post(f"/tasks/{urge['id']}/assign", {"org_unit": GRID_2})
    assert moved.status_code == 200 and moved.json["org_unit"]["code"] == GRID_2

    handler, bystander = walk.as_("grid_worker_2"), walk.as_("grid_worker_3")
    case = handler.get(f"/cases/{walk.id}")
    assert case.status_code == 200 and [t["bpmn_id"] for t in case.json["open_tasks"]] == ["urge_rectification"]
    assert bystander.get(f"/cases/{walk.id}").status_code == 404
    login(client, "grid_worker_2")
    assert client.get(f"/cases/{walk.id}").status_code == 200
    assert fetch(client, f"/cases/{walk.id}/attachments/{photo['id']}/thumbnail").status_code == 200
    added = client.post(f"/cases/{walk.id}/attachments", data={"photos": (io.BytesIO(jpeg()), "after.jpg")},
                        content_type="multipart/form-data")  # fmt: skip
    assert added.status_code == 302

    assert handler.post(f"/tasks/{urge['id']}/claim").status_code == 200
    done = {"rectification_measures": "已拆除私拉电线", "rectified_on": "2026-11-26"}
    assert handler.post(f"/tasks/{urge['id']}/complete", {"data": done}).status_code == 200
    assert handler.get(f"/cases/{walk.id}").status_code == 404  # the task done, the case is its grid's again
    assert handler.get(f"/tasks/{urge['id']}").status_code == 404  # nor does its task show the case's data now
    assert client.get(f"/tasks/{urge['id']}").status_code == 404
    assert fetch(client, f"/cases/{walk.id}/attachments/{photo['id']}/thumbnail").status_code == 404
