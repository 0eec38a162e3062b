"""Issue 18 §3 in the browser: the team answers the released reviews and the reviewer reads the answer; internal
comments of the city and the reviewers never reach the team; a mention shows in the notification centre."""

import re

from playwright.sync_api import expect

from tests.calls.dialogue_world import build_world, open_response_stage, submit_review
from tests.e2e.helpers import header, sign_in


def test_team_responds_to_released_reviews_and_the_reviewer_reads_it(new_page, make_city, password):
    world = build_world(make_city)
    submit_review(world, comments="The sample of twelve households is too small for the claims made.")
    open_response_stage(world)
    lead, reviewer = world.users["lead"], world.users["reviewer"]

    team_page = new_page()
    sign_in(team_page, lead.email, password)
    team_page.goto(f"/proposals/{world.proposal.pk}/")
    notice = team_page.get_by_role("region", name="The reviews of your proposal are released")
    expect(notice).to_contain_text("send your response by")
    notice.get_by_role("link", name="Read the reviews").click()
    review = team_page.get_by_role("region", name="Review 1")
    expect(review).to_contain_text("The sample of twelve households is too small")
    expect(team_page.get_by_role("main")).not_to_contain_text(reviewer.display_name)
    expect(team_page.get_by_role("main")).not_to_contain_text(reviewer.email)
    team_page.get_by_label("Your response to the reviews").fill(
        "We will survey forty households in three neighbourhoods instead of twelve."
    )
    team_page.get_by_role("button", name="Send the response").click()
    expect(team_page.get_by_text(re.compile(r"Your response is sent as version 2"))).to_be_visible()

    reviewer_page = new_page()
    sign_in(reviewer_page, reviewer.email, password)
    # Two unread: the assignment itself and the team's response.
    notifications = header(reviewer_page).get_by_role("link", name=re.compile(r"^Notifications"))
    expect(notifications).to_contain_text("2 unread")
    notifications.click()
    expect(reviewer_page.get_by_role("main")).to_contain_text("The team responded to the reviews of")
    reviewer_page.goto(f"/reviews/{world.assignment.pk}/")
    response = reviewer_page.get_by_role("region", name="The team's response to the reviews")
    expect(response).to_contain_text("forty households in three neighbourhoods")


def test_internal_comments_never_reach_the_team(new_page, make_city, password):
    world = build_world(make_city)
    official, lead = world.users["official"], world.users["lead"]

    city_page = new_page()
    sign_in(city_page, official.email, password)
    city_page.goto(f"/proposals/{world.proposal.pk}/discussion/")
    form = city_page.get_by_role("region", name="New comment")
    form.get_by_label("Comment", exact=True).fill("Internal: the budget for interpreters looks low.")
    form.get_by_label("The city and the reviewers (internal)").check()
    form.get_by_role("button", name="Post comment").click()
    expect(city_page.get_by_text("Your comment is posted.")).to_be_visible()
    form = city_page.get_by_role("region", name="New comment")
    form.get_by_label("Comment", exact=True).fill("Could you send us the consent form in plain language?")
    form.get_by_label("The team and the city").check()
    form.get_by_role("group", name=re.compile("Mention")).get_by_label(re.compile(re.escape(lead.display_name))).check()
    form.get_by_role("button", name="Post comment").click()
    expect(city_page.get_by_text("Your comment is posted.")).to_be_visible()

    team_page = new_page()
    sign_in(team_page, lead.email, password)
    notifications = header(team_page).get_by_role("link", name=re.compile(r"^Notifications"))
    expect(notifications).to_contain_text("1")
    notifications.click()
    team_page.get_by_role("button", name=re.compile(r"^Open")).first.click()
    expect(team_page.get_by_text("Could you send us the consent form in plain language?")).to_be_visible()
    expect(team_page.get_by_role("main")).not_to_contain_text("budget for interpreters")
    # The team replies in the thread; the reply keeps the thread's audience.
    team_page.locator("summary", has_text="Reply").first.click()
    team_page.get_by_label("Your reply").fill("Attached tomorrow, in Dutch and English.")
    team_page.get_by_role("button", name="Post reply").click()
    expect(team_page.get_by_text("Attached tomorrow, in Dutch and English.")).to_be_visible()

    reviewer_page = new_page()
    sign_in(reviewer_page, world.users["reviewer"].email, password)
    reviewer_page.goto(f"/proposals/{world.proposal.pk}/discussion/")
    expect(reviewer_page.get_by_text("Internal: the budget for interpreters looks low.")).to_be_visible()
    expect(reviewer_page.get_by_role("main")).not_to_contain_text("consent form in plain language")
