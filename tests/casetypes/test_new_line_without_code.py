"""A new "grid+" business line is a diagram and forms, never Python.

`elderly_care/` holds a line written for this test only: a grid worker visits an
elderly person living alone; if a need is found, village staff arrange a service.
"""

import shutil
from pathlib import Path

from tests.conftest import GRID_1, ROOT, Api, build_app

LINE = Path(__file__).parent / "elderly_care"
VISIT = {"elder_name": "陈奶奶", "address": "桃源社区5栋101", "need": "meals", "visit_notes": "行动不便"}


def run_a_visit(client_app: object) -> None:
    client = client_app.test_client()  # type: ignore[attr-defined]
    worker, staff = Api(client, "grid_worker_1"), Api(client, "village_staff_1")
    types = {t["key"]: t for t in worker.get("/case-types?locale=en").json["items"]}
    assert types["elderly_care_visit"]["name"] == "Visit to an elderly person living alone"
    started = worker.post("/cases", {"case_type": "elderly_care_visit", "org_unit": GRID_1, "data": VISIT})
    assert started.status_code == 201, started.json
    assert started.json["number"].startswith("LA")
    [task] = [t for t in staff.get("/tasks?scope=candidate").json["items"] if t["case_id"] == started.json["id"]]
    assert task["bpmn_id"] == "arrange_service"
    assert Api(client, "village_staff_2").get(f"/tasks/{task['id']}").status_code == 404
    done = staff.post(f"/tasks/{task['id']}/complete", {"data": {"arrangement": "每日送餐上门"}})
    assert done.json["case"]["status"] == "closed"
    history = worker.get(f"/cases/{started.json['id']}").json["history"]
    assert [(e["kind"], e["actor"]) for e in history if e["kind"] in ("started", "completed")] == [
        ("started", "grid_worker_1"), ("completed", "village_staff_1"),
    ]  # fmt: skip


def test_a_new_line_runs_from_its_own_folders(tmp_path: Path) -> None:
    shutil.copytree(LINE, tmp_path / "line")
    app = build_app(
        f"sqlite:///{tmp_path / 'line.sqlite'}",
        GRIDCASE_PROCESSES_DIR=str(tmp_path / "line" / "processes"),
        GRIDCASE_FORMS_DIR=str(tmp_path / "line" / "forms"),
    )
    run_a_visit(app)


def test_dropping_files_into_a_running_installation_and_syncing_adds_the_line(tmp_path: Path) -> None:
    processes, forms = tmp_path / "processes", tmp_path / "forms"
    shutil.copytree(ROOT / "processes", processes)
    shutil.copytree(ROOT / "forms", forms)
    app = build_app(
        f"sqlite:///{tmp_path / 'running.sqlite'}", GRIDCASE_PROCESSES_DIR=str(processes), GRIDCASE_FORMS_DIR=str(forms)
    )
    worker = Api(app.test_client(), "grid_worker_1")
    assert "elderly_care_visit" not in [t["key"] for t in worker.get("/case-types").json["items"]]
    for path in (LINE / "processes").iterdir():
        shutil.copy(path, processes)
    for path in (LINE / "forms").iterdir():
        shutil.copy(path, forms)
    result = app.test_cli_runner().invoke(args=["processes", "sync"])
    assert "deployed elderly_care_visit v1" in result.output
    run_a_visit(app)
