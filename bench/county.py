"""A synthetic county in PostgreSQL, built with bulk SQL and reused between runs.

1 county, 20 townships, 100 villages, 1,000 grids and 5,000 users across roles; then
`cases` fire-hazard and hotline cases of which `open_tasks` wait in someone's inbox, each with its deadline (a tenth
overdue, a tenth in their warning time), and each closed case keeps the rows of the three tasks it went through.

Engine states are real: a few template cases are run through app.engine in process,
and each synthetic case clones its template's state with a fresh id for its ready
task (the same id as its task row), so completing a synthetic task works like any.
"""

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text
from werkzeug.security import generate_password_hash

from app import engine
from app.casetypes.registry import deployed_version, latest_version
from app.clock import utcnow
from app.org.seed import DEMO_PASSWORD

COUNTY_CODE = "990100000000"
TOWNSHIPS, VILLAGES_PER_TOWNSHIP, GRIDS_PER_VILLAGE = 20, 5, 10
USERS = 5000
# role, level, holders per unit; department_staff at the county fills up to USERS.
HOLDERS = [
    ("admin", "county", 1), ("leader", "county", 1), ("county_dispatcher", "county", 1),
    ("hotline_operator", "county", 1), ("fire_safety_inspector", "county", 1), ("department_enforcer", "county", 1),
    ("judicial_mediator", "county", 1), ("designer", "county", 1),
    ("township_dispatcher", "township", 2), ("township_enforcer", "township", 2), ("admin_mediator", "township", 1),
    ("police_liaison", "township", 1),
    ("peoples_mediator", "village", 2), ("village_staff", "village", 5),
    ("grid_worker", "grid", 2), ("grid_leader", "grid", 1), ("volunteer", "grid", 1),
]  # fmt: skip
REPORT = {"address": "基准路1号", "hazard_kind": "electrical", "description": "楼道内私拉电线给电动车充电",
          "severity": "high", "responsible_party": "张三", "fixed_on_spot": False}  # fmt: skip
CALL = {"caller_name": "赵女士", "caller_phone": "13900001111", "category": "complaint",
        "content": "小区门口夜间烧烤油烟扰民", "address": "基准社区北门"}  # fmt: skip


@dataclass(frozen=True)
class Template:
    kind: str
    weight: int  # percent of open cases (closed: of closed ones)
    case_type: str
    start: dict[str, Any]
    steps: list[dict[str, Any]]


OPEN_TEMPLATES = [
    Template("fire_accept", 30, "fire_hazard_rectification", REPORT, []),
    Template("fire_urge", 30, "fire_hazard_rectification", REPORT, [{"severity_decision": "minor"}]),
    Template("fire_reinspect", 20, "fire_hazard_rectification", REPORT,
             [{"severity_decision": "minor"}, {"rectification_measures": "拆除", "rectified_on": "2026-11-26"}]),
    Template("fire_enforce", 5, "fire_hazard_rectification", REPORT, [{"severity_decision": "serious"}]),
    Template("hotline_dispatch", 15, "hotline_matter", CALL, [{"direct_answer": False}]),
]  # fmt: skip
CLOSED = Template("fire_closed", 100, "fire_hazard_rectification", REPORT,
                  [{"severity_decision": "minor"}, {"rectification_measures": "拆除", "rectified_on": "2026-11-26"},
                   {"reinspection_passed": True}])  # fmt: skip


def marker(cases: int, open_tasks: int) -> str:
    """The county's name: says what was built, so a county built otherwise (or by an earlier layout) is rebuilt."""
    return f"基准县 bench county v2 cases={cases} open={open_tasks}"


def present(conn: Connection) -> str | None:
    """The marker of the synthetic county in this database, if one is there."""
    return conn.execute(text("SELECT name FROM org_unit WHERE code = :c"), {"c": COUNTY_CODE}).scalar()


def build(conn: Connection, *, cases: int, open_tasks: int) -> dict[str, Any]:
    """Create the county, its users and its cases; the caller commits."""
    open_tasks = min(open_tasks, cases)
    _org_tree(conn, marker(cases, open_tasks))
    _users(conn)
    rows = [_template_row(t) for t in [*OPEN_TEMPLATES, CLOSED]]
    conn.execute(text("CREATE TEMP TABLE bench_template (kind text, lo int, hi int, is_open bool, version_id int, "
                      "case_type text, title text, data text, state text, state_format text, task_id text, "
                      "bpmn_id text, name text, role text, form text) ON COMMIT DROP"))  # fmt: skip
    conn.execute(text("INSERT INTO bench_template VALUES (:kind, :lo, :hi, :is_open, :version_id, :case_type, :title, "
                      ":data, :state, :state_format, :task_id, :bpmn_id, :name, :role, :form)"), rows)  # fmt: skip
    _cases(conn, cases=cases, open_tasks=open_tasks)
    return {"cases": cases, "open_tasks": open_tasks}


