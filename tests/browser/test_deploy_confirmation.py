"""Deploying from the designer asks first: new cases use the new version at once."""

from typing import Any

from tests.browser.conftest import sign_in

FORM = "/designer/fire_hazard_rectification/1/forms/fire_hazard_assessment.schema.json"


def _answer_dialogs(page: Any, accept: bool) -> list[str]:
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", answer)
    return asked


def test_saving_a_form_as_a_new_version_asks_first(page: Any) -> None:
    sign_in(page, "designer")
    page.goto(FORM)
    asked = _answer_dialogs(page, accept=False)
    with page.expect_navigation():
        page.click("button[value=preview]")  # previewing changes nothing: no question
    assert asked == []
    page.click("button[value=save]")
    page.wait_for_timeout(300)
    assert asked == [page.get_attribute("button[value=save]", "data-confirm")] and asked[0]
    assert page.url.endswith(FORM) and page.locator("form[aria-busy=true]").count() == 0  # nothing was sent


def test_deploying_from_the_modeler_asks_first(page: Any) -> None:
    sign_in(page, "designer")
    page.goto("/designer/fire_hazard_rectification/modeler")
    page.wait_for_selector("#modeler[data-ready]", state="attached")
    asked = _answer_dialogs(page, accept=False)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url) if request.method == "POST" else None)
    page.click("[data-action=deploy]")
    page.wait_for_timeout(300)
    assert asked == [page.evaluate("JSON.parse(document.getElementById('modeler').dataset.text).confirmDeploy")]
    assert asked[0] and requests == []  # neither saved nor deployed
    assert page.locator("[data-versions-link]").count() == 0
