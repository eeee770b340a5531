"""The garbage collector set for long-running processes (app/collector.py), by gunicorn's hook too."""

import gc
import runpy
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.collector import THRESHOLDS, settle

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def collector_restored() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


@pytest.mark.usefixtures("collector_restored")
def test_settling_freezes_what_the_process_holds_and_collects_the_young_generation_less_often() -> None:
    settle()

    assert gc.get_threshold() == THRESHOLDS
    assert gc.get_freeze_count() > 0  # the app, its mappers, the parsed diagrams: never walked again
    assert gc.collect() >= 0  # the collector still runs: cycles made from now on are still found
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1


@pytest.mark.usefixtures("collector_restored")
def test_each_gunicorn_worker_settles_once_its_app_is_loaded() -> None:
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    config["post_worker_init"](object())

    assert gc.get_threshold() == THRESHOLDS and gc.get_freeze_count() > 0
