"""What an anonymous reader sees and reaches, with a mouse or a keyboard."""

import re

from playwright.sync_api import expect

from tests.e2e.helpers import header


def test_public_reader_browses_from_home_to_a_city_page(page, make_city):
    organisation, _official = make_city("Graz")
    page.goto("/")
    expect(header(page).get_by_role("link", name="Sign in")).to_be_visible()
    expect(header(page).get_by_role("button", name="Sign out")).to_have_count(0)

    header(page).get_by_role("navigation", name="Main").get_by_role("link", name="Cities").click()
    expect(page).to_have_url(re.compile(r"/cities/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cities")
    page.get_by_role("main").get_by_role("link", name=organisation.name).first.click()

    expect(page).to_have_url(re.compile(rf"/cities/{organisation.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(organisation.name)
    expect(header(page).get_by_role("link", name="Sign in")).to_be_visible()


def test_dashboard_sends_a_public_reader_to_sign_in(page):
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/$"))
    expect(page.get_by_role("main").get_by_role("button", name=re.compile(r"^sign in$", re.I))).to_be_visible()


def test_first_tab_on_the_home_page_focuses_the_skip_link(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=re.compile(r"^skip to (main )?content", re.I))
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("#main")).to_be_focused()
