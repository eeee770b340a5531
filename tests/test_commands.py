"""The CLI: processes check / sync, seed-demo; a broken diagram never stops the others."""

import shutil
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.intake.knowledge import related_entries
from app.intake.models import Category
from tests.conftest import FIRE_REPORT, GRID_1, ROOT, Api

FIRE = (ROOT / "processes" / "fire_hazard_rectification.bpmn").read_text("utf-8")


def test_check_accepts_a_good_diagram(app: Flask, session: Any) -> None:
    result = app.test_cli_runner().invoke(
        args=["processes", "check", str(ROOT / "processes" / "fire_hazard_rectification.bpmn")]
    )
    assert result.exit_code == 0, result.output
    assert "ok (fire_hazard_rectification, 4 user tasks)" in result.output


def test_check_prints_each_problem_with_its_line_and_exits_1(app: Flask, session: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpmn"
    bad.write_text(FIRE.replace('name="township_dispatcher"', 'name="town_boss"'), "utf-8")
    broken = tmp_path / "broken.bpmn"
    broken.write_text(FIRE[:2000], "utf-8")
    result = app.test_cli_runner().invoke(
        args=["processes", "check", str(bad), str(broken), str(tmp_path / "missing.bpmn")]
    )
    assert result.exit_code == 1
    assert "unknown lane role 'town_boss'" in result.output
    assert f"{broken}:" in result.output and "XML syntax error" in result.output
    assert "missing.bpmn: cannot be read" in result.output


def test_sync_skips_broken_diagrams_and_deploys_the_rest(tmp_path: Path, app: Flask) -> None:
    from tests.conftest import build_app

    processes = tmp_path / "processes"
    processes.mkdir()
    shutil.copy(ROOT / "processes" / "fire_hazard_rectification.bpmn", processes)
    (processes / "broken.bpmn").write_text("<bpmn:definitions", "utf-8")
    (processes / "bad_role.bpmn").write_text(FIRE.replace('id="fire_hazard_rectification"', 'id="other"')
                                             .replace('name="grid_worker"', 'name="nobody"'), "utf-8")  # fmt: skip
    other = build_app(f"sqlite:///{tmp_path / 'other.sqlite'}", GRIDCASE_PROCESSES_DIR=str(processes))
    result = other.test_cli_runner().invoke(args=["processes", "sync"])
    assert result.exit_code == 0
    assert "refused broken.bpmn:1" in result.output
    assert "refused bad_role.bpmn:" in result.output and "unknown lane role 'nobody'" in result.output
    client = other.test_client()
    items = Api(client, "grid_worker_1").get("/case-types").json["items"]
    assert [i["key"] for i in items] == ["fire_hazard_rectification"]


def test_sync_makes_a_new_version_only_when_the_diagram_changes(tmp_path: Path) -> None:
    from tests.conftest import build_app

    processes = tmp_path / "processes"
    processes.mkdir()
    shutil.copy(ROOT / "processes" / "fire_hazard_rectification.bpmn", processes)
    other = build_app(f"sqlite:///{tmp_path / 'v.sqlite'}", GRIDCASE_PROCESSES_DIR=str(processes))
    runner = other.test_cli_runner()
    assert "unchanged fire_hazard_rectification v1" in runner.invoke(args=["processes", "sync"]).output
    reporter = Api(other.test_client(), "grid_worker_1")
    body = {"case_type": "fire_hazard_rectification", "org_unit": GRID_1, "data": FIRE_REPORT}
    old = reporter.post("/cases", body).json
    (processes / "fire_hazard_rectification.bpmn").write_text(FIRE.replace("受理并研判", "受理研判"), "utf-8")
    assert "deployed fire_hazard_rectification v2" in runner.invoke(args=["processes", "sync"]).output
    new = reporter.post("/cases", body).json
    assert (old["open_tasks"][0]["name"], new["open_tasks"][0]["name"]) == ("受理并研判", "受理研判")
    dispatcher = Api(other.test_client(), "township_dispatcher_1")
    done = dispatcher.post(f"/tasks/{old['open_tasks'][0]['id']}/complete", {"data": {"severity_decision": "minor"}})
    assert done.status_code == 200 and done.json["open_tasks"][0]["bpmn_id"] == "urge_rectification"


def test_seed_demo_runs_once(app: Flask, session: Any) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo", "--list"])
    assert result.exit_code == 0
    assert "grid_worker_8" in result.output and "fire_safety_inspector" in result.output
    assert "10" in result.output  # demo answers in the knowledge base, for the 12345 desk
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "0" in again.output.splitlines()[-1]
    with app.app_context():
        charging = db.session.scalar(select(Category).where(Category.code == "010102"))
        assert [e.title for e in related_entries(charging)] == ["电动自行车为什么不能在楼道和室内充电"]