def _org_tree(conn: Connection, name: str) -> None:
    conn.execute(text("INSERT INTO org_unit (code, name, kind, path) VALUES (:c, :n, 'county', '')"),
                 {"c": COUNTY_CODE, "n": name})  # fmt: skip
    conn.execute(
        text("""
        INSERT INTO org_unit (code, name, kind, parent_id, path)
        SELECT '9901' || lpad(t::text, 3, '0') || '00000', '基准镇' || t, 'township', c.id, ''
        FROM generate_series(1, :n) t, org_unit c WHERE c.code = :county"""),
        {"n": TOWNSHIPS, "county": COUNTY_CODE},
    )
    conn.execute(text("""
        INSERT INTO org_unit (code, name, kind, parent_id, path)
        SELECT left(p.code, 7) || lpad(v::text, 3, '0') || '00', p.name || '第' || v || '村', 'village', p.id, ''
        FROM org_unit p, generate_series(1, :n) v WHERE p.kind = 'township' AND p.code LIKE '9901%'"""),
        {"n": VILLAGES_PER_TOWNSHIP})  # fmt: skip
    conn.execute(text("""
        INSERT INTO org_unit (code, name, kind, parent_id, path)
        SELECT p.code || lpad(g::text, 3, '0'), p.name || '第' || g || '网格', 'grid', p.id, ''
        FROM org_unit p, generate_series(1, :n) g WHERE p.kind = 'village' AND p.code LIKE '9901%'"""),
        {"n": GRIDS_PER_VILLAGE})  # fmt: skip
    conn.execute(text("UPDATE org_unit SET path = '/' || id || '/' WHERE code = :c"), {"c": COUNTY_CODE})
    for kind in ("township", "village", "grid"):
        conn.execute(
            text("""UPDATE org_unit u SET path = p.path || u.id || '/' FROM org_unit p
                             WHERE u.parent_id = p.id AND u.kind = :k AND u.code LIKE '9901%'"""),
            {"k": kind},
        )


def _users(conn: Connection) -> None:
    password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once: every synthetic user shares it
    now = utcnow()
    holders = list(HOLDERS)
    per_level = dict(
        conn.execute(text("SELECT kind, count(*) FROM org_unit WHERE code LIKE '9901%' GROUP BY kind")).all()
    )
    used = sum(per_level[level] * n for _role, level, n in holders)
    holders.append(("department_staff", "county", max(USERS - used, 1)))
    for role, level, n in holders:
        conn.execute(text("""
            INSERT INTO "user" (username, password_hash, display_name, locale, active, created_at)
            SELECT CAST(:role AS text) || '.' || u.code || '.' || k, :hash, u.name || CAST(:role AS text) || k, NULL, true, :now
            FROM org_unit u, generate_series(1, :n) k WHERE u.kind = :level AND u.code LIKE '9901%'"""),
            {"role": role, "hash": password_hash, "now": now, "n": n, "level": level})  # fmt: skip
        conn.execute(text("""
            INSERT INTO membership (user_id, role, org_unit_id)
            SELECT usr.id, CAST(:role AS text), u.id FROM org_unit u, generate_series(1, :n) k
            JOIN "user" usr ON true WHERE usr.username = CAST(:role AS text) || '.' || u.code || '.' || k
            AND u.kind = :level AND u.code LIKE '9901%'"""), {"role": role, "n": n, "level": level})  # fmt: skip


def _template_row(t: Template) -> dict[str, Any]:
    version = latest_version(t.case_type)
    if version is None:
        raise SystemExit(f"{t.case_type} is not deployed: run `flask processes sync`")
    deployed = deployed_version(version)
    definition = deployed.definition
    result = engine.start(definition, dict(t.start), now=utcnow())
    data = {**t.start, **result.data}
    for step in t.steps:
        result = engine.complete(definition, result.state, result.ready[0].id, step, now=utcnow())
        data = {**data, **step, **result.data}
    ready = result.ready[0] if result.ready else None
    spec = definition.user_tasks.get(ready.bpmn_id) if ready else None
    lo = sum(x.weight for x in OPEN_TEMPLATES[: OPEN_TEMPLATES.index(t)]) if t in OPEN_TEMPLATES else 0
    return {
        "kind": t.kind, "lo": lo, "hi": lo + t.weight, "is_open": ready is not None, "version_id": version.id,
        "case_type": t.case_type, "title": str(t.start.get("address") or t.start.get("content")),
        "data": json.dumps(data, ensure_ascii=False), "state": result.state, "state_format": result.state_format,
        "task_id": ready.id if ready else str(uuid.uuid4()), "bpmn_id": ready.bpmn_id if ready else None,
        "name": ready.name if ready else None, "role": ready.lane if ready else None,
        "form": spec.form.schema if spec and spec.form else None,
    }  # fmt: skip


