"""The main journeys as a person makes them, in a real browser."""

import re
from typing import Any

from tests.browser.conftest import sign_in, sign_out

PHONE = {"width": 375, "height": 812}


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def report_fire_hazard(page: Any, address: str, photo: bytes | None = None) -> str:
    page.goto("/cases/new?case_type=fire_hazard_rectification")
    page.fill("#f-address", address)
    page.select_option("#f-hazard_kind", "electrical")
    page.check("input[name=severity][value=high]")
    page.fill("#f-description", "楼道内私拉电线给电动车充电")
    page.fill("#f-responsible_party", "张三")
    if photo is not None:
        page.set_input_files("#a-photos", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    return str(page.url)


def test_a_grid_worker_reports_a_hazard_from_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, "grid_worker_1")
    assert no_horizontal_scroll(page)
    page.goto("/cases/new")
    page.click("text=消防隐患整改")
    page.click("button.primary")  # nothing filled in: errors next to the fields, nothing lost
    assert page.locator("#address-error").is_visible()
    assert no_horizontal_scroll(page)
    url = report_fire_hazard(page, "桃源路12号")
    assert "受理并研判" in page.inner_text("main")
    # The case's diagram (bpmn-js, from `make vendor`) marks where the case is: its open task.
    page.wait_for_selector("#case-diagram[data-marked='1']")
    assert page.locator("#case-diagram .djs-element.case-current").count() == 1
    lanes = page.inner_text("#case-diagram")
    assert "网格员" in lanes and "grid_worker" not in lanes  # the lanes show the roles' names, not their keys
    assert no_horizontal_scroll(page)
    heights = page.evaluate("[...document.querySelectorAll('button, select, input:not([type=hidden]):not([type=radio])"
                            ":not([type=checkbox])')].map(e => e.getBoundingClientRect().height)")  # fmt: skip
    assert min(heights) >= 44  # touch-sized controls
    assert url.startswith("http://127.0.0.1")


def test_a_dispatcher_claims_completes_and_returns(page: Any) -> None:
    sign_in(page, "grid_worker_1")
    report_fire_hazard(page, "桃源路14号")
    report_fire_hazard(page, "桃源路16号")
    sign_out(page)
    sign_in(page, "township_dispatcher_1")
    rows = page.locator("tr:has-text('桃源路14号') a").first
    rows.click()
    with page.expect_navigation():
        page.click("text=领取")
    assert "领取人" in page.inner_text("main")
    page.check("input[name=severity_decision][value=minor]")
    page.fill("textarea[name=assessment_opinion]", "可现场整改")
    page.click("button.primary")
    page.wait_for_url("**/inbox")
    assert "任务已办结" in page.inner_text("main")
    page.locator("tr:has-text('桃源路16号') a").first.click()
    task_url = page.url
    sign_out(page)
    sign_in(page, "county_dispatcher")
    page.goto(task_url)
    page.select_option("#assign-to", "township_dispatcher_1")
    with page.expect_navigation():
        page.locator("form[action$='/assign'] button").first.click()
    assert "任务已指派给" in page.inner_text("main")
    sign_out(page)
    sign_in(page, "township_dispatcher_1")
    page.goto(task_url)
    page.fill("#return-reason", "应由西河镇办理")
    page.locator("form[action$='/return'] button").click()
    page.wait_for_url("**/inbox")
    assert "任务已退回" in page.inner_text("main")


def test_a_mediator_hands_a_dispute_on_and_the_next_sees_the_record(page: Any) -> None:
    sign_in(page, "grid_worker_1")
    page.goto("/cases/new?case_type=dispute_mediation")
    page.fill("#f-parties", "李四与王五")
    page.select_option("#f-dispute_kind", "neighbourhood")
    page.fill("#f-address", "桃源社区3栋")
    page.fill("#f-claims", "占用公共走廊")
    page.check("input[name=risk_level][value=low]")
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    sign_out(page)
    sign_in(page, "peoples_mediator_1")
    page.locator("table.list a").first.click()
    page.check("input[name=peoples_result][value=no_agreement]")
    page.fill("textarea[name=peoples_record]", "王五拒绝让步，调解不成")
    with page.expect_navigation():
        page.click("button.primary")
    sign_out(page)
    sign_in(page, "admin_mediator_1")
    page.locator("table.list a").first.click()
    assert "王五拒绝让步，调解不成" in page.inner_text("main")
    assert "行政调解" in page.inner_text("h1")


def test_the_language_switch_is_remembered(page: Any) -> None:
    sign_in(page, "grid_worker_2")
    with page.expect_navigation():
        page.click("button[value=en]")
    assert "Inbox" in page.inner_text("header")
    sign_out(page)
    sign_in(page, "grid_worker_2")
    assert "Inbox" in page.inner_text("header")
    with page.expect_navigation():
        page.click("button[value=zh_Hans_CN]")
    assert "待办" in page.inner_text("header")


def test_keyboard_users_see_where_they_are(page: Any) -> None:
    sign_in(page, "grid_worker_3")
    page.goto("/cases/new?case_type=fire_hazard_rectification")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    labels = page.evaluate("[...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')]"
                           ".every(e => e.labels && e.labels.length > 0 || e.closest('fieldset'))")  # fmt: skip
    assert labels


