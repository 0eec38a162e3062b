"""Flow 5: a coordinator turns a partnership into a case study and publishes it; a reader finds it by region."""

import re

from playwright.sync_api import expect

from projects.factories import PartnershipFactory, add_member
from projects.models import CaseStudyPage, PartnershipMember, Region
from tests.e2e.helpers import sign_in
from tests.e2e.test_decisions import write
from tests.projects.test_case_studies_pages import make_case_study

TITLE = "Housing rights monitor Graz"


def test_coordinator_publishes_a_case_study_a_reader_finds_it_by_region(new_page, coordinator, make_city, password):
    organisation, official = make_city("Graz")
    partnership = PartnershipFactory(
        title=TITLE, slug="housing-rights-monitor-graz", city=organisation, summary="Graz measured housing rights."
    )
    add_member(partnership, official, side=PartnershipMember.Side.CITY, organisation=organisation)

    editor = new_page()
    sign_in(editor, coordinator.email, password)
    editor.goto(f"/partnerships/{partnership.slug}/")
    editor.get_by_role("button", name="Turn into a case study").click()
    expect(editor).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(editor.get_by_text(re.compile("is ready as a draft"))).to_be_visible()
    page = CaseStudyPage.objects.get(partnership=partnership)
    assert not page.live
    # The generated draft holds placeholder text where only the coordinator can write: written, it may be published.
    write(editor, "context", "Graz asked who is left out of social housing.")
    write(editor, "what_changed", "The city rewrote its housing allocation rules.")

    editor.get_by_role("button", name="More actions").click()
    editor.get_by_role("button", name=re.compile(r"^Publish")).click()
    expect(editor.get_by_role("status").filter(has_text="has been published").first).to_be_visible()
    page.refresh_from_db()
    assert page.live

    make_case_study("Water in Bogotá", region=Region.AMERICAS)
    reader = new_page()
    reader.goto("/case-studies/")
    expect(reader.get_by_role("link", name="Water in Bogotá")).to_be_visible()
    reader.get_by_label("Region").select_option(label="Europe (1)")
    reader.get_by_role("button", name="Apply filters").click()
    expect(reader.get_by_role("main").get_by_text("1 case study found")).to_be_visible()
    expect(reader.get_by_role("link", name="Water in Bogotá")).to_have_count(0)
    reader.get_by_role("link", name=TITLE).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(reader.get_by_role("main")).to_contain_text("Graz measured housing rights.")
