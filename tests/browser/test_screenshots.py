"""The README's pictures, taken from the running app.

`make screenshots` writes them to docs/screenshots/; in `make test` they go to a
temporary folder, so the pages they show are exercised either way.
"""

import os
from pathlib import Path
from typing import Any

from tests.browser.conftest import sign_in, sign_out
from tests.browser.test_journeys import PHONE, report_fire_hazard
from tests.conftest import ROOT


def test_readme_screenshots(page: Any, tmp_path: Path) -> None:
    folder = ROOT / "docs" / "screenshots" if os.environ.get("GRIDCASE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    sign_in(page, "grid_worker_4")
    page.set_viewport_size(PHONE)
    page.goto("/cases/new?case_type=fire_hazard_rectification")
    page.screenshot(path=str(folder / "report-on-a-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    case_url = report_fire_hazard(page, "柳湾路8号")
    sign_out(page)
    sign_in(page, "township_dispatcher_1")
    page.screenshot(path=str(folder / "inbox.png"), full_page=True)
    page.locator("tr:has-text('柳湾路8号') a").first.click()
    page.screenshot(path=str(folder / "task-form.png"), full_page=True)
    page.goto(case_url)
    page.screenshot(path=str(folder / "case.png"), full_page=True)
    sign_out(page)
    sign_in(page, "leader")
    page.goto("/dashboard")
    page.screenshot(path=str(folder / "dashboard.png"), full_page=True)
    sign_out(page)
    sign_in(page, "designer")
    page.goto("/designer/fire_hazard_rectification")
    page.screenshot(path=str(folder / "designer.png"), full_page=True)
    names = ["case.png", "dashboard.png", "designer.png", "inbox.png", "report-on-a-phone.png", "task-form.png"]
    assert sorted(p.name for p in folder.glob("*.png")) == names
