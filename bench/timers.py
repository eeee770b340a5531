"""The timer sweep figure: `count` hotline cases whose escalation timer is already due, then one worker drains them.

The cases are made like the county's (bulk SQL, a real engine state cloned from a template run
through app.engine) with channel 'bench', so the next run's clean-up removes what is left. The
template is dispatched to a township eight days ago, so its 7-day escalation timer is a day overdue.
The worker is the real `app.worker.loop.fire_due_timers`, in process, one thread, against PostgreSQL.
"""

import json
import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import Connection, text

from app import engine
from app.casetypes.registry import deployed_version, latest_version
from app.clock import utcnow
from bench.county import CALL, COUNTY_CODE
from bench.floor import summary

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def seed(conn: Connection, *, count: int, fire_times: list[datetime] | None = None) -> list[int]:
    """Add `count` cases with a due timer (and their open township task); the caller commits; returns their ids.

    The engine's own timer is a day overdue in every clone; `fire_times` (one per case) moves the timer rows
    the worker looks at, so a timer can come due at a chosen moment.
    """
    version = latest_version("hotline_matter")
    if version is None:
        raise SystemExit("hotline_matter is not deployed: run `flask processes sync`")
    definition = deployed_version(version).definition
    past = utcnow() - timedelta(days=8)
    result = engine.start(definition, dict(CALL), now=past)
    for step in ({"direct_answer": False}, {"dispatch_to": "township"}):
        result = engine.complete(definition, result.state, result.ready[0].id, step, now=past)
    ready, fire_at = result.ready[0], result.next_timer_at
    if fire_at is None:
        raise SystemExit("the hotline template has no waiting timer")
    grids = conn.execute(
        text("""SELECT g.id, v.parent_id FROM org_unit g JOIN org_unit v ON v.id = g.parent_id
                WHERE g.kind = 'grid' AND g.code LIKE left(:county, 4) || '%' ORDER BY g.id"""),
        {"county": COUNTY_CODE},
    ).all()
    ids = conn.execute(
        text("""SELECT nextval(pg_get_serial_sequence('"case"', 'id')) FROM generate_series(1, :n)"""), {"n": count}
    ).scalars()
    # What a real case's data holds at this point: the report and every answer so far (the engine's data), so
    # firing the timer changes nothing there, as in production (the case row's JSON is not rewritten).
    data = json.dumps(result.data, ensure_ascii=False)
    cases, tasks, timers = [], [], []
    for n, case_id in enumerate(ids):
        # Every engine id in the template (tasks already predicted included) is fresh in each clone.
        fresh = {old: str(uuid.uuid4()) for old in set(UUID.findall(result.state))}
        grid_id, township_id = grids[n % len(grids)]
        cases.append({"id": case_id, "number": f"BT{case_id:010d}", "version": version.id, "grid": grid_id,
                      "data": data, "state_format": result.state_format,
                      "state": UUID.sub(lambda m, f=fresh: f[m.group()], result.state), "at": past})  # fmt: skip
        tasks.append({"id": fresh[ready.id], "case": case_id, "bpmn": ready.bpmn_id, "name": ready.name,
                      "role": ready.lane, "unit": township_id, "at": past})  # fmt: skip
        timers.append({"case": case_id, "fire_at": fire_times[n] if fire_times else fire_at})
    conn.execute(
        text("""INSERT INTO "case" (id, number, case_type, process_version_id, org_unit_id, title, status, priority,
                channel, data, state, state_format, state_version, opened_at)
                VALUES (:id, :number, 'hotline_matter', :version, :grid, 'bench timer', 'open', 'normal', 'bench',
                CAST(:data AS json), :state, :state_format, 1, :at)"""),
        cases,
    )
    conn.execute(
        text("""INSERT INTO task (id, case_id, bpmn_id, name, role, org_unit_id, status, created_at)
                VALUES (:id, :case, :bpmn, :name, :role, :unit, 'open', :at)"""),
        tasks,
    )
    conn.execute(text("INSERT INTO timer (case_id, fire_at) VALUES (:case, :fire_at)"), timers)
    return [c["id"] for c in cases]


def sweep(app: Flask, *, seconds: float) -> dict[str, Any]:
    """One worker fires every due timer (or until `seconds` are up): timers per second, and per batch. The garbage
    collector is set as `flask worker` sets it (app/collector.py)."""
    from app.collector import settle
    from app.extensions import db
    from app.worker.loop import TIMER_BATCH, fire_due_timers

    fired, batches = 0, []
    settle()
    with app.app_context():
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            t0 = time.perf_counter()
            n = fire_due_timers(utcnow())
            if not n:
                break
            batches.append((time.perf_counter() - t0) / n)
            fired += n
        wall = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    figure = summary(batches, wall=wall)
    # summary() counts samples (batches); the figure counts timers fired.
    return {**figure, "count": fired, "per_second": round(fired / wall, 1) if wall else 0, "batch": TIMER_BATCH,
            "note": "p50/p95/p99: ms per timer within a batch (batch time / timers in it)"}  # fmt: skip
