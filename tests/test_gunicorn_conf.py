"""gunicorn's settings (gunicorn.conf.py): one worker per core the server may use, each kept to a core of its own."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONF = str(ROOT / "gunicorn.conf.py")
CORES = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []

needs_affinity = pytest.mark.skipif(not CORES, reason="this platform cannot keep a process to a core")


def _conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in ("WEB_CONCURRENCY", "GRIDCASE_THREADS", "GRIDCASE_PIN_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


def _forked(conf: dict[str, Any], server: SimpleNamespace) -> SimpleNamespace:
    """A worker as the master forks it: its core chosen, then it joins the master's live workers."""
    worker = SimpleNamespace()
    conf["pre_fork"](server, worker)
    server.WORKERS[len(server.WORKERS) + 1] = worker
    return worker


@needs_affinity
def test_one_worker_per_core_this_process_may_use_four_threads_each(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _conf(monkeypatch)

    assert conf["workers"] == min(len(CORES), 16)
    assert conf["threads"] == 4
    assert _conf(monkeypatch, WEB_CONCURRENCY="3", GRIDCASE_THREADS="2")["workers"] == 3


@needs_affinity
def test_each_new_worker_takes_the_core_the_fewest_live_workers_keep_to(monkeypatch: pytest.MonkeyPatch) -> None:
    conf, server = _conf(monkeypatch), SimpleNamespace(WORKERS={})

    workers = [_forked(conf, server) for _ in range(2 * len(CORES))]

    assert [w.gridcase_core for w in workers] == CORES + CORES  # spread evenly, in order
    del server.WORKERS[1]  # the first worker died: its replacement takes its core
    assert _forked(conf, server).gridcase_core == CORES[0]


@needs_affinity
def test_a_forked_worker_keeps_to_its_core() -> None:
    """In a process of its own: keeping the test process to one core would slow the rest of the run."""
    script = (
        "import json, os, runpy, sys; from types import SimpleNamespace as N; "
        "conf = runpy.run_path(sys.argv[1]); busy = N(gridcase_core=min(os.sched_getaffinity(0))); "
        "server, worker = N(WORKERS={1: busy}), N(); "
        "conf['pre_fork'](server, worker); conf['post_fork'](server, worker); "
        "print(json.dumps([worker.gridcase_core, sorted(os.sched_getaffinity(0))]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "GRIDCASE_PIN_WORKERS"}
    done = subprocess.run([sys.executable, "-c", script, CONF], capture_output=True, text=True, check=True, env=env)

    core, allowed = json.loads(done.stdout)
    assert allowed == [core]
    assert core == (CORES[1] if len(CORES) > 1 else CORES[0])  # not the core the live worker keeps to


def test_workers_float_when_told_to(monkeypatch: pytest.MonkeyPatch) -> None:
    conf, worker = _conf(monkeypatch, GRIDCASE_PIN_WORKERS="0"), SimpleNamespace()

    conf["pre_fork"](SimpleNamespace(WORKERS={}), worker)
    conf["post_fork"](SimpleNamespace(WORKERS={}), worker)

    assert not hasattr(worker, "gridcase_core")
    if CORES:
        assert sorted(os.sched_getaffinity(0)) == CORES


@needs_affinity
def test_a_worker_whose_core_is_refused_serves_unpinned(monkeypatch: pytest.MonkeyPatch) -> None:
    warnings: list[str] = []
    log = SimpleNamespace(warning=lambda message, *args: warnings.append(message % args))
    worker = SimpleNamespace(gridcase_core=max(CORES) + 4096, log=log)  # a core this machine does not have

    _conf(monkeypatch)["post_fork"](SimpleNamespace(WORKERS={}), worker)

    assert sorted(os.sched_getaffinity(0)) == CORES
    assert len(warnings) == 1 and warnings[0].startswith("worker stays unpinned")
