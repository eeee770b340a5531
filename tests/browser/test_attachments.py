"""A photo taken on patrol: reported from a phone, seen as a thumbnail, hidden from other townships."""

import re
from typing import Any

from tests.attachments.files import jpeg
from tests.browser.conftest import sign_in, sign_out
from tests.browser.test_journeys import PHONE, no_horizontal_scroll


def test_a_grid_worker_reports_a_hazard_with_a_photo_from_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, "grid_worker_1")
    page.goto("/cases/new?case_type=fire_hazard_rectification")
    camera = page.locator("#a-photos")
    assert camera.get_attribute("capture") == "environment" and camera.get_attribute("accept") == "image/*"
    assert page.locator("#a-files").get_attribute("capture") is None  # the gallery and documents, too
    heights = page.evaluate(
        "[...document.querySelectorAll('input[type=file]')].map(e => e.getBoundingClientRect().height)"
    )
    assert len(heights) == 2 and min(heights) >= 44  # touch-sized
    assert no_horizontal_scroll(page)
    page.fill("#f-address", "桃源路20号")
    page.select_option("#f-hazard_kind", "electrical")
    page.check("input[name=severity][value=high]")
    page.fill("#f-description", "配电箱前堆放纸箱")
    page.fill("#f-responsible_party", "李四")
    camera.set_input_files(files=[{"name": "hazard.jpg", "mimeType": "image/jpeg", "buffer": jpeg(640, 480)}])
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    thumbnail = page.locator("ul.thumbnails img").first
    thumbnail.wait_for()
    page.wait_for_function("document.querySelector('ul.thumbnails img').complete")
    assert thumbnail.evaluate("img => img.naturalWidth") == 320  # the server's thumbnail, loaded
    assert thumbnail.get_attribute("alt") == "hazard.jpg"
    assert "添加附件" in page.inner_text("ol.history")
    assert no_horizontal_scroll(page)
    photo_url = page.locator("ul.thumbnails a").first.get_attribute("href")
    sign_out(page)
    sign_in(page, "grid_worker_5")  # 西河镇: not this case's township
    response = page.goto(photo_url)
    assert response is not None and response.status == 404
    assert page.request.get(f"{photo_url}/thumbnail").status == 404
