"""Officials find their work, in English, Spanish and French: an official posts a call from the dashboard straight
into the call editor under their city and sees it in "Your city's calls"; a coordinator verifies an organisation
from its visible button. Screenshots of each step are kept (E2E_ARTIFACTS_DIR, default test-artifacts/)."""

import os
import re
from pathlib import Path

from django.core import mail
from django.utils import translation

from wagtail.users.models import UserProfile

import pytest
from playwright.sync_api import Page, expect

from calls.models import ResearchCall
from profiles.factories import CityOrganisationFactory, MembershipFactory, UserFactory
from profiles.models import CityPage, Membership, Organisation
from tests.e2e.helpers import close_date_pickers, set_slug, sign_in

ARTIFACTS_DIR = Path(os.environ.get("E2E_ARTIFACTS_DIR") or Path(__file__).resolve().parents[2] / "test-artifacts")
PREFIXES = {"en": "", "es": "/es", "fr": "/fr"}
TITLE = "Housing conditions of older tenants"


def screenshot(page: Page, name: str) -> None:
    """Keep what the person saw at this step, at the phone width and the desktop width, as a CI artefact."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS_DIR / f"official-desk-{name}-{width}.png"), full_page=True)


def in_language(language: str, text: str) -> str:
    """The site's own wording in that language (English until the catalogue has it)."""
    with translation.override(language):
        return translation.gettext(text)


def prefer_language(user, language: str) -> None:
    """The person's admin language, as they would choose it under Account."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_official_posts_a_call_from_the_dashboard_and_finds_it_in_their_citys_calls(
    new_page, make_city, password, language
):
    organisation, official = make_city("Graz")
    prefer_language(official, language)
    city_page = CityPage.objects.get(organisation=organisation)
    add_url = f"/admin/pages/add/calls/researchcall/{city_page.pk}/"
    prefix = PREFIXES[language]

    page = new_page()
    sign_in(page, official.email, password)
    page.goto(f"{prefix}/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{language}"))
    desk = page.get_by_role("region", name=in_language(language, "Your city's calls"))
    post = desk.get_by_role("link", name=in_language(language, "Post a research call"))
    expect(post).to_have_attribute("href", add_url)
    expect(desk.get_by_role("link", name=in_language(language, "Draft a page for your city"))).to_be_visible()
    screenshot(page, f"{language}-1-dashboard")

    post.click()
    expect(page).to_have_url(re.compile(re.escape(add_url) + "$"))
    page.locator('input[name="title"]').fill(TITLE)
    # The slug (on the "Promote" tab) follows the title through Wagtail's script; a loaded CI machine may submit first.
    page.locator('input[name="slug"]').evaluate("(field) => { field.value = 'housing-older-tenants'; }")
    page.locator('textarea[name="summary"]').fill("How older tenants live, and what the city can change.")
    page.locator('input[name="budget_max"]').fill("40000")
    page.locator('input[name="opens_at"]').fill("2027-03-01 12:00")
    page.locator('input[name="closes_at"]').fill("2027-05-01 12:00")
    page.locator('input[name="criteria-0-name"]').fill("Relevance")
    page.locator('input[name="criteria-0-weight"]').fill("100")
    close_date_pickers(page)
    screenshot(page, f"{language}-2-call-editor")

    # An official submits for moderation from the editor's action menu.
    set_slug(page, "housing-older-tenants")
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()
    page.locator("button[name='action-submit']").click()
    expect(page).not_to_have_url(re.compile(re.escape(add_url) + "$"))
    call = ResearchCall.objects.get(title=TITLE)
    assert call.get_parent().pk == city_page.pk and not call.live

    page.goto(f"{prefix}/dashboard/")
    row = page.locator('li[data-call-state="in_moderation"]').filter(has_text=TITLE)
    expect(row).to_be_visible()
    expect(row).to_contain_text(in_language(language, "In moderation"))
    expect(
        row.get_by_role("link", name=re.compile(re.escape(in_language(language, "Open in the editor"))))
    ).to_have_attribute("href", f"/admin/pages/{call.pk}/edit/")
    screenshot(page, f"{language}-3-your-citys-calls")

    # The city page offers the same way in.
    page.goto(f"{prefix}/cities/{city_page.slug}/")
    expect(page.get_by_role("link", name=in_language(language, "Post a research call"))).to_have_attribute(
        "href", add_url
    )
    screenshot(page, f"{language}-4-city-page")


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_coordinator_verifies_an_organisation_from_its_visible_button(new_page, coordinator, password, language):
    prefer_language(coordinator, language)
    organisation = CityOrganisationFactory(name="City of Steyr", city="Steyr")
    MembershipFactory(
        organisation=organisation,
        user=UserFactory(email="mayor@steyr.example.org"),
        role=Membership.Role.ADMIN,
        status=Membership.Status.APPROVED,
    )
    verify_url = f"/admin/organisations/{organisation.pk}/verify/"

    page = new_page()
    sign_in(page, coordinator.email, password)
    page.goto("/admin/snippets/profiles/organisation/")
    row = page.get_by_role("row").filter(has_text="City of Steyr")
    with translation.override(language):
        not_verified = translation.gettext("Not verified")
    expect(row).to_contain_text(not_verified)
    verify = row.locator(f'a[href="{verify_url}"]')
    expect(verify).to_be_visible()  # a button of its own, not hidden in the "…" menu
    screenshot(page, f"{language}-5-organisation-list")

    verify.click()
    expect(page).to_have_url(re.compile(re.escape(verify_url) + "$"))
    screenshot(page, f"{language}-6-verify-confirmation")
    page.locator(f'form[action="{verify_url}"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/admin/snippets/profiles/organisation/$"))
    expect(page.get_by_role("row").filter(has_text="City of Steyr").locator(f'a[href="{verify_url}"]')).to_have_count(0)
    screenshot(page, f"{language}-7-verified")

    assert Organisation.objects.get(pk=organisation.pk).verified
    assert [message.to for message in mail.outbox] == [["mayor@steyr.example.org"]]
