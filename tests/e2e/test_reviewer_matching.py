"""Issue 18 §2 in the browser: a reviewer of the call bids; the city opens the suggested reviewers (reasons and a
co-authorship conflict explained), previews "assign automatically" (nothing created yet) and confirms it."""

import re

from playwright.sync_api import expect

from calls.models import ReviewAssignment
from profiles.models import Publication
from tests.calls.reviewer_helpers import reviewing_world
from tests.e2e.helpers import sign_in


def test_a_reviewer_bids_and_the_city_assigns_automatically_after_a_preview(new_page, city, password):
    w = reviewing_world(city, proposals=2, reviewers=4, reviews_per_proposal=2)
    p1, p2 = w.proposals
    for user in (p1.lead, w.reviewers[0]):
        Publication.objects.create(profile=user.researcher_profile, title="Shared study", doi="10.5281/zenodo.4242")

    # A reviewer who accepted to review for the call bids on its proposals (no team names shown).
    reviewer_page = new_page()
    sign_in(reviewer_page, w.reviewers[2].email, password)
    reviewer_page.goto("/reviews/")
    reviewer_page.get_by_role("link", name=re.compile("Bid on other proposals")).first.click()
    expect(reviewer_page.get_by_role("heading", level=1)).to_have_text("Bid on proposals")
    expect(reviewer_page.get_by_text(p1.lead.display_name)).to_have_count(0)
    reviewer_page.get_by_role("group", name=p2.title).get_by_label("Eager").check()
    reviewer_page.get_by_role("group", name=p1.title).get_by_label("Not my field").check()
    reviewer_page.get_by_role("button", name="Save my bids").click()
    expect(reviewer_page.get_by_text("2 bids saved.")).to_be_visible()
    expect(reviewer_page.get_by_role("group", name=p2.title).get_by_label("Eager")).to_be_checked()

    # The city: suggested reviewers with reasons and the conflict explained.
    city_page = new_page()
    sign_in(city_page, w.official.email, password)
    city_page.goto(f"/calls/{w.call.pk}/manage/")
    city_page.get_by_role("link", name="Suggested reviewers").click()
    expect(city_page.get_by_role("heading", level=1)).to_have_text("Suggested reviewers")
    suggested = city_page.get_by_role("list", name="Suggested reviewers, best fit first")
    expect(suggested.get_by_text(w.theme.name).first).to_be_visible()
    row = suggested.get_by_role("listitem").filter(has_text=w.reviewers[0].display_name)
    row.get_by_text("In conflict with 1 proposal").click()
    expect(row.get_by_text(re.compile(r"Co-author with .* \(DOI 10\.5281/zenodo\.4242\)"))).to_be_visible()

    # Assign automatically: the preview first, nothing created; then confirm.
    city_page.get_by_role("link", name="Preview with the accepted reviewers").click()
    table = city_page.get_by_role("table", name=re.compile("4 planned assignments"))
    expect(table).to_be_visible()
    expect(table.get_by_role("row").filter(has_text=p2.title).filter(has_text="Eager")).to_have_count(1)
    assert not ReviewAssignment.objects.filter(proposal__in=w.proposals).exists()
    city_page.get_by_role("button", name="Create 4 assignments and email the reviewers").click()
    expect(city_page.get_by_text("4 review assignments were created")).to_be_visible()
    pairs = set(ReviewAssignment.objects.filter(proposal__in=w.proposals).values_list("proposal_id", "reviewer_id"))
    assert len(pairs) == 4
    assert (p1.pk, w.reviewers[0].pk) not in pairs  # the co-author
    assert (p1.pk, w.reviewers[2].pk) not in pairs  # "not my field"
    assert (p2.pk, w.reviewers[2].pk) in pairs  # eager