def test_a_designer_deploys_a_new_version_and_a_bad_one_is_refused(page: Any, tmp_path: Any) -> None:
    from tests.conftest import ROOT

    fire = (ROOT / "processes" / "fire_hazard_rectification.bpmn").read_text("utf-8")
    good = tmp_path / "fire_hazard_rectification.bpmn"
    good.write_text(fire.replace("受理并研判", "受理与研判"), "utf-8")
    bad = tmp_path / "broken.bpmn"
    bad.write_text(fire.replace('name="fire_safety_inspector"', 'name="fire_brigade"'), "utf-8")
    sign_in(page, "designer")
    page.goto("/designer")
    page.set_input_files("#bpmn", str(bad))
    with page.expect_navigation():
        page.click("button.primary")
    assert "unknown lane role 'fire_brigade'" in page.inner_text("main")
    page.set_input_files("#bpmn", str(good))
    with page.expect_navigation():
        page.click("button.primary")
    assert "fire_hazard_rectification" in page.url
    assert "已部署 fire_hazard_rectification 第 2 版。" in page.inner_text("main")


def test_a_leader_opens_the_dashboard_and_drills_down(page: Any) -> None:
    sign_in(page, "leader")
    page.click("header >> text=指挥中心")
    assert "青山县" in page.inner_text("main")
    with page.expect_navigation():
        page.click("main table >> text=东城街道")
    assert "org_unit=360123001000" in page.url
    assert "东城街道" in page.inner_text("main")
    with page.expect_navigation():
        page.click("main table >> text=桃源社区")
    assert "org_unit=360123001001" in page.url


def test_a_leader_drills_down_on_the_map_and_sees_the_trend_chart(page: Any) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, "leader")
    page.goto("/dashboard")
    page.wait_for_selector("#dashboard-map[data-features='8']")  # the county's eight grids, drawn
    assert page.locator("#dashboard-map path.map-grid").count() == 8
    assert page.locator("#trend-chart[data-bars='12']").count() == 1  # twelve months of bars
    grid = page.locator("#dashboard-map path[data-unit='360123001001001']")
    grid.hover()
    assert "桃源社区第1网格" in page.inner_text("#dashboard-map .leaflet-tooltip")
    with page.expect_navigation():
        grid.click()
    assert "org_unit=360123001000" in page.url  # the township that holds the grid
    page.wait_for_selector("#dashboard-map[data-features='4']")
    with page.expect_navigation():
        page.locator("#dashboard-map path[data-unit='360123001001001']").click()
    assert "org_unit=360123001001&" in page.url  # then its community
    page.wait_for_selector("#dashboard-map[data-features='2']")
    page.locator("#dashboard-map path[data-unit='360123001001001']").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the keyboard drills down too: a grid of the community opens its cases
    assert "/cases?org_unit=360123001001001" in page.url
    assert not errors, errors


def test_the_maps_tooltips_show_a_reported_address_as_text(page: Any) -> None:
    token = page.request.post("/api/v1/auth/token", data={"username": "grid_worker_1", "password": "gridcase-demo"})
    body = {"case_type": "fire_hazard_rectification", "org_unit": "360123001001001", "latitude": 28.705,
            "longitude": 115.905, "data": {"address": "<b>粗体</b><img src=x>桃源路", "hazard_kind": "electrical",
                                           "description": "楼道堆放杂物", "severity": "high", "responsible_party": "张三"}}  # fmt: skip
    started = page.request.post("/api/v1/cases", data=body,
                                headers={"Authorization": f"Bearer {token.json()['token']}"})  # fmt: skip
    assert started.status == 201, started.text()
    sign_in(page, "leader")
    page.goto("/dashboard")
    page.wait_for_selector("#dashboard-map path.map-case")
    page.locator("#dashboard-map path.map-case").first.hover()
    tooltip = page.locator("#dashboard-map .leaflet-tooltip")
    assert "<b>粗体</b>" in tooltip.inner_text() and tooltip.locator("b, img").count() == 0  # text, not markup


def test_the_knowledge_base_fits_a_phone_and_an_editor_finds_a_switched_off_answer(page: Any) -> None:
    token = page.request.post("/api/v1/auth/token", data={"username": "admin", "password": "gridcase-demo"})
    answer = {
        "title": "燃气异味如何处理",
        "body": "请立即开窗通风，关闭阀门，拨打燃气公司抢修电话。",
        "keywords": "燃气 异味",
    }
    created = page.request.post("/api/v1/knowledge", data=answer,
                                headers={"Authorization": f"Bearer {token.json()['token']}"})  # fmt: skip
    assert created.status == 201, created.text()
    entry = created.json()["id"]
    page.set_viewport_size(PHONE)
    sign_in(page, "grid_worker_1")
    page.goto("/intake/knowledge")
    assert no_horizontal_scroll(page)  # the search box and its button wrap (it scrolled sideways)
    with page.expect_navigation():
        page.click("button[name=locale][value=en]")
    assert "Knowledge base" in page.inner_text("main") and no_horizontal_scroll(page)
    sign_out(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "county_dispatcher")
    page.goto(f"/intake/knowledge/{entry}/edit")
    page.uncheck("input[name=active]")
    with page.expect_navigation():
        page.click("form button.primary")
    page.goto("/intake/knowledge")
    assert page.locator(f"ul.answers li[data-entry='{entry}'] .badge").count() == 1  # still listed, marked off