def _cases(conn: Connection, *, cases: int, open_tasks: int) -> None:
    now = utcnow()
    conn.execute(
        text("""
        CREATE TEMP TABLE bench_grid ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY g.id) - 1 AS idx, g.id AS grid_id, t.id AS township_id, c.id AS county_id,
               (SELECT usr.id FROM "user" usr WHERE usr.username = 'grid_worker.' || g.code || '.1') AS worker_id
        FROM org_unit g JOIN org_unit v ON v.id = g.parent_id JOIN org_unit t ON t.id = v.parent_id
        JOIN org_unit c ON c.id = t.parent_id WHERE g.kind = 'grid' AND g.code LIKE '9901%'""")
    )
    base = conn.execute(text('SELECT coalesce(max(id), 0) FROM "case"')).scalar_one()
    # n: 1..cases; the first `open_tasks` are open, spread over templates by n % 100 and over grids by n % grids.
    conn.execute(text("""
        CREATE TEMP TABLE bench_case ON COMMIT DROP AS
        SELECT :base + n AS case_id, n, gr.grid_id, gr.township_id, gr.county_id, gr.worker_id, tp.*,
               CASE WHEN tp.is_open THEN gen_random_uuid()::text END AS new_task_id,
               CAST(:now AS timestamptz) - make_interval(secs => (:cases - n) * 30) AS opened_at
        FROM generate_series(1, :cases) n
        JOIN bench_grid gr ON gr.idx = n % (SELECT count(*) FROM bench_grid)
        JOIN bench_template tp ON (n <= :open AND tp.is_open AND n % 100 >= tp.lo AND n % 100 < tp.hi)
                               OR (n > :open AND NOT tp.is_open)"""),
        {"base": base, "now": now, "cases": cases, "open": open_tasks})  # fmt: skip
    conn.execute(
        text("""
        INSERT INTO "case" (id, number, case_type, process_version_id, org_unit_id, title, status, priority, channel,
                            data, state, state_format, state_version, opened_at, opened_by_id, closed_at, due_at)
        SELECT case_id, 'BX' || lpad(case_id::text, 10, '0'), case_type, version_id, grid_id, title,
               CASE WHEN is_open THEN 'open' ELSE 'closed' END, 'normal', 'synthetic', CAST(data AS json),
               CASE WHEN is_open THEN replace(state, task_id, new_task_id) ELSE state END, state_format, 1,
               opened_at, worker_id, CASE WHEN is_open THEN NULL ELSE opened_at + interval '3 days' END, NULL
        FROM bench_case""")
    )
    conn.execute(text("""SELECT setval(pg_get_serial_sequence('"case"', 'id'), (SELECT max(id) FROM "case"))"""))
    # Every tenth grid-worker task is already claimed by the grid's first worker ("my tasks"). Deadlines fall from a
    # day ago to nine days ahead, the warning a day before: a tenth overdue, a tenth in their warning time, each
    # already alerted as the worker would have.
    conn.execute(
        text("""
        INSERT INTO task (id, case_id, bpmn_id, name, role, org_unit_id, assignee_id, status, form, created_at,
                          due_at, warn_at, alerted)
        SELECT new_task_id, case_id, bpmn_id, name, role,
               CASE role WHEN 'grid_worker' THEN grid_id WHEN 'township_dispatcher' THEN township_id
                         ELSE county_id END,
               CASE WHEN role = 'grid_worker' AND n % 10 = 0 THEN worker_id END, 'open', form, opened_at,
               due, due - interval '1 day',
               CASE WHEN due <= :now THEN 'overdue' WHEN due - interval '1 day' <= :now THEN 'warning' ELSE 'normal' END
        FROM (SELECT *, CAST(:now AS timestamptz) + make_interval(mins => CAST((n * 37) % 14400 - 1440 AS int)) AS due
              FROM bench_case WHERE is_open) opened"""),
        {"now": now},
    )
    _closed_tasks(conn)
    conn.execute(
        text("""
        INSERT INTO case_event (case_id, at, actor_id, kind, task_id, task_bpmn_id, task_name, payload)
        SELECT case_id, opened_at, worker_id, 'started', NULL, NULL, NULL, CAST(data AS json) FROM bench_case
        UNION ALL
        SELECT case_id, opened_at, NULL, 'task_opened', new_task_id, bpmn_id, name, '{}' FROM bench_case WHERE is_open
        UNION ALL
        SELECT case_id, opened_at + interval '3 days', worker_id, 'closed', NULL, NULL, NULL, '{}'
        FROM bench_case WHERE NOT is_open""")
    )


