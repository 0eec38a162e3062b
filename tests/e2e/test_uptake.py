"""Flow 4: the commissioning city responds to a published result and records the decision it informed."""

import datetime as dt

from django.utils import timezone

from playwright.sync_api import expect

from profiles.factories import ResearcherProfileFactory
from projects.factories import PartnershipFactory, add_member
from projects.models import PartnershipMember, Result
from tests.e2e.helpers import sign_in


def test_city_responds_records_uptake_and_the_public_follows_the_trail(new_page, make_city, researcher, password):
    graz, official = make_city("Graz")
    partnership = PartnershipFactory(title="Housing rights monitor Graz", slug="housing-rights-graz", city=graz)
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH)
    result = Result.objects.create(
        partnership=partnership,
        title="Older tenants and eviction in Graz",
        slug="older-tenants-eviction-graz",
        abstract="What older tenants told us about evictions.",
        status=Result.Status.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=12),
    )
    _linz, linz_official = make_city("Linz")
    other_researcher = ResearcherProfileFactory(user__email="other.researcher@example.org").user
    add_member(PartnershipFactory(slug="another-partnership"), other_researcher)

    # Before the city responds, anyone sees how long the response has been pending.
    reader = new_page()
    reader.goto(result.get_absolute_url())
    expect(reader.get_by_text("Pending for 12 days")).to_be_visible()

    page = new_page()
    sign_in(page, official.email, password)
    page.goto(result.get_absolute_url())
    page.get_by_role("link", name="Respond to this result").click()
    page.get_by_label("Partly accepted").check()
    page.get_by_role("button", name="Publish the response").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Give the city's reasons")
    page.get_by_label("The city's reasons").fill("Counselling: yes. Rent caps are a regional matter.")
    page.get_by_label("Public reply").fill("We thank the team and remain open to discuss the evidence.")
    page.get_by_role("button", name="Publish the response").click()
    expect(page.get_by_text("The city's response is published beside the result.")).to_be_visible()

    page.get_by_role("link", name="Record a decision it informed").click()
    page.get_by_label("Kind", exact=True).select_option(label="Plan or strategy")
    page.get_by_label("Title", exact=True).fill("Municipal Housing Plan 2025–2030, measure 4.2")
    page.get_by_label("Date of the decision").fill(timezone.localdate().isoformat())
    page.get_by_label("Deciding body").fill("City council")
    page.get_by_label("Link").fill("javascript:alert(1)")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("http:// or https://")
    page.get_by_label("Link").fill("https://graz.example.org/housing-plan")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The decision is recorded and shown with the result.")).to_be_visible()

    # A public reader sees the response, the reply and the decision beside the result ...
    reader.goto(result.get_absolute_url())
    panel = reader.locator(".uptake-panel")
    expect(panel).to_contain_text("Partly accepted")
    expect(panel).to_contain_text("Rent caps are a regional matter.")
    expect(panel).to_contain_text("remain open to discuss the evidence")
    expect(panel.get_by_role("link", name="Municipal Housing Plan 2025–2030, measure 4.2", exact=True)).to_be_visible()
    expect(panel).not_to_contain_text("Pending for")
    # ... and follows the trail on /results/uptake/.
    panel.get_by_role("link", name="All decisions informed by research").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Policy uptake")
    expect(reader.get_by_text("1 decision found")).to_be_visible()
    expect(reader.get_by_role("link", name="Older tenants and eviction in Graz")).to_be_visible()
    expect(reader.get_by_role("main")).to_contain_text("Municipal Housing Plan 2025–2030, measure 4.2")

    # Nobody else reaches the city's forms.
    for outsider in (other_researcher, linz_official):
        other = new_page()
        sign_in(other, outsider.email, password)
        assert other.goto(f"{result.get_absolute_url()}response/").status == 404
        assert other.goto(f"{result.get_absolute_url()}uptake/new/").status == 404
