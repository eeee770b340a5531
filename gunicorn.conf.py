"""gunicorn's settings for gridcase, read by gunicorn from the working directory (`make run`, `make bench`).

A request spends most of its time in Python (Flask, SQLAlchemy, the engine), and one process runs Python
on one core at a time. Keep-alive connections stay with the process that accepted them, so with fewer
processes than twice the cores one busy process can leave a core idle. Measured on the bench's 2 cores:
2 processes x 4 threads completed 144 tasks/s with gunicorn at one core in some phases
(bench/results/2026-11-26-s3-phases.md), 4 x 2 completed 158/s (…-s3.md), 6 x 2 no more than 4 x 2.
At most 16 processes: each holds up to `threads` PostgreSQL connections, and PostgreSQL's
default allows 100. Override with WEB_CONCURRENCY (processes) and GRIDCASE_THREADS, or on the command line.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1), 16)))
threads = int(os.environ.get("GRIDCASE_THREADS", "2"))
worker_class = "gthread"


def post_worker_init(worker: object) -> None:
    """Each worker, its app loaded: the garbage collector set for a long-running process (app/collector.py)."""
    from app.collector import settle

    settle()
