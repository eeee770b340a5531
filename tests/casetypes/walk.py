"""Drive one case through its diagram over the JSON API, checking who sees each task."""

from typing import Any

from tests.conftest import GRID_1, Api


class Walk:
    def __init__(self, api: Any, case_type: str, reporter: str, data: dict[str, Any], grid: str = GRID_1) -> None:
        self.api = api
        self.clients: dict[str, Api] = {}
        response = self.as_(reporter).post("/cases", {"case_type": case_type, "org_unit": grid, "data": data})
        assert response.status_code == 201, response.json
        self.id: int = response.json["id"]
        self.status: str = response.json["status"]

    def as_(self, username: str) -> Api:
        if username not in self.clients:
            self.clients[username] = self.api(username)
        return self.clients[username]

    def case(self, username: str = "admin") -> dict[str, Any]:
        return dict(self.as_(username).get(f"/cases/{self.id}").json)

    def open_tasks(self) -> list[str]:
        return sorted(t["bpmn_id"] for t in self.case()["open_tasks"])

    def task(self, bpmn_id: str) -> dict[str, Any]:
        tasks = [t for t in self.case()["open_tasks"] if t["bpmn_id"] == bpmn_id]
        assert len(tasks) == 1, (bpmn_id, self.open_tasks())
        return tasks[0]

    def inbox_of(self, username: str) -> list[str]:
        items = self.as_(username).get("/tasks?scope=candidate").json["items"]
        return sorted(t["bpmn_id"] for t in items if t["case_id"] == self.id)

    def step(self, username: str, bpmn_id: str, data: dict[str, Any], *, not_seen_by: tuple[str, ...] = ()) -> None:
        """`username` finds the task in their inbox, others do not, and completes it."""
        task = self.task(bpmn_id)
        assert bpmn_id in self.inbox_of(username), (username, bpmn_id)
        for other in not_seen_by:
            assert bpmn_id not in self.inbox_of(other), (other, bpmn_id)
        response = self.as_(username).post(f"/tasks/{task['id']}/complete", {"data": data})
        assert response.status_code == 200, response.json
        self.status = response.json["case"]["status"]

    def history(self) -> list[tuple[str, str | None, str | None]]:
        """(kind, actor, task bpmn id) for every event."""
        return [(e["kind"], e["actor"], (e["task"] or {}).get("bpmn_id")) for e in self.case()["history"]]

    def completed(self) -> list[tuple[str | None, str | None]]:
        return [(actor, task) for kind, actor, task in self.history() if kind == "completed"]
