"""Browser journey: a 12345 operator picks the category by pinyin initials and files the call as a case."""

import re
from typing import Any

from tests.browser.conftest import sign_in
from tests.conftest import GRID_1


def test_an_operator_finds_the_category_by_initials_and_creates_a_case(page: Any) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    missing: list[str] = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    sign_in(page, "hotline_operator")
    page.goto("/intake/desk")
    page.fill("#category_q", "xftd")
    suggestion = page.locator("#category-suggestions button").first
    suggestion.wait_for()
    assert "消防通道堵塞" in suggestion.inner_text()
    suggestion.click()
    assert page.locator("#category").input_value() == "010101"
    page.fill("#caller_name", "陈七")
    page.fill("#caller_phone", "13600003333")
    page.fill("#content", "小区消防通道被私家车长期占用")
    page.fill("#address", "桃源路20号")
    page.select_option("#org_unit", GRID_1)
    page.click("button[value=create]")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    assert "小区消防通道被私家车长期占用" in page.content()
    assert all(url.endswith("/favicon.ico") for url in missing), missing
    assert [e for e in errors if "favicon" not in e and "Failed to load resource" not in e] == []  # no CSP refusal
