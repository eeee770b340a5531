"""Long actions say that they are working, and a second click does not send them twice."""

from typing import Any

from tests.browser.conftest import sign_in

# Runs after the page's own handlers (window is last in the bubbling order): counts the submissions the page
# lets through, then stops the navigation so that the test can look at the page while "the server works".
COUNT_SUBMISSIONS = """() => {
  window.sent = 0;
  window.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) window.sent += 1;
    event.preventDefault();
  });
}"""


def test_an_import_shows_that_it_is_working_and_is_sent_once(page: Any) -> None:
    sign_in(page, "admin")
    page.goto("/admin/import")
    page.evaluate(COUNT_SUBMISSIONS)
    page.set_input_files("input[type=file]", files=[{"name": "units.csv", "mimeType": "text/csv",
                                                      "buffer": b"code,name,kind,parent_code\n"}])  # fmt: skip
    page.click("button.primary")
    assert page.inner_text("form .busy-status[role=status]") == "正在检查文件…"
    assert page.get_attribute("form[data-busy]", "aria-busy") == "true"
    page.click("button.primary")
    assert page.evaluate("window.sent") == 1
