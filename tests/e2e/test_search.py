"""A public reader searches the commons, narrows by type and sees why each result matched."""

import re

from playwright.sync_api import expect

from calls.factories import make_call
from profiles.factories import ResearcherProfileFactory
from profiles.models import CityPage, Visibility
from projects.factories import PartnershipFactory


def _search(page, words: str) -> None:
    page.goto("/search/")
    page.get_by_label("Search for").fill(words)
    page.get_by_label("Search for").press("Enter")


def test_reader_finds_a_partnership_and_a_call_and_narrows_by_type(page, make_city):
    organisation, _official = make_city("Graz")
    city_page = CityPage.objects.get(organisation=organisation)
    PartnershipFactory(
        title="Quokkaphile housing monitor",
        slug="quokkaphile-monitor",
        summary="Tenants map evictions.",
        city=organisation,
    )
    make_call(city_page=city_page, title="Quokkaphile tenants call", summary="Research on older tenants.")

    _search(page, "quokkaphile")

    results = page.get_by_role("region", name="Results")
    expect(results.get_by_role("status")).to_have_text(re.compile(r"^2 results"))
    expect(results.get_by_role("link", name="Quokkaphile housing monitor")).to_be_visible()
    expect(results.get_by_role("link", name="Quokkaphile tenants call")).to_be_visible()
    expect(results.locator("mark").first).to_have_text(re.compile("quokkaphile", re.I))

    filters = page.get_by_role("complementary", name="Narrow the results")
    filters.get_by_role("group", name="Type").get_by_label(re.compile(r"^Calls")).check()
    filters.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"type=call"))
    expect(results.get_by_role("status")).to_have_text(re.compile(r"^1 result"))
    expect(results.get_by_role("link", name="Quokkaphile tenants call")).to_be_visible()
    expect(results.get_by_role("link", name="Quokkaphile housing monitor")).to_have_count(0)
    expect(results.get_by_role("link", name=re.compile(r"Type: Calls"))).to_be_visible()


def test_words_only_in_a_draft_call_or_a_hidden_bio_find_nothing(page, make_city):
    organisation, _official = make_city("Graz")
    make_call(
        city_page=CityPage.objects.get(organisation=organisation), title="Draft on zyzzogeton estates", publish=False
    )
    ResearcherProfileFactory(bio="My hidden marmalogic fieldwork.", bio_visibility=Visibility.HIDDEN)

    for word in ("zyzzogeton", "marmalogic"):
        _search(page, word)
        expect(page.get_by_role("heading", name="Nothing matches")).to_be_visible()
        expect(page.get_by_text("Check the spelling")).to_be_visible()
