"""A case whose diagram fails when its timer fires is set aside, not the worker: before, the failure rolled the batch
back and stopped `flask worker`, and the same timer, first in line again after a restart, stopped it every time."""

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from app.extensions import db
from app.worker.loop import sweep
from app.worker.models import Timer
from tests.conftest import ROOT, login
from tests.deadlines.test_deadlines_and_worker import events, hotline_at_township
from tests.designer.test_designer import upload

HOTLINE = (ROOT / "processes" / "hotline_matter.bpmn").read_text("utf-8")
ESCALATION = (
    '<bpmn:sequenceFlow id="flow_escalate_township" sourceRef="escalate_township" targetRef="escalated_supervision"/>'
)
BROKEN = """<bpmn:sequenceFlow id="flow_escalate_township" sourceRef="escalate_township" targetRef="broken_step"/>
    <bpmn:scriptTask id="broken_step" name="有误的脚本">
      <bpmn:incoming>flow_escalate_township</bpmn:incoming><bpmn:outgoing>flow_after_broken</bpmn:outgoing>
      <bpmn:script>ratio = 1 / 0</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="flow_after_broken" sourceRef="broken_step" targetRef="escalated_supervision"/>"""


def test_a_timer_whose_diagram_fails_is_retried_later_and_the_others_still_fire(
    api: Any, run: Any, client: FlaskClient
) -> None:
    healthy = hotline_at_township(api)
    assert ESCALATION in HOTLINE
    deployed = api("designer").post("/designer/deploy", data=upload(HOTLINE.replace(ESCALATION, BROKEN), name="h.bpmn"))
    assert deployed.status_code == 201, deployed.json
    broken = hotline_at_township(api)  # the new version's case
    due = max(db.session.get(Timer, walk.id).fire_at for walk in (healthy, broken))

    run(sweep, due)  # raised before, and the worker stopped
    assert "escalated_supervision" in healthy.open_tasks()
    assert events(broken.id, "timer_failed") == 1 and broken.open_tasks() == ["township_handling"]
    retry = db.session.get(Timer, broken.id)
    assert retry is not None and retry.fire_at == due + timedelta(hours=1)
    run(sweep, due + timedelta(minutes=30))
    assert events(broken.id, "timer_failed") == 1  # not before its retry time
    run(sweep, due + timedelta(hours=1))
    assert events(broken.id, "timer_failed") == 2

    login(client, "county_dispatcher")
    page = client.get(f"/cases/{broken.id}").data.decode()
    assert "定时器未能触发，稍后重试" in page and "division by zero" in page  # in the case's trail, with the reason
