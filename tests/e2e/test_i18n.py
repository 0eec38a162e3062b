"""A reader switches the interface to Spanish with the language switcher."""

import re

from playwright.sync_api import expect

from tests.e2e.helpers import header


def test_reader_switches_to_spanish_and_sees_the_nav_in_spanish(page):
    page.goto("/calls/")
    switcher = header(page).get_by_role("navigation", name="Language")
    expect(switcher.get_by_role("link", name="English")).to_have_attribute("aria-current", "true")
    switcher.get_by_role("link", name="Español").click()

    expect(page).to_have_url(re.compile(r"/es/calls/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    nav = header(page).get_by_role("navigation", name="Principal")
    expect(nav.get_by_role("link", name="Convocatorias")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Ciudades")).to_have_attribute("href", "/es/cities/")
    expect(header(page).get_by_role("navigation", name="Idioma").get_by_role("link", name="Español")).to_have_attribute(
        "aria-current", "true"
    )

    nav.get_by_role("link", name="Ciudades").click()
    expect(page).to_have_url(re.compile(r"/es/cities/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