# A closed fire-hazard case's tasks, done in turn a day apart (bpmn id, name, role): their rows stay, as a county's do.
CLOSED_TASKS = [("accept_and_assess", "受理并研判", "township_dispatcher"), ("urge_rectification", "督促现场整改", "grid_worker"),
                ("reinspect", "复查", "grid_worker")]  # fmt: skip


def _closed_tasks(conn: Connection) -> None:
    conn.execute(
        text("""
        INSERT INTO task (id, case_id, bpmn_id, name, role, org_unit_id, assignee_id, status, form, created_at,
                          due_at, warn_at, completed_at, completed_by_id)
        SELECT gen_random_uuid()::text, case_id, step.bpmn_id, step.name, step.role,
               CASE step.role WHEN 'grid_worker' THEN grid_id ELSE township_id END,
               worker_id, 'completed', NULL, opened_at + make_interval(days => step.k - 1),
               opened_at + make_interval(days => step.k + 1), opened_at + make_interval(days => step.k),
               opened_at + make_interval(days => step.k) - interval '1 hour', worker_id
        FROM bench_case, jsonb_to_recordset(CAST(:steps AS jsonb)) AS step(k int, bpmn_id text, name text, role text)
        WHERE NOT is_open"""),
        {"steps": json.dumps([{"k": k, "bpmn_id": b, "name": n, "role": r} for k, (b, n, r) in enumerate(CLOSED_TASKS)],
                             ensure_ascii=False)},
    )  # fmt: skip


def sample(conn: Connection, *, clients: int) -> dict[str, Any]:
    """Who the load process acts as, and which cases it reads."""
    grids = conn.execute(
        text("""
        SELECT g.code, 'grid_worker.' || g.code || '.1', 'township_dispatcher.' || t.code || '.1'
        FROM org_unit g JOIN org_unit v ON v.id = g.parent_id JOIN org_unit t ON t.id = v.parent_id
        WHERE g.kind = 'grid' AND g.code LIKE '9901%' ORDER BY g.code LIMIT :n"""),
        {"n": clients * 37},
    ).all()
    grids = grids[::37] or grids  # spread the clients over townships
    case_ids = conn.execute(
        text("""SELECT id FROM "case" WHERE channel = 'synthetic' ORDER BY random() LIMIT 2000""")
    ).scalars()
    # One case for the in-process measures (bench/cpu.py, bench/instructions.py): the same one in every run, since
    # cases differ in history and tasks (one picked at random moved a case page's count by 5 %).
    first_case = conn.execute(text("""SELECT min(id) FROM "case" WHERE channel = 'synthetic'""")).scalar()
    county = conn.execute(text("SELECT code FROM org_unit WHERE code = :c"), {"c": COUNTY_CODE}).scalar_one()
    # The first grid by code has no grid-worker task (its cases are all at the township's desk), so the grid
    # worker whose inbox is read is the one with the most open tasks: a full page, with claimed ones in it.
    busiest = conn.execute(
        text("""SELECT g.code FROM task t JOIN org_unit g ON g.id = t.org_unit_id
                WHERE t.status = 'open' AND t.role = 'grid_worker' AND g.code LIKE '9901%'
                GROUP BY g.code ORDER BY count(*) DESC, g.code LIMIT 1""")
    ).scalar()
    return {
        "password": DEMO_PASSWORD,
        "walkers": [{"grid": g, "grid_worker": w, "township_dispatcher": d} for g, w, d in grids[:clients]],
        "inbox_users": {
            "grid_worker": f"grid_worker.{busiest}.1" if busiest else grids[0][1],
            "township_dispatcher": grids[0][2],
            "county_dispatcher": f"county_dispatcher.{county}.1",
        },
        "case_reader": f"county_dispatcher.{county}.1",
        "case_ids": list(case_ids),
        "measured_case": first_case,
    }


def counts(conn: Connection) -> dict[str, int]:
    q = {
        "org_units": "SELECT count(*) FROM org_unit WHERE code LIKE '9901%'",
        "grids": "SELECT count(*) FROM org_unit WHERE kind = 'grid' AND code LIKE '9901%'",
        "users": 'SELECT count(*) FROM "user"',
        "cases": 'SELECT count(*) FROM "case"',
        "open_tasks": "SELECT count(*) FROM task WHERE status = 'open'",
        "tasks": "SELECT count(*) FROM task",
        "case_events": "SELECT count(*) FROM case_event",
    }
    return {k: conn.execute(text(v)).scalar_one() for k, v in q.items()}
