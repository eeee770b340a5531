"""Instructions per operation, in process, counted by valgrind's callgrind: a measure this shared machine cannot move.

CPU time per request moved by a third within minutes here (the same completion took 1.9 and 3.0 ms of CPU in
process an hour apart), so a change worth 1-10 % could not be told from the noise by timing it, in process or over
HTTP. The instructions the interpreter executes for an operation are the same from run to run (within 0.3 %): they
do not see the neighbours. They leave out what the kernel and PostgreSQL do, and a cache miss costs more than an
instruction, so they rank changes to our Python and the libraries it calls; `make bench` still says what that buys.

    BENCH_DATABASE=gridcase_bench .venv/bin/python -m bench.instructions               # every operation
    BENCH_DATABASE=gridcase_bench .venv/bin/python -m bench.instructions task_complete   # or some of them

Each operation runs in its own process under `valgrind --tool=callgrind`, counting only inside one call of
`functools.reduce` (its C function is callgrind's toggle) that runs the operation `BENCH_INSTRUCTIONS_COUNT` (50)
times after six runs outside it; the answer is instructions per operation. Needs valgrind (Debian's package) and a
county built by `make bench`; prints JSON.

The count leaves out the cyclic garbage collector (collected before, disabled inside): with the thresholds of a
worker (app/collector.py) a pass comes every so many thousand allocations, so whether one falls inside the count is
chance, and a change of a few allocations could move it in or out. The case page reads the county's first
synthetic case in every run (`measured_case` of bench/county.py): one picked at random moved its count by 5 %.
"""

import functools
import gc
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from bench import cpu
from bench.load import WALK

ROOT = Path(__file__).resolve().parents[1]
TOGGLE = "functools_reduce"  # the C function whose one call is counted
WARM = 6  # runs before counting: psycopg prepares a statement at its fifth execution
# Under callgrind an operation runs about fifty times slower, so the processes' ten-second caches would expire inside
# the count, which at the request rates that matter they seldom do: kept for the whole run here.
_CACHES = ("CALENDAR", "PLACEMENT", "USER", "OVERDUE")
KEPT = {f"GRIDCASE_{cache}_CACHE_SECONDS": 3600.0 for cache in _CACHES}
_URL = "BENCH_INSTRUCTIONS_URL"  # the county's database, for the measured process


def operations(app: Flask, plan: dict[str, Any], count: int) -> dict[str, Callable[[], Any]]:
    """bench/cpu.py's operations, and task completion alone: its tasks started and claimed beforehand."""
    ops = cpu.operations(app, plan)
    client, walker = app.test_client(), plan["walkers"][0]
    headers = cpu.token_headers(client, walker[WALK[0][0]], plan["password"])
    tasks: list[str] = []

    def prepare() -> None:
        for _ in range(count + WARM):
            task_id = ops["case_start"]()["open_tasks"][0]["id"]
            cpu.ok(client.post(f"/api/v1/tasks/{task_id}/claim", headers=headers))
            tasks.append(task_id)

    def complete() -> None:
        if not tasks:
            prepare()
        cpu.ok(client.post(f"/api/v1/tasks/{tasks.pop()}/complete", json={"data": WALK[0][1]}, headers=headers))

    return {**ops, "task_complete": complete}


def count_inside(url: str, name: str, count: int) -> None:
    """Run in the measured process: warm the operation up, then run it `count` times inside the toggle."""
    app, plan = cpu.app_and_plan(url, **KEPT)
    op = operations(app, plan, count)[name]
    for _ in range(WARM):  # caches, prepared statements (and task completion's tasks)
        op()

    def counted(_first: int, _second: int) -> int:
        for _ in range(count):
            op()
        return 0

    gc.collect()
    gc.disable()  # the collector's passes fall inside the count or outside it by chance: see the module's docstring
    functools.reduce(counted, [0, 1])
    gc.enable()
    cpu.clean_up(app, url)


def measure(url: str, name: str, count: int) -> int:
    """Instructions per `name` against the county at `url`, from a callgrind run of this module in its own process."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no", f"--toggle-collect={TOGGLE}",
               f"--callgrind-out-file={out}", sys.executable, "-m", "bench.instructions", "--inside", name, str(count)]  # fmt: skip
        env = {**os.environ, _URL: url}  # not on the command line, where a password would show
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603 - fixed command line
        totals = [line for line in out.read_text().splitlines() if line.startswith(("totals:", "summary:"))]
    total = int(totals[0].split()[1]) if totals else 0
    if total == 0:
        raise SystemExit(f"callgrind counted nothing: is {TOGGLE} in this Python's symbols?")
    return total // count


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inside"]:
        count_inside(os.environ[_URL], sys.argv[2], int(sys.argv[3]))
    else:
        from bench.run import Settings

        url, runs = Settings().url, int(os.environ.get("BENCH_INSTRUCTIONS_COUNT", "50"))
        names = sys.argv[1:] or ["task_complete", "inbox_township_dispatcher", "case_page", "case_start"]
        print(json.dumps({name: measure(url, name, runs) for name in names}, indent=1))  # noqa: T201
