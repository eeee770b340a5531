"""gunicorn's settings for gridcase, read by gunicorn from the working directory (`make run`, `make bench`).

One process per core, four threads each. A request is mostly Python, and one process runs Python on one core at a
time, so fewer processes than cores leave a core idle. More processes than cores cost CPU: each process sits idle
while the others run, and a process that was idle runs its next request colder (in one process, the same completion
took a median 2.7-2.9 ms of CPU back to back and 3.4-3.8 ms with 3 ms idle before each). Measured on the bench's 2
cores, a connection per request, four interleaved rounds (bench/README.md, "Twelfth pass"): 2 x 4 spent 3.3-3.4 ms
of gunicorn CPU per task completion where 4 x 2 spent 3.9-4.6, and completed 373-391 against 315-364 per second;
inbox pages no worse; 2 x 8 as 2 x 4, 2 x 2 a little behind. (With keep-alive connections, which stay with the
process that accepted them, 2 x 4 once left a core idle: bench/results/2026-11-26-s3-phases.md. A reverse proxy's
connection per request, as the bench's, spreads them.) At most 16 processes: each holds up to `threads` PostgreSQL
connections, and PostgreSQL's default allows 100. Override with WEB_CONCURRENCY (processes) and GRIDCASE_THREADS, or
on the command line.

Each worker keeps to one core, the one the fewest live workers keep to (chosen in the master as it forks, so a
worker that replaces another takes its core; GRIDCASE_PIN_WORKERS=0 lets them float). A worker that moves between
cores leaves its warm caches behind. Six interleaved rounds at 2 x 4 (bench/README.md, "Twelfth pass"): kept to
their cores the workers completed 425-497 tasks/s against 343-442 floating, higher in every round, at 2.8-3.3 ms of
gunicorn CPU per completion against 2.9-3.8; inbox pages 580-635/s against 528-533. PostgreSQL and the timer worker
still float, and the kernel places them around the workers.
"""

import os
from collections import Counter
from typing import Any

# The cores this process may run on (a container's CPU set, not the host's count).
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
workers = int(os.environ.get("WEB_CONCURRENCY", min(cores, 16)))
threads = int(os.environ.get("GRIDCASE_THREADS", "4"))
worker_class = "gthread"
# gunicorn itself believes X-Forwarded-Proto (and -Ssl, -Protocol) from 127.0.0.1 by default, so a local client could
# make a plain request count as HTTPS; the app reads what proxies forward itself, and only when told how many stand
# in front (GRIDCASE_PROXY_HOPS, app/__init__.py). So gunicorn believes no one.
forwarded_allow_ips = ""
pin_workers = os.environ.get("GRIDCASE_PIN_WORKERS", "1") != "0" and hasattr(os, "sched_setaffinity")


def pre_fork(server: Any, worker: Any) -> None:
    """In the master, as it forks a worker: the core the worker will keep to."""
    if pin_workers:
        kept = Counter(getattr(other, "gridcase_core", None) for other in server.WORKERS.values())
        worker.gridcase_core = min(sorted(os.sched_getaffinity(0)), key=lambda core: (kept[core], core))


def post_fork(server: Any, worker: Any) -> None:
    """In the new worker: keep to the core the master chose for it (or float, if the system refuses it)."""
    if (core := getattr(worker, "gridcase_core", None)) is not None:
        try:
            os.sched_setaffinity(0, {core})
        except OSError as err:  # the core left the CPU set meanwhile: serving unpinned beats not serving
            worker.log.warning("worker stays unpinned: %s", err)


def post_worker_init(worker: object) -> None:
    """Each worker, its app loaded: the garbage collector set for a long-running process (app/collector.py)."""
    from app.collector import settle

    settle()
