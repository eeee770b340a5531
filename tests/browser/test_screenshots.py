"""The README's pictures, taken from the running app.

`make screenshots` writes them to docs/screenshots/; in `make test` they go to a
temporary folder, so the pages they show are exercised either way.
"""

import io
import os
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from tests.browser.conftest import sign_in, sign_out
from tests.browser.test_journeys import PHONE, report_fire_hazard
from tests.conftest import ROOT


def scene() -> bytes:
    """A small drawn 'photo' for the case page: a corridor with a cable run to a scooter."""
    image = Image.new("RGB", (480, 360), (214, 208, 196))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 360), (160, 200), (320, 200), (480, 360)], fill=(150, 140, 128))  # the floor
    draw.rectangle((300, 230, 420, 300), fill=(40, 90, 160))  # the scooter
    draw.line([(40, 40), (120, 40), (120, 180), (310, 250)], fill=(230, 120, 20), width=6)  # the cable
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def test_readme_screenshots(page: Any, tmp_path: Path) -> None:
    folder = ROOT / "docs" / "screenshots" if os.environ.get("GRIDCASE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    sign_in(page, "grid_worker_4")
    page.set_viewport_size(PHONE)
    page.goto("/cases/new?case_type=fire_hazard_rectification")
    page.screenshot(path=str(folder / "report-on-a-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    case_url = report_fire_hazard(page, "柳湾路8号", photo=scene())
    sign_out(page)
    sign_in(page, "township_dispatcher_1")
    page.screenshot(path=str(folder / "inbox.png"), full_page=True)
    page.locator("tr:has-text('柳湾路8号') a").first.click()
    page.screenshot(path=str(folder / "task-form.png"), full_page=True)
    page.goto(case_url)
    page.wait_for_selector("#case-diagram[data-marked='1']")
    page.screenshot(path=str(folder / "case.png"), full_page=True)
    sign_out(page)
    sign_in(page, "leader")
    page.goto("/dashboard")
    page.wait_for_selector("#dashboard-map path.map-grid")
    page.screenshot(path=str(folder / "dashboard.png"), full_page=True)
    sign_out(page)
    sign_in(page, "hotline_operator")
    page.goto("/intake/desk")
    page.screenshot(path=str(folder / "desk.png"), full_page=True)
    sign_out(page)
    sign_in(page, "designer")
    page.goto("/designer/fire_hazard_rectification")
    page.screenshot(path=str(folder / "designer.png"), full_page=True)
    page.goto("/designer/fire_hazard_rectification/modeler")
    page.wait_for_selector("#modeler [data-canvas] .djs-container")
    page.locator("#modeler [data-canvas] g.djs-element[data-element-id='accept_and_assess']").click()
    page.screenshot(path=str(folder / "modeler.png"), full_page=True)
    names = ["case.png", "dashboard.png", "designer.png", "desk.png", "inbox.png", "modeler.png",
             "report-on-a-phone.png", "task-form.png"]  # fmt: skip
    assert sorted(p.name for p in folder.glob("*.png")) == names
