"""CPU seconds spent so far by the server (gunicorn and its workers), PostgreSQL (every postgres process,
background ones included) and the calling process, read from /proc (Linux). The load process takes one
snapshot before and one after each phase, so every figure also says where its CPU went."""

import os
import time
from collections.abc import Iterator
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def snapshot(server_pid: int) -> tuple[dict[str, float], dict[int, float]]:
    """The totals, and each of the server's worker processes' (the master's children) CPU seconds so far: one
    reading of /proc for both, taken before the calling process's own CPU time is read."""
    server = postgres = 0.0
    workers: dict[int, float] = {}
    for pid, comm, ppid, cpu in _processes():
        if server_pid in (pid, ppid):  # the master and its workers
            server += cpu
            if ppid == server_pid:
                workers[pid] = cpu
        elif comm == "postgres":
            postgres += cpu
    return {"server": server, "postgres": postgres, "load": time.process_time()}, workers


def busiest_share(before: dict[int, float], after: dict[int, float]) -> float | None:
    """The busiest worker's part of all the workers' CPU between two snapshots' worker readings: 1/N when the N processes
    shared the work evenly, 1 when one did it all (one process runs Python on one core at a time)."""
    spent_each = [cpu - before.get(pid, 0.0) for pid, cpu in after.items()]
    total = sum(spent_each)
    return round(max(spent_each) / total, 2) if total > 0 else None


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: round(after[k] - before[k], 3) for k in before}


def _processes() -> Iterator[tuple[int, str, int, float]]:
    """Every process we may read: its id, command name, parent's id and CPU seconds so far (utime + stime)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm, fields = _stat(entry / "stat")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        yield int(entry.name), comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS


def _stat(path: Path) -> tuple[str, list[str]]:
    raw = path.read_text()
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    return comm, raw[raw.rindex(")") + 2 :].split()  # fields from the state on: [1] is ppid, [11]/[12] utime/stime
