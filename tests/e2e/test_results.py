"""A research team publishes a result with an author and a PDF; the public finds it; the city cannot edit it;
a coordinator takes it down with a public reason and /transparency/ lists the decision."""

import re

from playwright.sync_api import expect

from projects.factories import PartnershipFactory, add_member
from projects.models import PartnershipMember, Result
from tests.e2e.helpers import sign_in
from tests.projects.test_results_services import PDF

REASON = "The report names interviewed tenants and their addresses, which is personal data."


def test_result_published_refused_to_the_city_and_taken_down(
    new_page, tmp_path, researcher, city, coordinator, password
):
    organisation, official = city
    partnership = PartnershipFactory(
        title="Housing rights monitor Graz", slug="housing-rights-monitor-graz", city=organisation
    )
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH, role="Lead researcher")
    add_member(partnership, official, side=PartnershipMember.Side.CITY, organisation=organisation)
    pdf = tmp_path / "full-report.pdf"
    pdf.write_bytes(PDF)

    # The research team drafts, attaches a PDF and publishes.
    team = new_page()
    sign_in(team, researcher.email, password)
    team.goto(f"/partnerships/{partnership.slug}/results/new/")
    main = team.get_by_role("main")
    main.get_by_label("Type").select_option("report")
    main.get_by_label("Title", exact=True).fill("Housing conditions of older tenants")
    main.get_by_label("Abstract").fill("We surveyed 400 tenants aged over 65 about their homes.")
    main.get_by_label("Publication date").fill("2026-03-01")
    main.get_by_label("DOI").fill("10.5555/bridges-e2e.1")
    first_author = main.get_by_role("group", name="Author 1")
    # An ORCID iD shown on a listed profile links the author at once (an email address would be an invitation).
    researcher.researcher_profile.orcid = "0000-0002-1825-0097"
    researcher.researcher_profile.save(update_fields=["orcid"])
    first_author.get_by_label("ORCID iD or email address").fill("0000-0002-1825-0097")
    main.get_by_role("button", name="Save draft").click()
    expect(team).to_have_url(re.compile(r"/results/housing-conditions-of-older-tenants/edit/$"))
    team.get_by_label("Add a PDF").set_input_files(str(pdf))
    team.get_by_role("button", name="Upload PDF").click()
    expect(team.get_by_role("status")).to_contain_text("is attached")
    team.goto("/results/housing-conditions-of-older-tenants/")
    expect(team.get_by_text("Draft: only the partnership's research team can see it.")).to_be_visible()
    team.get_by_role("button", name="Publish").click()
    expect(team.get_by_role("status")).to_contain_text("Published: the result is public now.")
    assert Result.objects.get().status == Result.Status.PUBLISHED

    # The public finds it with the facets.
    public = new_page()
    public.goto("/results/")
    public.get_by_label("Type").select_option("report")
    public.get_by_role("button", name="Apply filters").click()
    expect(public.get_by_role("status").filter(has_text="found")).to_have_text("1 result found")
    public.get_by_role("link", name="Housing conditions of older tenants").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Housing conditions of older tenants")
    expect(public.get_by_role("link", name=researcher.display_name)).to_be_visible()
    expect(public.get_by_role("link", name="full-report.pdf")).to_be_visible()

    # The commissioning city cannot edit it.
    city_page = new_page()
    sign_in(city_page, official.email, password)
    response = city_page.goto("/results/housing-conditions-of-older-tenants/edit/")
    assert response.status == 403
    expect(city_page.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    expect(city_page.get_by_role("main")).to_contain_text("publish a response beside it")

    # A coordinator takes it down with a reason.
    staff = new_page()
    sign_in(staff, coordinator.email, password)
    staff.goto("/results/housing-conditions-of-older-tenants/")
    staff.get_by_role("link", name=re.compile("^Take down")).click()
    staff.get_by_label("Public reason").fill(REASON)
    staff.get_by_role("button", name="Take the result down").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Housing conditions of older tenants")
    expect(staff.get_by_role("main")).to_contain_text("This result was taken down")

    response = public.goto("/results/housing-conditions-of-older-tenants/")
    assert response.status == 410
    expect(public.get_by_role("main")).to_contain_text(REASON)
    public.get_by_role("link", name="See all takedowns on the transparency page").click()
    row = public.get_by_role("row", name=re.compile("Housing conditions of older tenants"))
    expect(row).to_contain_text(REASON)
    expect(row).to_contain_text(coordinator.display_name)
