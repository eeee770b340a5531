"""`make bench`: build (or reuse) the synthetic county, serve it with gunicorn, load it, write the results.

Knobs (environment): see bench/README.md. Results go to bench/results/<date>.json and .md.
"""

import json
import os
import platform
import runpy
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import county, cpu, dashboard, floor, lateness, report, timers

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Settings:
    server: str = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
    database: str = os.environ.get("BENCH_DATABASE", "gridcase_bench")
    cases: int = _env_int("BENCH_CASES", 200_000)
    open_tasks: int = _env_int("BENCH_OPEN_TASKS", 100_000)
    clients: int = _env_int("BENCH_CLIENTS", 4)
    keep_alive: bool = os.environ.get("BENCH_KEEPALIVE", "") == "1"  # one connection per client (bench/wire.py)
    seconds: int = _env_int("BENCH_SECONDS", 20)  # per phase
    reads: int = _env_int("BENCH_READS", 2000)  # per read figure
    case_starts: int = _env_int("BENCH_CASE_STARTS", 2000)
    walk_cases: int = _env_int("BENCH_WALK_CASES", 400)
    # gunicorn as production runs it: gunicorn.conf.py decides unless these are set.
    workers: int = _env_int("BENCH_WORKERS", GUNICORN["workers"])
    threads: int = _env_int("BENCH_THREADS", GUNICORN["threads"])
    port: int = _env_int("BENCH_PORT", 5099)
    floor_cases: int = _env_int("BENCH_FLOOR_CASES", 500)
    loops: int = _env_int("BENCH_LOOPS", 200)
    timers: int = _env_int("BENCH_TIMERS", 2000)  # due timers drained by one worker
    late_timers: int = _env_int("BENCH_LATE_TIMERS", 1000)  # timers coming due during the load (lateness)
    late_window: int = _env_int("BENCH_LATE_WINDOW", 40)  # seconds over which they come due
    cpu_repeat: int = _env_int("BENCH_CPU_REPEAT", 30)  # samples per operation in bench/cpu.py
    out_dir: Path = Path(os.environ.get("BENCH_OUT", str(ROOT / "bench" / "results")))
    label: str = os.environ.get("BENCH_LABEL", "")
    baseline: str = os.environ.get("BENCH_BASELINE", "")
    index_experiment: bool = os.environ.get("BENCH_INDEX_EXPERIMENT", "") == "1"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"{self.server}/{self.database}"


def ensure_database(s: Settings) -> None:
    url = make_url(s.url)
    conninfo = f"host={url.host} port={url.port or 5432} user={url.username} dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (s.database,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{s.database}"')  # name from our own settings


