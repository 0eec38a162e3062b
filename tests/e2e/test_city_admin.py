"""A coordinator verifies a city; its official then edits that city's pages and nothing else."""

import re

from playwright.sync_api import expect

from profiles.models import CityPage, Organisation
from tests.e2e.helpers import sign_in


def test_coordinator_verifies_a_city_whose_official_edits_only_its_subtree(new_page, coordinator, make_city, password):
    organisation, official = make_city("Graz", verify=False)
    other_city, _other_official = make_city("Linz")
    other_city_page = CityPage.objects.get(organisation=other_city)

    # Before verification the official has no admin access and the city has no public page.
    official_page = new_page()
    sign_in(official_page, official.email, password)
    official_page.goto("/admin/")
    expect(official_page).to_have_url(re.compile(r"/admin/login/"))
    expect(official_page.get_by_text("You do not have permission to access the admin.")).to_be_visible()
    assert official_page.goto(f"/cities/{organisation.slug}/").status == 404

    coordinator_page = new_page()
    sign_in(coordinator_page, coordinator.email, password)
    coordinator_page.goto("/admin/")
    coordinator_page.get_by_role("navigation", name="Main").get_by_role("button", name="Organisations").click()
    coordinator_page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    expect(coordinator_page).to_have_url(re.compile(r"/admin/snippets/profiles/organisation/"))
    row = coordinator_page.get_by_role("row").filter(has_text=organisation.name)
    row.get_by_role("button", name=f"More options for '{organisation.name}'").click()
    row.get_by_role("link", name="Verify").click()

    expect(coordinator_page.get_by_role("heading", level=1)).to_contain_text(f"Verify {organisation.name}")
    expect(coordinator_page.get_by_role("main")).to_contain_text(official.email)
    coordinator_page.get_by_role("button", name="Verify organisation").click()
    expect(coordinator_page.get_by_text(f"{organisation.name} is verified.")).to_be_visible()
    expect(coordinator_page).to_have_url(re.compile(r"/admin/snippets/profiles/organisation/"))
    organisation.refresh_from_db()
    assert organisation.verified and organisation.verified_by == coordinator
    city_page = CityPage.objects.get(organisation=organisation)

    public_page = new_page()
    response = public_page.goto(f"/cities/{organisation.slug}/")
    assert response.status == 200
    expect(public_page.get_by_role("heading", level=1)).to_have_text(organisation.name)

    official_page.goto("/admin/pages/")
    explorer = official_page.get_by_role("main")
    expect(explorer).to_contain_text(organisation.name)
    expect(explorer).not_to_contain_text(other_city.name)
    expect(explorer).not_to_contain_text("About Bridges")
    official_page.goto(f"/admin/pages/{city_page.pk}/edit/")
    expect(official_page.get_by_label(re.compile(r"^Title"))).to_have_value(organisation.name)

    official_page.goto(f"/admin/pages/{other_city_page.pk}/edit/")
    expect(official_page.get_by_text("Sorry, you do not have permission to access this area.")).to_be_visible()
    expect(official_page).not_to_have_url(re.compile(rf"/admin/pages/{other_city_page.pk}/edit/"))
    assert Organisation.objects.get(pk=other_city.pk).verified
