"""`make bench` at tiny scale, so the benchmark never rots: every figure is produced. No timings asserted."""

import json
import os
import shutil
import socket
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench import dashboard, floor, instructions, report
from bench.load import COMPLETE_SLICES
from bench.run import Settings, main

ENGINE_KEYS = {"count", "per_second", "p50_ms", "p95_ms", "p99_ms"}


def test_the_engine_floor_and_history_figures_are_produced() -> None:
    figures = floor.run(cases=2, seconds=5, loops=3)
    assert figures["floor"].keys() >= ENGINE_KEYS and figures["floor"]["count"] == 6
    assert figures["gridcase_engine"].keys() >= ENGINE_KEYS and figures["gridcase_engine"]["count"] == 6
    for name in ("plain", "gridcase"):
        points = figures["history"][name]["points"]
        assert [p["iteration"] for p in points] == [1, 3]
        assert all(p["step_ms"] is not None for p in points)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(not os.environ.get("GRIDCASE_TEST_DATABASE_URL"), reason="make bench needs PostgreSQL")
def test_make_bench_end_to_end_at_tiny_scale(tmp_path: Path) -> None:
    url = make_url(os.environ["GRIDCASE_TEST_DATABASE_URL"])
    settings = Settings(
        server=url.set(database="").render_as_string(hide_password=False).rstrip("/"),
        database=f"{url.database}_bench_smoke", cases=300, open_tasks=150, clients=2, seconds=10, reads=10,
        case_starts=4, walk_cases=2, workers=1, threads=2, port=_free_port(), floor_cases=2, loops=3, timers=20, late_timers=10,
        late_window=3, cpu_repeat=2,
        out_dir=tmp_path, label="smoke",
    )  # fmt: skip
    results = json.loads(main(settings).read_text("utf-8"))
    assert results["county"]["counts"]["grids"] == 1000 and results["county"]["counts"]["open_tasks"] >= 150
    assert results["floor_after"]["count"] == 6  # the floor again after the load: the ratios use the mean of both
    beside = results["http"]["floor_beside_complete"]  # and between the completion phase's slices: the target's floor
    assert [run["count"] for run in beside] == [6] * (COMPLETE_SLICES + 1)
    slices = [run["slice_after"]["count"] for run in beside[:-1]]
    assert sum(slices) == results["http"]["figures"]["task_complete"]["count"] == 4 and slices[0] == 2
    assert results["targets"]["task_complete_throughput >= 0.5 x floor"]["limit"] == round(
        0.5 * report.floor_beside_complete(results), 1
    )
    assert report.floor_of(results)["per_second"] == round(
        (results["floor"]["per_second"] + results["floor_after"]["per_second"]) / 2, 2
    )
    figures = results["http"]["figures"]
    for name, _title in report.HTTP_FIGURES:
        assert figures[name].keys() >= ENGINE_KEYS and figures[name]["count"] > 0, name
        assert results["ratios"][name]["throughput_x_floor"] is not None
        if name != "task_claim_complete" and name not in dashboard.SHARED_PHASES:  # phases shared by two figures
            # Read from /proc in 10 ms ticks: a tiny phase may spend less than one (a load process's few completions
            # did, now and then), so the figures are checked for being there, not for their size.
            assert figures[name]["cpu_ms"].keys() >= {"server", "load"}, name
            assert min(figures[name]["cpu_ms"].values()) >= 0, name
            share = figures[name]["busiest_process_share"]
            assert share is None or 0 <= share <= 1, name
    assert not results["http"]["errors"]
    assert set(results["history"]) == {"plain", "gridcase"} and len(results["targets"]) == 11
    assert results["timer_sweep"]["count"] == 20 and results["timer_sweep"]["per_second"] > 0
    late = results["timer_lateness"]
    assert late["count"] == late["fired"] == 10 and late["not_fired"] == 0 and late["max_ms"] is not None
    assert set(results["cpu_ms"]) >= {
        "inbox_county_dispatcher",
        "dashboard_township",
        "case_start_claim_complete",
        "timer_fired",
    }
    assert all(ms > 0 for ms in results["cpu_ms"].values())
    assert results["skipped"] == {}
    assert list(tmp_path.glob("*-smoke.md"))
    # bench/instructions.py on the county just built: the operations run in process; under callgrind, counted
    instructions.count_inside(settings.url, "task_complete", 2)
    if shutil.which("valgrind"):
        assert instructions.measure(settings.url, "task_complete", 2) > 100_000
