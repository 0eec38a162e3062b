"""Asking to join an organisation, and its administrator approving the request."""

import re

from playwright.sync_api import expect

from profiles.models import Membership
from tests.e2e.helpers import sign_in


def test_researcher_asks_to_join_and_the_organisation_admin_approves(
    new_page, researcher, make_city, password, mailoutbox
):
    organisation, admin = make_city("Graz")
    researcher_page = new_page()
    sign_in(researcher_page, researcher.email, password)

    researcher_page.goto("/organisations/")
    researcher_page.get_by_role("main").get_by_role("link", name=organisation.name).first.click()
    expect(researcher_page.get_by_role("heading", level=1)).to_have_text(organisation.name)
    join = researcher_page.get_by_role("region", name="Membership")
    join.get_by_label(re.compile(r"^Message to the organisation's administrators")).fill(
        "I study housing conditions in Graz and would like to work with you."
    )
    join.get_by_role("button", name="Ask to join").click()

    expect(researcher_page.get_by_role("status")).to_contain_text(f"Your request to join {organisation.name} was sent")
    expect(researcher_page.get_by_role("region", name="Membership")).to_contain_text("Your request is waiting.")
    membership = Membership.objects.get(user=researcher, organisation=organisation)
    assert membership.status == Membership.Status.REQUESTED
    assert any(admin.email in m.to for m in mailoutbox)

    # Someone who only asked cannot decide, nor even see the members page.
    response = researcher_page.goto(f"/organisations/{organisation.slug}/members/")
    assert response.status == 404
    expect(researcher_page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)

    admin_page = new_page()
    sign_in(admin_page, admin.email, password)
    admin_page.goto("/dashboard/")
    pending = admin_page.get_by_role("region", name=re.compile(r"1 request to decide"))
    expect(pending).to_contain_text(researcher.display_name)
    pending.get_by_role("link", name=re.compile(r"^Review")).click()

    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Members and requests")
    row = admin_page.get_by_role("row").filter(has_text=researcher.email)
    expect(row).to_contain_text("would like to work with you")
    row.get_by_role("button", name=f"Approve {researcher.display_name}").click()
    expect(admin_page.get_by_role("status")).to_contain_text(f"{researcher.display_name} is now a member.")
    expect(admin_page.get_by_role("row").filter(has_text=researcher.email)).to_contain_text("Approved")

    researcher_page.goto("/dashboard/")
    my_organisations = researcher_page.get_by_role("region", name="Your organisations")
    entry = my_organisations.get_by_role("listitem").filter(
        has=researcher_page.get_by_role("link", name=organisation.name, exact=True)
    )
    expect(entry).to_contain_text("Approved")
    membership.refresh_from_db()
    assert (membership.status, membership.decided_by) == (Membership.Status.APPROVED, admin)
    # A plain member does not manage members.
    response = researcher_page.goto(f"/organisations/{organisation.slug}/members/")
    assert response.status == 404
