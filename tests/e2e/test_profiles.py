"""A researcher fills in their profile in the browser and chooses who sees their biography."""

import re

from playwright.sync_api import expect

from profiles.models import ResearcherProfile
from tests.e2e.helpers import sign_in

BIO = "I map evictions with tenants' unions; this text is for signed-in members only."


def test_researcher_fills_profile_and_members_only_bio_stays_hidden_from_visitors(new_page, researcher, password):
    page = new_page()
    sign_in(page, researcher.email, password)
    page.goto("/dashboard/profile/")
    main = page.get_by_role("main")

    main.get_by_label("Headline").fill("Housing rights in mid-sized cities")
    main.get_by_role("checkbox", name="Right to adequate housing").check()
    language = main.get_by_role("group", name="Language 1")
    language.get_by_label("Language").select_option(label="Spanish")
    language.get_by_label("Level").select_option(label="Fluent")
    publication = main.get_by_role("group", name="Publication 1")
    publication.get_by_label("Title").fill("Evictions and the right to housing in Graz")
    publication.get_by_label("Year").fill("2025")
    publication.get_by_label("DOI").fill("https://doi.org/10.5281/zenodo.7654321")
    main.get_by_label("Biography").fill(BIO)
    main.get_by_role("group", name="Who can see your biography?").get_by_label("Signed-in users only").check()
    main.get_by_role("button", name="Save profile").click()

    expect(page.get_by_role("status").filter(has_text="Your profile was saved.")).to_be_visible()
    profile = ResearcherProfile.objects.get(user=researcher)
    expect(page).to_have_url(re.compile(rf"/researchers/{profile.pk}/$"))
    main = page.get_by_role("main")
    expect(main.get_by_text(BIO)).to_be_visible()
    expect(main.get_by_role("link", name="Right to adequate housing")).to_be_visible()
    expect(main.get_by_text("Spanish")).to_be_visible()
    expect(main.get_by_role("link", name="Evictions and the right to housing in Graz")).to_have_attribute(
        "href", "https://doi.org/10.5281/zenodo.7654321"
    )

    visitor = new_page()
    visitor.goto(f"/researchers/{profile.pk}/")
    visible = visitor.get_by_role("main")
    expect(visible.get_by_role("heading", level=1)).to_have_text(researcher.display_name)
    expect(visible.get_by_text("Housing rights in mid-sized cities")).to_be_visible()
    expect(visible.get_by_role("link", name="Evictions and the right to housing in Graz")).to_be_visible()
    expect(visible.get_by_text(BIO)).to_have_count(0)
    assert BIO not in visitor.content()
