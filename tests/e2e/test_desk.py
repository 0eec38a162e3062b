"""Issue 20, the city's desk: an official filters the proposals of a call to "unreviewed, early-career lead, Spain",
assigns a reviewer to all of them at once (a conflicted pair is refused and reported), opens one, requests more
information and moves to the next; on the ranking, the top proposals are shortlisted in one action."""

import re

from playwright.sync_api import expect

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import Proposal, ReviewAssignment, TeamMember
from hub.models import Country
from tests.calls.test_ranking import add_proposal
from tests.calls.test_review_assignment import person
from tests.e2e.helpers import sign_in

SPANISH = 6
REVIEWED = 4
OTHERS = 20


def test_official_works_through_the_queue_and_shortlists_from_the_ranking(new_page, open_call, city, password):
    _organisation, official = city
    spain = Country.objects.get_or_create(code="ES", defaults={"name": "Spain"})[0]
    reviewer = person("desk.reviewer@example.org")
    spanish = []
    for n in range(SPANISH):
        proposal = ProposalFactory(call=open_call, lead=person(f"es{n}@example.org"), title=f"Barrio study {n}")
        submit_for_tests(proposal)
        TeamMember.objects.filter(proposal=proposal, role=TeamMember.Role.LEAD).update(country=spain, early_career=True)
        spanish.append(proposal)
    # The reviewer is on the team of one of them: that pair must be refused.
    TeamMember.objects.create(proposal=spanish[0], email=reviewer.email, name="Desk Reviewer", status="accepted")
    for n in range(REVIEWED):
        add_proposal(open_call, official, 100 + n, [[5 - n, 5 - n, 4, 5 - n]])
    for n in range(OTHERS):
        proposal = ProposalFactory(call=open_call, lead=person(f"other{n}@example.org"), title=f"Other study {n}")
        submit_for_tests(proposal)
        TeamMember.objects.filter(proposal=proposal, role=TeamMember.Role.LEAD).update(early_career=False)

    page = new_page()
    sign_in(page, official.email, password)
    page.goto(f"/calls/{open_call.pk}/desk/")
    expect(page.get_by_role("heading", level=1)).to_have_text(open_call.title)
    expect(page.get_by_role("status").filter(has_text="proposals match")).to_contain_text(
        f"{SPANISH + REVIEWED + OTHERS} proposals match"
    )

    # Filter: unreviewed, early-career lead, Spain.
    page.locator("#id_reviews").select_option("unreviewed")
    page.locator("#id_early_career").select_option("yes")
    page.locator("#id_country").select_option("ES")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text(f"{SPANISH} proposals match", exact=True)).to_be_visible()

    # Assign the reviewer to all of them, confirming the exact number.
    page.get_by_label(f"All {SPANISH} proposals matching the filters").check()
    page.locator("#id_action").select_option("assign")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#bulk-count")).to_have_text(f"This acts on exactly {SPANISH} proposals.")
    page.get_by_label("Reviewer's email address").fill(reviewer.email)
    page.get_by_role("button", name=f"Confirm for {SPANISH} proposals").click()
    status = page.locator("#bulk-run-status")
    expect(status).to_contain_text("1 was skipped.")
    expect(page.locator("#bulk-run-skipped")).to_contain_text("Barrio study 0")
    expect(page.locator("#bulk-run-skipped")).to_contain_text("Conflict of interest")
    assert ReviewAssignment.objects.filter(email=reviewer.email).count() == SPANISH - 1

    # Back on the list (still filtered), open a proposal and work on it.
    page.get_by_role("link", name="Back to the list").click()
    expect(page.get_by_text(f"{SPANISH} proposals match", exact=True)).to_be_visible()
    page.get_by_role("link", name="Barrio study 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Barrio study 1")
    expect(page.get_by_role("heading", name="Reviews")).to_be_visible()
    expect(page.get_by_text(reviewer.email)).to_be_visible()
    page.get_by_text("Request more information").click()
    page.get_by_label("What should the team add or change?").fill("Add a budget line for interpreters.")
    page.get_by_role("button", name="Send the request to the team").click()
    expect(page.get_by_text("The team of “Barrio study 1” was asked for more information.")).to_be_visible()
    assert Proposal.objects.get(pk=spanish[1].pk).status == Proposal.Status.INFO_REQUESTED
    page.get_by_role("link", name="Next proposal").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Barrio study 1")
    expect(page).to_have_url(re.compile(r"desk=\d+.*early_career=yes"))

    # The ranking: shortlist the top three in one action.
    page.goto(f"/calls/{open_call.pk}/ranking/")
    bulk = page.locator("#ranking-bulk")
    bulk.get_by_label("How many from the top").fill("3")
    bulk.locator("#bulk_action").select_option("shortlist")
    bulk.get_by_role("button", name="Continue").click()
    expect(page.locator("#bulk-count")).to_have_text("This acts on exactly 3 proposals.")
    page.get_by_role("button", name="Confirm for 3 proposals").click()
    expect(page.locator("#bulk-run-status")).to_contain_text("Done: 3 proposals were in the action.")
    shortlisted = set(Proposal.objects.filter(status=Proposal.Status.SHORTLISTED).values_list("title", flat=True))
    assert shortlisted == {"Proposal 100", "Proposal 101", "Proposal 102"}
