"""Issue 19 §4 in the browser: a civil-society member posts a research need, another person endorses it, the city
answers it and turns it into a call, someone reports a comment and a coordinator hides it with a public reason."""

import re

from playwright.sync_api import expect

from profiles.factories import MembershipFactory, OrganisationFactory, UserFactory
from profiles.models import Organisation
from projects.models import NeedEndorsement, ResearchNeed
from tests.e2e.helpers import sign_in


def test_a_need_is_posted_endorsed_answered_turned_into_a_call_and_moderated(
    new_page, make_city, researcher, coordinator, password
):
    graz, official = make_city("Graz")
    cso = OrganisationFactory(name="Tenants Union Graz", kind=Organisation.Kind.CIVIL_SOCIETY)
    member = UserFactory(email="mira@tenants.example.org", first_name="Mira", last_name="Novak")
    MembershipFactory(user=member, organisation=cso)
    troll = UserFactory(email="troll@example.org", first_name="Tom", last_name="Troll")

    # A civil-society member posts a need; a hostile title is shown as text and the typed text is kept.
    page = new_page()
    sign_in(page, member.email, password)
    page.goto("/needs/new/")
    page.get_by_label("City", exact=True).select_option(label=graz.name)
    page.get_by_label("Title").fill("Evictions of older tenants in Gries")
    page.get_by_label("The situation").fill("Older tenants in Gries are evicted after rent increases.")
    page.get_by_role("button", name="Publish the need").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Say what evidence is missing.")
    expect(page.get_by_label("The situation")).to_have_value("Older tenants in Gries are evicted after rent increases.")
    page.get_by_label("What evidence is missing").fill("How many were evicted since 2020 and where they went.")
    page.get_by_label("Older persons").check()
    page.get_by_label("Post for").select_option(label="Tenants Union Graz")
    page.get_by_role("button", name="Publish the need").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evictions of older tenants in Gries")
    need = ResearchNeed.objects.get()
    expect(page.get_by_text("Posted by Mira Novak for Tenants Union Graz")).to_be_visible()

    # Another person endorses it (a double click is one endorsement) and comments.
    other = new_page()
    sign_in(other, troll.email, password)
    other.goto(need.get_absolute_url())
    other.get_by_role("button", name="Endorse this need").dblclick()
    expect(other.get_by_text("1 person endorses this need.")).to_be_visible()
    assert NeedEndorsement.objects.count() == 1
    other.get_by_label("Your comment").fill("Landlords like these should be named and shamed at Annenstraße 12.")
    other.get_by_role("button", name="Publish my comment").click()
    expect(other.get_by_text("Your comment is published.")).to_be_visible()

    # The city answers it and turns it into a call, which opens in the Wagtail editor.
    city = new_page()
    sign_in(city, official.email, password)
    city.goto(need.get_absolute_url())
    city.get_by_role("link", name="Answer the need").click()
    city.get_by_label("Accepted for a call").check()
    city.get_by_label("Reasons").fill("Housing of older persons is a priority of our 2026 plan; a call will follow.")
    city.get_by_role("button", name="Publish the answer").click()
    expect(city.get_by_text("The city's answer is published on the need.")).to_be_visible()
    # The Wagtail editor is heavy: the redirect to it is what matters here, not its scripts.
    city.get_by_role("button", name="Turn into a call").click(no_wait_after=True)
    city.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"), wait_until="commit", timeout=60_000)
    city.close()
    need.refresh_from_db()
    assert need.call is not None and "Gries" in need.call.title

    # The member reports the comment; only a coordinator sees the report, and hides the comment with a reason.
    page.goto(need.get_absolute_url())
    expect(page.get_by_text("Accepted for a call").first).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Report the comment by Tom Troll")).click()
    page.get_by_label("Reveals personal data about someone").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("A network coordinator will look at your report.")).to_be_visible()
    assert page.goto("/moderation/").status == 404

    moderator = new_page()
    sign_in(moderator, coordinator.email, password)
    moderator.goto("/moderation/")
    expect(moderator.get_by_role("main")).to_contain_text("Annenstraße 12")
    moderator.get_by_role("link", name="Hide the comment…").click()
    moderator.get_by_label("Public reason").fill(
        "The comment gave a private person's address, against the house rules."
    )
    moderator.get_by_role("button", name="Hide with this reason").click()
    expect(moderator.get_by_text("No open reports")).to_be_visible()

    other.goto(need.get_absolute_url())
    expect(other.get_by_role("main")).not_to_contain_text("Annenstraße 12")
    expect(other.get_by_role("main")).to_contain_text("A network coordinator hid this comment.")
    other.goto("/transparency/")
    expect(other.get_by_role("main")).to_contain_text("against the house rules")
