"""Issue 18 §4–5 in the browser: the city screens a proposal out with a reason; a reviewer submits a review with a
recommendation and then reads the other reviews; the city makes a reviewer chair, who writes the meta-review; the
ranking shows the recommendations beside the scores."""

import re

from playwright.sync_api import expect

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import MetaReview, Proposal, ResearchCall
from calls.services.reviews import review_assign, review_declare, review_submit
from profiles.factories import ResearcherProfileFactory, UserFactory
from tests.e2e.helpers import sign_in


def _researcher(email: str, first: str, last: str):
    return ResearcherProfileFactory(
        user=UserFactory(email=email, first_name=first, last_name=last, verified_email=True)
    ).user


def test_the_city_screens_a_proposal_out_with_a_reason(new_page, open_call, city, researcher, password):
    _organisation, official = city
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Night buses and women's safety")
    submit_for_tests(proposal)

    page = new_page()
    sign_in(page, official.email, password)
    page.goto(f"/proposals/{proposal.pk}/")
    screening = page.get_by_role("region", name="Screening")
    screening.get_by_label("Ineligible: it is declined and not reviewed").check()
    screening.get_by_role("button", name="Save screening").click()
    # No reason: refused with the message, the choice kept.
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Say why the proposal is ineligible")
    expect(page.get_by_label("Ineligible: it is declined and not reviewed")).to_be_checked()
    page.get_by_label("Reason").fill("The call funds research in Graz only; the fieldwork is in another country.")
    page.get_by_role("button", name="Save screening").click()
    expect(page.get_by_text("is ineligible and declined. We are emailing the team your reason.")).to_be_visible()
    screening = page.get_by_role("region", name="Screening")
    expect(screening).to_contain_text("Ineligible")
    expect(screening).to_contain_text("the fieldwork is in another country")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.screening) == (Proposal.Status.DECLINED, Proposal.Screening.INELIGIBLE)


def test_reviewers_read_each_others_reviews_the_chair_writes_the_meta_review_and_the_ranking_shows_it(
    new_page, open_call, city, researcher, password
):
    _organisation, official = city
    ResearchCall.objects.filter(pk=open_call.pk).update(reviewers_see_reviews=True)
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Older tenants and the right to housing")
    submit_for_tests(proposal)
    first = _researcher("first.reviewer@example.org", "Fiona", "First")
    second = _researcher("second.reviewer@example.org", "Sam", "Second")
    criteria = list(open_call.criteria.all())
    done = review_assign(proposal=proposal, reviewer_email=first.email, by=official)
    review_declare(assignment=done, by=first, has_conflict=False)
    review_submit(
        assignment=done,
        by=first,
        scores={c.pk: 5 for c in criteria},
        comments="An excellent participation plan.",
        recommendation="fund",
        confidence=5,
    )
    mine = review_assign(proposal=proposal, reviewer_email=second.email, by=official)
    review_declare(assignment=mine, by=second, has_conflict=False)

    # The second reviewer does not see the first review before submitting, then does, without the name.
    reviewer_page = new_page()
    sign_in(reviewer_page, second.email, password)
    reviewer_page.goto(f"/reviews/{mine.pk}/")
    expect(reviewer_page.get_by_text("An excellent participation plan.")).to_have_count(0)
    for criterion in criteria:
        reviewer_page.get_by_role("group", name=re.compile(re.escape(criterion.name))).get_by_label(
            "3", exact=True
        ).check()
    reviewer_page.get_by_label("Comments for the city").fill("Sound, but the budget needs work.")
    reviewer_page.get_by_role("button", name="Submit review").click()
    # The recommendation is missing: refused with the message, the comment kept.
    expect(reviewer_page.get_by_role("alert")).to_contain_text("Choose your recommendation")
    expect(reviewer_page.get_by_label("Comments for the city")).to_have_value("Sound, but the budget needs work.")
    reviewer_page.get_by_role("group", name="Your recommendation").get_by_label("Fund with changes").check()
    reviewer_page.get_by_role("group", name="Your confidence in this review").get_by_label(
        "3 — fairly confident"
    ).check()
    reviewer_page.get_by_role("button", name="Submit review").click()
    expect(reviewer_page.get_by_text("Your review was saved.")).to_be_visible()
    others = reviewer_page.get_by_role("region", name="The other reviews of this proposal")
    expect(others).to_contain_text("Reviewer A")
    expect(others).to_contain_text("An excellent participation plan.")
    expect(others).to_contain_text("Fund")
    expect(others).not_to_contain_text("Fiona")

    # The city makes the second reviewer chair of the panel.
    city_page = new_page()
    sign_in(city_page, official.email, password)
    city_page.goto(f"/calls/{open_call.pk}/panel/")
    city_page.get_by_label("Reviewer", exact=True).select_option(label="Sam Second")
    city_page.get_by_role("button", name="Make chair").click()
    expect(city_page.get_by_text("Sam Second now chairs the panel of this call.")).to_be_visible()

    # The chair finds the panel from their reviews and writes the meta-review.
    reviewer_page.goto("/reviews/")
    reviewer_page.get_by_role("region", name="Panels you chair").get_by_role("link", name=open_call.title).click()
    reviewer_page.get_by_role("link", name=re.compile(r"^Write")).click()
    expect(reviewer_page.get_by_role("heading", level=1)).to_contain_text("Meta-review of")
    reviewer_page.get_by_role("button", name="Save the meta-review").click()
    expect(reviewer_page.get_by_role("alert")).to_contain_text("Summarise the reviews")
    reviewer_page.get_by_label("Summary of the reviews").fill(
        "Both reviewers value the participation plan; one asks for a revised budget."
    )
    reviewer_page.get_by_role("group", name="The panel's recommendation").get_by_label("Fund with changes").check()
    reviewer_page.get_by_role("button", name="Save the meta-review").click()
    expect(reviewer_page.get_by_text("The meta-review is saved.")).to_be_visible()
    assert MetaReview.objects.get(proposal=proposal).recommendation == "fund_with_changes"

    # The ranking shows the recommendations beside the scores; the proposal page shows the meta-review.
    city_page.goto(f"/calls/{open_call.pk}/ranking/")
    row = city_page.get_by_role("row").filter(has_text=proposal.title)
    expect(row).to_contain_text("4.00")
    expect(row).to_contain_text("Fund: 1 review")
    expect(row).to_contain_text("Fund with changes: 1 review")
    expect(row).to_contain_text("Panel: Fund with changes")
    city_page.get_by_role("link", name=proposal.title).click()
    meta = city_page.get_by_role("region", name="Meta-review")
    expect(meta).to_contain_text("The panel recommends: Fund with changes")
    expect(meta).to_contain_text("one asks for a revised budget")