def flask(s: Settings, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": s.url, "FLASK_APP": "wsgi"}
    flask_bin = str(Path(sys.executable).with_name("flask"))
    subprocess.run([flask_bin, *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def prepare(s: Settings) -> dict[str, Any]:
    """The real schema and diagrams, then the county (built once per size, reused after)."""
    ensure_database(s)
    flask(s, "db", "upgrade")
    flask(s, "processes", "sync")
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": s.url})
    engine = create_engine(s.url)
    with app.app_context(), engine.connect() as conn:
        found = county.present(conn)
        built, seconds = False, 0.0
        if found is not None and found != county.marker(s.cases, min(s.open_tasks, s.cases)):
            conn.rollback()
            _reset(engine)
            flask(s, "db", "upgrade")
            flask(s, "processes", "sync")
            found = None
        if found is None:
            t0 = time.perf_counter()
            county.build(conn, cases=s.cases, open_tasks=s.open_tasks)
            conn.commit()
            conn.execute(text("ANALYZE"))
            conn.commit()
            built, seconds = True, time.perf_counter() - t0
        rebuild_seconds = _tidy(s, conn, built=built)
        dashboard.prepare(conn)
        conn.commit()
        _vacuum(conn)
        conn.execute(text("ANALYZE task"))
        conn.commit()
        info = {"built_now": built, "build_seconds": round(seconds, 1), "counts": county.counts(conn),
                "rollup_rebuild_seconds": rebuild_seconds,
                "plan": {**county.sample(conn, clients=s.clients), "dashboard": dashboard.sample()}}  # fmt: skip
    engine.dispose()
    with app.app_context():
        db.engine.dispose()  # the app's own pool too: an engine dropped with open connections leaks them
    return info


def _tidy(s: Settings, conn: Any, *, built: bool) -> float | None:
    """Remove what load runs left; the index experiment on or off; the rollup built for a bulk-loaded county
    (`flask stats rebuild`, timed: returned in seconds, None when it was already there)."""
    _forget_load_runs()
    conn.execute(text("""DELETE FROM "case" WHERE channel = 'bench'"""))
    conn.execute(text("DELETE FROM api_token"))
    if s.index_experiment:
        conn.execute(text(report.EXPERIMENT_INDEX_SQL))
    else:
        conn.execute(text(f"DROP INDEX IF EXISTS {report.EXPERIMENT_INDEX_NAME}"))
    conn.commit()
    if not built and not conn.execute(text("SELECT NOT EXISTS (SELECT 1 FROM case_day_stat)")).scalar():
        return None
    t0 = time.perf_counter()
    flask(s, "stats", "rebuild")  # a bulk-built county has no rollup yet
    return round(time.perf_counter() - t0, 1)


# Every table a load run writes to or deletes from (its cases, their rows, the rollup, the tokens).
CHURNED = ('"case"', "task", "case_event", "timer", "case_reporter", "notification", "case_day_stat", "api_token")


def _vacuum(conn: Any) -> None:
    """Vacuum what the last run and this preparation changed, as autovacuum would have by the time a county's
    server sees its next load. A county bulk-loaded a moment ago is not yet all-visible (the statistics' index-only
    scans would read the heap), and the rows the last run left and this one deleted are dead: the timers' table
    held 41,000 dead rows after a few runs on a PostgreSQL with autovacuum off (as on the CI machines), and every
    look for the next due timer walked their index entries. A no-op when nothing changed."""
    with conn.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as vacuum:
        for table in CHURNED:
            vacuum.execute(text(f"VACUUM ANALYZE {table}"))


def _forget_load_runs() -> None:
    """What earlier load runs left behind goes, so every run starts from the same county: out of the dashboard's
    rollup first (the services keep it; the rows are deleted behind their back), then (caller) from the tables."""
    from app.cases.models import Case
    from app.dashboard import rollup
    from app.extensions import db

    rollup.forget(Case.channel == "bench")
    db.session.commit()


def _reset(engine: Any) -> None:
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        conn.commit()


def serve(s: Settings) -> subprocess.Popen[bytes]:
    """gunicorn as `make run` starts it (gunicorn.conf.py, workers x threads as set), without the access log."""
    env = {**os.environ, "DATABASE_URL": s.url}
    cmd = [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(s.workers), "--threads", str(s.threads),
           "--bind", f"127.0.0.1:{s.port}", "--log-level", "warning", "wsgi:app"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603 - fixed command line
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{s.port}/login", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("gunicorn exited") from None
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not come up")


def load(s: Settings, plan: dict[str, Any], server_pid: int) -> dict[str, Any]:
    limits = {"clients": s.clients, "seconds": s.seconds, "reads": s.reads, "case_starts": s.case_starts,
              "walk_cases": s.walk_cases, "keep_alive": s.keep_alive, "floor_cases": s.floor_cases,
              "floor_seconds": max(2.0, s.seconds / 8)}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        plan_path, out_path = Path(tmp) / "plan.json", Path(tmp) / "out.json"
        plan_path.write_text(
            json.dumps({**plan, "url": f"http://127.0.0.1:{s.port}", "limits": limits, "server_pid": server_pid}),
            "utf-8",
        )
        budget = 120 + 8 * s.seconds  # the load process bounds each phase itself; this is the backstop
        cmd = [sys.executable, "-m", "bench.load", str(plan_path), str(out_path)]
        subprocess.run(cmd, cwd=ROOT, check=True, timeout=budget)  # noqa: S603 - our own module
        return dict(json.loads(out_path.read_text("utf-8")))


def sweep_timers(s: Settings) -> dict[str, Any]:
    """`s.timers` due escalation timers (channel 'bench': cleared by the next run), drained by one worker."""
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": s.url})
    engine = create_engine(s.url)
    with app.app_context(), engine.connect() as conn:
        timers.seed(conn, count=s.timers)
        conn.commit()
        conn.execute(text("ANALYZE timer"))
        conn.commit()
    engine.dispose()
    return timers.sweep(app, seconds=s.seconds)


def main(s: Settings) -> Path:
    started = datetime.now(UTC)
    info = prepare(s)
    engine_figures = floor.run(cases=s.floor_cases, seconds=max(5.0, s.seconds / 2), loops=s.loops)
    server = serve(s)
    try:
        # The worker process runs beside gunicorn, as in production; its timers come due while the load runs.
        watch = lateness.Watch(s.url, count=s.late_timers, lead=3, window=s.late_window, root=ROOT)
        try:
            http = load(s, info.pop("plan"), server.pid)
        finally:
            timer_lateness = watch.stop()
    finally:
        server.terminate()
        server.wait(timeout=30)
    # The floor again, now the load is over: the ratios divide by the mean of both (bench/report.py floor_of).
    floor_after = floor.floor(floor.plain_engine(), cases=s.floor_cases, seconds=max(5.0, s.seconds / 2))
    timer_sweep = sweep_timers(s)
    cpu_ms = cpu.run(s.url, repeat=s.cpu_repeat, timer_count=min(500, s.timers))
    results = {
        "date": started.isoformat(timespec="seconds"),
        "label": s.label,
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": {k: v for k, v in vars(s).items() if k not in ("extra", "out_dir", "baseline")},
        "county": info,
        **engine_figures,
        "floor_after": floor_after,
        "http": http,
        "timer_sweep": timer_sweep,
        "timer_lateness": timer_lateness,
        "cpu_ms": cpu_ms,
        "skipped": {},
    }
    results["ratios"] = report.ratios(results)
    results["targets"] = report.targets(results)
    if s.baseline:
        results["before"] = report.baseline(json.loads(Path(s.baseline).read_text("utf-8")))
    return report.write(results, s.out_dir)


if __name__ == "__main__":
    path = main(Settings())
    print(path.with_suffix(".md").read_text("utf-8"))
