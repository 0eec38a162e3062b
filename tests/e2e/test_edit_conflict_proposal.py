"""Issue 15 §2 in the browser: the lead and a co-applicant edit one draft; nothing is silently lost.

The lead changes the summary and saves; the co-applicant, whose page was opened before, changes the methodology
and saves: they get both versions side by side, take the saved summary, keep their methodology, save again,
and both changes are on the page (for the lead too).
"""

import re

from playwright.sync_api import expect

from calls.factories import make_call
from calls.models import Proposal
from calls.services import proposals as services
from profiles.models import CityPage
from tests.e2e.helpers import sign_in
from tests.e2e.test_proposal_submission import researcher

FIRST_SUMMARY = "We study how older tenants keep their homes."
FIRST_METHODOLOGY = "Interviews with tenants."
LEAD_SUMMARY = "We study, with them, how older tenants in Graz keep their homes."
CO_METHODOLOGY = "Participatory action research: tenants interview their neighbours."


def test_lead_and_co_applicant_save_one_draft_and_the_second_merges(new_page, city, password):
    organisation, _official = city
    call = make_call(city_page=CityPage.objects.get(organisation=organisation), title="Older tenants and housing")
    lead = researcher("lena.lead@example.org", "University of Graz", "AT")
    colleague = researcher("carlos.co@example.org", "Universidad de Antioquia", "CO")
    proposal = services.proposal_start(call=call, by=lead, title="Ageing in place in Graz")
    services.proposal_save_draft(
        proposal=proposal,
        by=lead,
        data={"title": "Ageing in place in Graz", "summary": FIRST_SUMMARY, "methodology": FIRST_METHODOLOGY},
        edit_version=proposal.edit_version,
    )
    member = services.team_invite(
        proposal=proposal, by=lead, email=colleague.email, name="Carlos Co", role="co_applicant"
    )
    services.team_respond(member=member, user=colleague, accept=True)
    edit_path = f"/proposals/{proposal.pk}/edit/"

    lead_page = new_page()
    sign_in(lead_page, lead.email, password)
    lead_page.goto(edit_path)
    co_page = new_page()
    sign_in(co_page, colleague.email, password)
    co_page.goto(edit_path)  # both have the same version of the draft open

    lead_page.get_by_label(re.compile(r"^Summary")).fill(LEAD_SUMMARY)
    lead_page.get_by_role("button", name="Save draft").click()
    expect(lead_page.get_by_text("Draft saved.")).to_be_visible()

    co_page.get_by_label(re.compile(r"^Methodology")).fill(CO_METHODOLOGY)
    co_page.get_by_role("button", name="Save draft").click()

    # Refused, side by side, with the typed methodology still in the form.
    expect(co_page.get_by_text("Draft saved.")).to_have_count(0)
    expect(co_page.locator(".error-summary")).to_contain_text("Someone else saved this after you opened it.")
    conflict = co_page.get_by_role("region", name="Your version and the saved version")
    expect(conflict).to_be_visible()
    expect(conflict.locator('[data-conflict-saved="summary"]')).to_have_text(LEAD_SUMMARY)
    expect(conflict.locator('[data-conflict-mine="summary"]')).to_have_text(FIRST_SUMMARY)
    expect(conflict.locator('[data-conflict-mine="methodology"]')).to_have_text(CO_METHODOLOGY)
    expect(conflict.locator('[data-conflict-saved="methodology"]')).to_have_text(FIRST_METHODOLOGY)
    expect(co_page.get_by_label(re.compile(r"^Methodology"))).to_have_value(CO_METHODOLOGY)
    assert Proposal.objects.get(pk=proposal.pk).summary == LEAD_SUMMARY

    # Take the saved summary, keep my methodology, save again.
    conflict.get_by_role("group", name="Which “Summary” to keep").get_by_label("The saved one").check()
    expect(conflict.get_by_role("group", name="Which “Methodology” to keep").get_by_label("Mine")).to_be_checked()
    co_page.get_by_role("button", name="Save draft").click()

    expect(co_page.get_by_text("Draft saved.")).to_be_visible()
    expect(co_page.get_by_label(re.compile(r"^Summary"))).to_have_value(LEAD_SUMMARY)
    expect(co_page.get_by_label(re.compile(r"^Methodology"))).to_have_value(CO_METHODOLOGY)
    lead_page.reload()
    expect(lead_page.get_by_label(re.compile(r"^Summary"))).to_have_value(LEAD_SUMMARY)
    expect(lead_page.get_by_label(re.compile(r"^Methodology"))).to_have_value(CO_METHODOLOGY)
    stored = Proposal.objects.get(pk=proposal.pk)
    assert stored.summary == LEAD_SUMMARY and stored.methodology == CO_METHODOLOGY
