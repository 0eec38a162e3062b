"""The header (issue 16 §7): one row at 1280 px in English, Spanish and French; collapsed on a phone from the
first paint, opened and closed from the keyboard; no layout shift after load."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import header

# Recorded in the page before any script of the site runs: the header's box when the document is parsed, and
# every layout shift (the Layout Instability API, as Lighthouse sums it: shifts without recent input).
MEASURE = """
window.__shifts = 0;
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (entry) { if (!entry.hadRecentInput) window.__shifts += entry.value; });
}).observe({type: "layout-shift", buffered: true});
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector(".site-header").getBoundingClientRect();
  window.__headerAtParse = [box.x, box.y, box.width, box.height];
});
"""
HEADER_BOX = "() => { const b = document.querySelector('.site-header').getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; }"
ONE_ROW_PX = 80  # the row is 4.25rem (68 px) high; a second row would add at least 40 px


def _open(page: Page, path: str, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.add_init_script(MEASURE)
    page.goto(path, wait_until="load")
    page.wait_for_timeout(0)  # let the observer's buffered entries arrive


def _assert_no_shift_after_load(page: Page) -> None:
    assert page.evaluate("window.__headerAtParse") == page.evaluate(HEADER_BOX)
    assert page.evaluate("window.__shifts") < 0.1


@pytest.mark.parametrize("language", ["", "/es", "/fr"])
def test_the_header_is_one_row_at_1280_px_in_every_language(page, language):
    _open(page, f"{language}/calls/", 1280, 800)
    inner = page.locator(".site-header__inner").bounding_box()
    assert inner["height"] < ONE_ROW_PX, f"header is {inner['height']} px high"
    expect(header(page).locator(".nav-toggle")).to_be_hidden()
    # Every part of the header sits in that one row, side by side.
    parts = [".brand", ".primary-nav", ".header-search", ".account-nav", ".language-switcher"]
    boxes = [page.locator(f".site-header {selector}").bounding_box() for selector in parts]
    for selector, box in zip(parts, boxes, strict=True):
        assert box["y"] >= inner["y"] and box["y"] + box["height"] <= inner["y"] + inner["height"], selector
    assert [box["x"] for box in boxes] == sorted(box["x"] for box in boxes)
    _assert_no_shift_after_load(page)


def test_secondary_links_open_from_more_over_the_page(page):
    _open(page, "/es/calls/", 1280, 800)
    main_top = page.locator("#main").bounding_box()["y"]
    nav = header(page).get_by_role("navigation", name="Principal")
    expect(nav.get_by_role("link", name="Métodos")).to_be_hidden()
    nav.locator("summary").click()
    expect(nav.get_by_role("link", name="Métodos")).to_be_visible()
    assert page.locator("#main").bounding_box()["y"] == main_top  # the list drops over the page
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Métodos")).to_be_hidden()


@pytest.mark.parametrize("language", ["", "/es"])
def test_the_menu_is_collapsed_on_a_phone_and_toggles_with_the_keyboard(page, language):
    _open(page, f"{language}/calls/", 390, 844)
    toggle = header(page).locator(".nav-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#site-nav")).to_be_hidden()
    assert page.locator(".site-header").bounding_box()["height"] < ONE_ROW_PX
    _assert_no_shift_after_load(page)

    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#site-nav")).to_be_visible()
    expect(page.locator(".header-search input")).to_be_visible()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#site-nav")).to_be_hidden()
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#site-nav")).to_be_visible()
    page.keyboard.press("Space")
    expect(page.locator("#site-nav")).to_be_hidden()
    assert page.url.endswith("/calls/")  # the toggle did not follow its #site-nav link
