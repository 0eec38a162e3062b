"""Flow 3: the city assigns reviewers, they score, the city awards; the team is told and a partnership appears."""

import re

from playwright.sync_api import expect

from calls.factories import ProposalFactory, submit_for_tests
from profiles.factories import ResearcherProfileFactory, UserFactory
from projects.models import Partnership
from tests.calls.award_helpers import pass_deadline
from tests.e2e.helpers import sign_in


def test_city_reviews_ranks_and_awards_a_proposal(new_page, open_call, city, researcher, password):
    _organisation, official = city
    winner = ProposalFactory(call=open_call, lead=researcher, title="Older tenants and the right to housing")
    submit_for_tests(winner)
    other_lead = ResearcherProfileFactory(user=UserFactory(email="other.lead@example.org")).user
    other = ProposalFactory(call=open_call, lead=other_lead, title="Heat and health in social housing")
    submit_for_tests(other)
    reviewer = ResearcherProfileFactory(
        user=UserFactory(email="reviewer@example.org", first_name="Rita", last_name="Reviewer")
    ).user
    criteria = list(open_call.criteria.all())

    # The official assigns a reviewer; assigning the lead herself is refused with the reason.
    city_page = new_page()
    sign_in(city_page, official.email, password)
    city_page.goto(f"/calls/{open_call.pk}/manage/")
    expect(city_page.get_by_role("heading", level=1)).to_have_text(open_call.title)
    card = city_page.get_by_role("article", name=winner.title)
    card.get_by_label("Reviewer's email address").fill(reviewer.email)
    card.get_by_role("button", name="Assign reviewer").click()
    expect(city_page.get_by_text(f"We will email {reviewer.email} an invitation to review")).to_be_visible()

    card = city_page.get_by_role("article", name=winner.title)
    card.get_by_label("Reviewer's email address").fill(researcher.email)
    card.get_by_role("button", name="Assign reviewer").click()
    alert = city_page.get_by_role("alert")
    expect(alert).to_contain_text("Conflict of interest")
    expect(alert).to_contain_text("is on the proposal's team")
    expect(city_page.get_by_role("article", name=winner.title).get_by_label("Reviewer's email address")).to_have_value(
        researcher.email
    )

    # The reviewer declares no conflict, then scores every criterion.
    reviewer_page = new_page()
    sign_in(reviewer_page, reviewer.email, password)
    reviewer_page.goto("/dashboard/")
    reviews_to_do = reviewer_page.get_by_role("region", name=re.compile(r"reviews? to do"))
    reviews_to_do.get_by_role("link", name=open_call.title).click()
    expect(reviewer_page.get_by_text(winner.summary)).to_have_count(0)
    reviewer_page.get_by_label("I have no conflict of interest with this proposal or its team").check()
    reviewer_page.get_by_role("button", name="Send declaration").click()
    expect(reviewer_page.get_by_text("You can now read the proposal and score it.")).to_be_visible()
    expect(reviewer_page.get_by_text(winner.summary)).to_be_visible()
    for criterion in criteria:
        group = reviewer_page.get_by_role("group", name=re.compile(re.escape(criterion.name)))
        group.get_by_label("4", exact=True).check()
    reviewer_page.get_by_label("Comments for the city").fill("Convincing participation plan.")
    reviewer_page.get_by_role("group", name="Your recommendation").get_by_label("Fund", exact=True).check()
    reviewer_page.get_by_role("group", name="Your confidence in this review").get_by_label("4 — confident").check()
    reviewer_page.get_by_role("button", name="Submit review").click()
    expect(reviewer_page.get_by_text("Your review was saved.")).to_be_visible()

    # After the deadline, the official awards the top proposal and declines the other, each with a message.
    pass_deadline(open_call)
    city_page.goto(f"/calls/{open_call.pk}/ranking/")
    rows = city_page.get_by_role("row")
    expect(rows.nth(1)).to_contain_text(winner.title)
    expect(rows.nth(1)).to_contain_text("4.00")
    city_page.get_by_label(f"Choose “{winner.title}”").check()
    city_page.get_by_label("Decision").select_option(label="Award")
    city_page.get_by_label("Message to the teams").fill("Congratulations, we look forward to working with you.")
    city_page.get_by_role("button", name="Apply decision").click()
    expect(city_page.get_by_text("Award: “" + winner.title)).to_be_visible()
    city_page.get_by_label(f"Choose “{other.title}”").check()
    city_page.get_by_label("Decision").select_option(label="Decline")
    city_page.get_by_label("Message to the teams").fill("Thank you; the competition was strong.")
    city_page.get_by_role("button", name="Apply decision").click()
    expect(city_page.get_by_text("Decline: “" + other.title)).to_be_visible()

    # The lead sees the award on the dashboard; the partnership has a public page with the team.
    lead_page = new_page()
    sign_in(lead_page, researcher.email, password)
    lead_page.goto("/dashboard/")
    proposals = lead_page.get_by_role("region", name="Your proposals")
    expect(proposals).to_contain_text(winner.title)
    expect(proposals).to_contain_text("Awarded")
    partnership = Partnership.objects.get(proposal=winner)
    public = new_page()
    assert public.goto(f"/partnerships/{partnership.slug}/").status == 200
    expect(public.get_by_role("heading", level=1)).to_have_text(winner.title)
    expect(public.get_by_role("main")).to_contain_text(researcher.display_name)
    expect(public.get_by_role("main")).to_contain_text(official.display_name)

    # Neither the reviewer nor another researcher reaches the city's review desk.
    assert reviewer_page.goto(f"/calls/{open_call.pk}/manage/").status == 404
    assert lead_page.goto(f"/calls/{open_call.pk}/manage/").status == 404
