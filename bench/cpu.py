"""CPU milliseconds per operation, in process, against an existing bench county.

Wall-clock figures on a shared machine mostly measure the neighbours; the CPU time one request costs
does not. This drives the app through Flask's test client (so it includes routing, the token check,
the queries' Python side and serialisation, but not gunicorn or PostgreSQL's own work) and the timer
worker in process, and reports `time.process_time` per operation (the smallest of the samples: on a busy machine cache misses and
frequency changes caused by the neighbours only ever add to it).

    BENCH_DATABASE=gridcase_bench .venv/bin/python -m bench.cpu          # after `make bench` built the county
    BENCH_CPU_PROFILE=inbox_county_dispatcher .venv/bin/python -m bench.cpu   # + a pyinstrument profile of one

`make bench` runs it too and puts its figures in the results (`cpu_ms`).
"""

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from bench import county, dashboard, timers
from bench.load import FIRE_REPORT, WALK

Call = Callable[[], Any]


def _cpu_ms(fn: Call, repeat: int) -> float:
    fn()  # warm: caches, prepared statements
    samples = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        samples.append((time.process_time() - t0) * 1000)
    return round(min(samples), 2)  # the least disturbed sample: neighbours only ever add to CPU time


def _profile(name: str, fn: Call, repeat: int) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(repeat):
            fn()
    print(profiler.output_text(unicode=True, color=False, show_all=False), file=sys.stderr)  # noqa: T201


def ok(response: Any, status: int = 200) -> Any:
    """The answer's JSON, or the run stops with what the server said."""
    if response.status_code != status:
        raise SystemExit(f"{response.request.path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return response.get_json()


def token_headers(client: FlaskClient, username: str, password: str) -> dict[str, str]:
    """The headers of an API request as `username` (a new bearer token)."""
    token = ok(client.post("/api/v1/auth/token", json={"username": username, "password": password}))["token"]
    return {"Authorization": f"Bearer {token}"}


def operations(app: Flask, plan: dict[str, Any]) -> dict[str, Call]:
    client = app.test_client()
    tokens: dict[str, dict[str, str]] = {}

    def auth(username: str) -> dict[str, str]:
        if username not in tokens:
            tokens[username] = token_headers(client, username, plan["password"])
        return tokens[username]

    walker = plan["walkers"][0]

    def inbox(username: str) -> Call:
        headers = auth(username)
        return lambda: ok(client.get("/api/v1/tasks?limit=50", headers=headers))

    def start() -> Any:
        body = {"case_type": "fire_hazard_rectification", "org_unit": walker["grid"], "data": FIRE_REPORT,
                "channel": "bench"}  # fmt: skip
        return ok(client.post("/api/v1/cases", json=body, headers=auth(walker["grid_worker"])), 201)

    def walk() -> None:
        claim_and_complete(start()["open_tasks"][0]["id"])

    def claim_and_complete(task_id: str) -> None:
        headers = auth(walker[WALK[0][0]])
        ok(client.post(f"/api/v1/tasks/{task_id}/claim", headers=headers))
        ok(client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": WALK[0][1]}, headers=headers))

    case_id = plan["measured_case"]
    reader = auth(plan["case_reader"])
    users = plan["inbox_users"]
    html, township = signed_in(app, users["township_dispatcher"], plan["password"]), dashboard.sample()["township"]
    leader = signed_in(app, township["user"], plan["password"])
    return {
        "inbox_grid_worker": inbox(users["grid_worker"]),
        "inbox_township_dispatcher": inbox(users["township_dispatcher"]),
        "inbox_county_dispatcher": inbox(users["county_dispatcher"]),
        "inbox_html_township_dispatcher": lambda: ok(html.get("/inbox")),
        "dashboard_township": lambda: ok(leader.get(township["path"])),
        "case_page": lambda: ok(client.get(f"/api/v1/cases/{case_id}", headers=reader)),
        "case_start": start,
        "case_start_claim_complete": walk,
    }


def signed_in(app: Flask, username: str, password: str) -> FlaskClient:
    """A test client signed in through the login form (its CSRF token), as a browser is."""
    client = app.test_client()
    with app.app_context():  # an app context of its own: Flask-WTF keeps the form's token in `g`
        token = dashboard.csrf_token(client.get("/login").get_data(as_text=True))
        ok(client.post("/login", data={"username": username, "password": password, "csrf_token": token}), 302)
    return client


def timer_cpu(app: Flask, url: str, count: int) -> float:
    """CPU ms per timer fired by the worker, over `count` due timers."""
    from app.clock import utcnow
    from app.extensions import db
    from app.worker.loop import fire_all_due

    engine = create_engine(url)
    with app.app_context(), engine.connect() as conn:
        timers.seed(conn, count=count)
        conn.commit()
    engine.dispose()
    with app.app_context():
        t0 = time.process_time()
        fired = fire_all_due(utcnow())
        spent = time.process_time() - t0
        db.session.remove()
    return round(spent * 1000 / max(fired, 1), 2)


def app_and_plan(url: str, **config: Any) -> tuple[Flask, dict[str, Any]]:
    """The app on the bench county at `url` (with `config` over its settings), and the county's sample of users."""
    from app import create_app
    from app.collector import settle

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **config})
    settle()  # the garbage collector as a gunicorn worker and `flask worker` have it once their app is loaded
    engine = create_engine(url)
    with engine.connect() as conn:
        plan = county.sample(conn, clients=1)
    engine.dispose()
    return app, plan


def clean_up(app: Flask, url: str) -> None:
    """What the operations left behind goes, as `make bench` does; and the app's pool is closed."""
    cleanup = create_engine(url)
    with cleanup.connect() as conn:
        conn.execute(text("""DELETE FROM "case" WHERE channel = 'bench'"""))
        conn.commit()
    cleanup.dispose()
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # the app's own pool too: an engine dropped with open connections leaks them


def run(url: str, *, repeat: int = 30, timer_count: int = 500, profile: str = "") -> dict[str, float]:
    app, plan = app_and_plan(url)
    figures: dict[str, float] = {}
    # No app context around the requests: each pushes its own, as under gunicorn, and ends it (the session removed,
    # `g` cleared). Inside an outer one Flask reuses it, so every request kept the objects the ones before it loaded.
    for name, fn in operations(app, plan).items():
        figures[name] = _cpu_ms(fn, repeat)
        if name == profile:
            _profile(name, fn, repeat)
    if profile == "timer":
        from pyinstrument import Profiler

        with Profiler(interval=0.0005) as profiler:
            figures["timer_fired"] = timer_cpu(app, url, timer_count)
        print(profiler.output_text(unicode=True, color=False), file=sys.stderr)  # noqa: T201
    else:
        figures["timer_fired"] = timer_cpu(app, url, timer_count)
    clean_up(app, url)
    return figures


if __name__ == "__main__":
    from bench.run import Settings

    settings = Settings()
    result = run(settings.url, repeat=int(os.environ.get("BENCH_CPU_REPEAT", "30")),
                 profile=os.environ.get("BENCH_CPU_PROFILE", ""))  # fmt: skip
    print(json.dumps(result, indent=1))  # noqa: T201
