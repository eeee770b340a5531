"""Timer lateness under load: timers coming due while the HTTP load runs, fired by the real worker process.

Before the load starts, `count` hotline cases get an escalation timer due at moments spread evenly over
the write-heavy phases (`window` seconds, from `lead` seconds after the worker is up). `flask worker` runs beside
gunicorn as production runs it (its own process, sweeping every GRIDCASE_WORKER_INTERVAL). A watcher
thread in this process polls the timer table every POLL seconds; a timer is taken as fired at the first
poll that finds its row gone, so each lateness is an upper bound (by at most POLL). A timer still waiting
when the load ends is reported as `not_fired` and counted late by the time it waited.
"""

import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from app.clock import utcnow
from bench import timers

POLL = 0.05  # seconds between looks at the timer table


class Watch:
    """Seeded timers, the worker process and the watcher thread; `stop()` returns the figure."""

    def __init__(self, url: str, *, count: int, lead: float, window: float, root: Path) -> None:
        step = window / max(count, 1)
        from app import create_app
        from app.extensions import db

        # Seeded a day ahead, then moved to come due from `lead` seconds after the worker is up: seeded to come due
        # `lead` seconds after seeding began, the first ones came due while the worker was still starting under the
        # load (the first two seconds' timers a median 0.97 s late), which measured its start, not its lateness.
        ahead = utcnow() + timedelta(days=1)
        app, engine = create_app({"SQLALCHEMY_DATABASE_URI": url}), create_engine(url)
        with app.app_context(), engine.connect() as conn:
            fire_times = [ahead + timedelta(seconds=n * step) for n in range(count)]
            seeded = dict(zip(timers.seed(conn, count=count, fire_times=fire_times), fire_times, strict=True))
            conn.commit()
            db.session.remove()
            db.engine.dispose()  # the app's own pool too: an engine dropped with open connections leaks them
        engine.dispose()
        self.fired: dict[int, datetime] = {}
        self.conninfo = _conninfo(url)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi"}
        flask_bin = str(Path(sys.executable).with_name("flask"))
        cmd = [flask_bin, "worker"]
        self.worker = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
        if not self.worker.stdout or not self.worker.stdout.readline():  # "Worker started": its app is loaded
            raise SystemExit("flask worker did not start")
        self.drain = threading.Thread(target=_drain, args=(self.worker.stdout,), daemon=True)
        self.drain.start()
        shift = utcnow() + timedelta(seconds=lead) - ahead
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute("UPDATE timer SET fire_at = fire_at + %s WHERE case_id = ANY(%s)", (shift, list(seeded)))
        self.due: dict[int, datetime] = {case_id: at + shift for case_id, at in seeded.items()}
        self.thread.start()

    def _watch(self) -> None:
        ids = list(self.due)
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            while not self.done.is_set() and len(self.fired) < len(ids):
                waiting = {row[0] for row in conn.execute("SELECT case_id FROM timer WHERE case_id = ANY(%s)", (ids,))}
                seen = utcnow()
                for case_id in ids:
                    if case_id not in waiting and case_id not in self.fired:
                        self.fired[case_id] = seen
                time.sleep(POLL)

    def stop(self) -> dict[str, Any]:
        """Stop the watcher and the worker; lateness in ms (p50/p95/p99/max), and how many never fired.

        A load shorter than the window (a small run) waits for the last timer to come due, and a little more.
        """
        last_due = max(self.due.values(), default=utcnow())
        wait = (last_due - utcnow()).total_seconds() + 3
        self.thread.join(timeout=max(0.0, wait))
        self.done.set()
        self.thread.join(timeout=10)
        self.worker.terminate()
        self.worker.wait(timeout=30)
        self.drain.join(timeout=10)  # the log read to its end
        if self.worker.stdout:
            self.worker.stdout.close()
        ended = utcnow()
        late, not_fired = [], 0
        for case_id, due in self.due.items():
            if case_id in self.fired:
                late.append(max(0.0, (self.fired[case_id] - due).total_seconds()))
            elif due <= ended:
                not_fired += 1
                late.append((ended - due).total_seconds())
        with psycopg.connect(self.conninfo, autocommit=True) as conn:  # nothing left for the sweep figure after
            conn.execute("DELETE FROM timer WHERE case_id = ANY(%s)", (list(self.due),))
        late.sort()

        def pct(p: float) -> float | None:
            return round(late[min(len(late) - 1, int(p * len(late)))] * 1000, 1) if late else None

        return {"count": len(self.due), "fired": len(self.fired), "not_fired": not_fired, "p50_ms": pct(0.5),
                "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": round(late[-1] * 1000, 1) if late else None,
                "poll_ms": POLL * 1000}  # fmt: skip


def _drain(lines: IO[str]) -> None:
    """Read the worker's log lines as it writes them (a full pipe would stop it), keeping none."""
    for _line in lines:
        pass


def _conninfo(url: str) -> str:
    u = make_url(url)
    return f"host={u.host} port={u.port or 5432} user={u.username} dbname={u.database}"
