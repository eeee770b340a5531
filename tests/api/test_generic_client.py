"""A client that knows only the API walks a case to its end: it reads each form's
schema, makes data valid for it, finds its tasks among the candidates, completes them."""

from typing import Any

from tests.conftest import GRID_1

# Everyone who may hold a task for a case in GRID_1, from the grid up to the county.
USERS = ["grid_worker_1", "peoples_mediator_1", "township_dispatcher_1", "township_enforcer_1", "admin_mediator_1",
         "police_liaison_1", "county_dispatcher", "hotline_operator", "department_staff", "department_enforcer",
         "fire_safety_inspector", "judicial_mediator"]  # fmt: skip


def value_for(spec: dict[str, Any]) -> Any:
    if "examples" in spec:
        return spec["examples"][0]
    if "oneOf" in spec:
        return spec["oneOf"][0]["const"]
    if spec.get("format") == "date":
        return "2026-11-26"
    return {"string": "现场核实无误", "number": 1, "integer": 1, "boolean": True}[spec["type"]]


def fill(schema: dict[str, Any]) -> dict[str, Any]:
    """The required fields, and those a choice made requires (`allOf` of `if`/`then`)."""
    props = schema["properties"]
    data = {name: value_for(spec) for name, spec in props.items() if name in schema.get("required", [])}
    for rule in schema.get("allOf", []):
        when = rule["if"]
        chosen = all(data.get(name) == spec.get("const") for name, spec in when.get("properties", {}).items())
        if chosen and set(when.get("required", [])) <= data.keys():
            data |= {name: value_for(props[name]) for name in rule["then"].get("required", [])}
    return data


def test_a_client_walks_every_case_type_by_its_schemas(api: Any) -> None:
    clients = {u: api(u) for u in USERS}
    case_types = clients["grid_worker_1"].get("/case-types").json["items"]
    assert len(case_types) >= 5
    for case_type in case_types:
        data = fill(case_type["start_form"]["schema"])
        reporter = next(
            u for u in USERS if u.rsplit("_", 1)[0] == case_type["start_role"] or u == case_type["start_role"]
        )
        started = clients[reporter].post("/cases", {"case_type": case_type["key"], "org_unit": GRID_1, "data": data})
        assert started.status_code == 201, started.json
        status, steps = started.json["status"], 0
        while status == "open":
            steps += 1
            assert steps < 20, "the case should end"
            owner, task = next(
                (u, t)
                for u, c in clients.items()
                for t in c.get("/tasks?scope=candidate").json["items"]
                if t["case_id"] == started.json["id"]
            )
            result = clients[owner].post(f"/tasks/{task['id']}/complete", {"data": fill(task["form"]["schema"])})
            assert result.status_code == 200, result.json
            status = result.json["case"]["status"]
        assert status == "closed"
