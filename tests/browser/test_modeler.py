"""The modeler in a real browser: draw a user task with a form, save, validate, deploy, see the new version."""

from typing import Any

from tests.browser.conftest import sign_in

# bpmn-js's own API draws the shapes (dragging from the palette is unreliable headless); the properties panel
# is then used as a designer uses it, through its inputs.
DRAW = """() => {
  const modeler = window.gridcaseModeler;
  const registry = modeler.get("elementRegistry"), modeling = modeler.get("modeling");
  const start = registry.get("start_report");
  const task = modeling.appendShape(start, {type: "bpmn:UserTask"}, {x: start.x + 200, y: start.y + 18});
  modeling.appendShape(task, {type: "bpmn:EndEvent"}, {x: task.x + 250, y: task.y + 40});
  return task.id;
}"""

SELECT_LANE = """() => {
  const modeler = window.gridcaseModeler;
  modeler.get("selection").select(modeler.get("elementRegistry").get("Lane_grid_worker"));
}"""
SAVED_XML = "() => window.gridcaseModeler.saveXML().then(result => result.xml)"


def open_new_case_type(page: Any, key: str) -> None:
    page.goto("/designer")
    page.fill("#new-key", key)
    with page.expect_navigation():
        page.click("form[action='/designer/modeler'] button")
    assert page.url.endswith(f"/designer/{key}/modeler")
    page.wait_for_selector("#modeler[data-ready]", state="attached")


def edit_in_panel(page: Any, task_id: str) -> None:
    """Name the new task, give it a form and a bad time limit, and make the lane village staff's."""
    page.click(f"g.djs-element[data-element-id='{task_id}']", position={"x": 50, "y": 20}, force=True)
    page.wait_for_selector("#prop-formJsonSchemaFilename")
    assert page.inner_text("#modeler [data-panel] h2") == "用户任务"  # the element's kind in the reader's language
    page.fill("#prop-name", "核查路灯")
    page.press("#prop-name", "Tab")
    page.select_option("#prop-formJsonSchemaFilename", "hotline_review.schema.json")
    page.fill("#prop-deadline", "soon")
    page.press("#prop-deadline", "Tab")
    page.evaluate(SELECT_LANE)  # the lane's edge sits under the palette: select it by the API, edit it in the panel
    page.select_option("select#prop-name", "village_staff")
    xml = page.evaluate(SAVED_XML)
    assert '<bpmn:lane id="Lane_grid_worker" name="village_staff">' in xml
    assert '<spiffworkflow:property name="formJsonSchemaFilename" value="hotline_review.schema.json"' in xml
    assert 'name="核查路灯"' in xml


def test_a_designer_draws_a_new_case_type_in_the_modeler_and_deploys_it(page: Any) -> None:
    sign_in(page, "designer")
    page.on("dialog", lambda dialog: dialog.accept())  # deploying asks first
    open_new_case_type(page, "street_lamp_repair")
    task_id = page.evaluate(DRAW)
    edit_in_panel(page, task_id)
    # Validate: the bad time limit is listed with the task's id, label and line, and the shape is marked.
    page.click("[data-action=validate]")
    problem = page.locator("[data-problems] tr.problem").first
    problem.wait_for()
    assert task_id in problem.inner_text() and "核查路灯" in problem.inner_text() and "deadline" in problem.inner_text()
    assert page.locator(f"g.djs-element.gc-problem[data-element-id='{task_id}']").count() == 1
    # Deploying the draft with its error is refused.
    page.click("[data-action=deploy]")
    page.wait_for_selector("[data-status].error")
    # A problem's row selects its element; fixed through the panel, it validates, saves and deploys as version 1.
    page.click("[data-problems] tr.problem.selectable")
    page.fill("#prop-deadline", "2 working days")
    page.press("#prop-deadline", "Tab")
    page.click("[data-action=validate]")
    page.wait_for_selector("[data-problems]", state="hidden")
    assert "没有问题" in page.inner_text("[data-status]")
    page.click("[data-action=deploy]")
    link = page.locator("[data-versions-link]")
    link.wait_for()
    assert "已部署第 1 版" in page.inner_text("[data-status]")
    with page.expect_navigation():
        link.click()
    assert page.url.endswith("/designer/street_lamp_repair")
    assert page.locator("tr[data-version='1']").count() == 1
    download = page.request.get("/designer/street_lamp_repair/1.bpmn").text()
    assert '<spiffworkflow:property name="deadline" value="2 working days"' in download
