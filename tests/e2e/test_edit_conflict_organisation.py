"""Two administrators edit the same organisation at once: the second one sees both versions and merges them."""

import re

from playwright.sync_api import expect

from profiles.factories import MembershipFactory, UserFactory
from profiles.models import Membership, Organisation, User
from tests.e2e.helpers import sign_in

SAVED_DESCRIPTION = "Graz declared itself a Human Rights City in 2001."
OLD_DESCRIPTION = "Europe's first Human Rights City."
NEW_WEBSITE = "https://humanrights.graz.at"


def test_the_second_admin_takes_the_saved_description_keeps_their_website_and_both_are_published(
    new_page, make_city, password
):
    organisation, anna = make_city("Graz")
    Organisation.objects.filter(pk=organisation.pk).update(description=OLD_DESCRIPTION, website="https://www.graz.at")
    boris = UserFactory(email="boris@graz.example.org", account_type=User.AccountType.ORGANISATION)
    MembershipFactory(
        user=boris, organisation=organisation, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED
    )
    edit_url = f"/organisations/{organisation.slug}/edit/"

    anna_page, boris_page = new_page(), new_page()
    sign_in(anna_page, anna.email, password)
    sign_in(boris_page, boris.email, password)
    anna_page.goto(edit_url)
    boris_page.goto(edit_url)  # both open the same version

    anna_page.get_by_label("Description").fill(SAVED_DESCRIPTION)
    anna_page.get_by_role("button", name="Save changes").click()
    expect(anna_page.get_by_role("status")).to_contain_text("The organisation was updated.")

    boris_page.get_by_label("Website").fill(NEW_WEBSITE)
    boris_page.get_by_role("button", name="Save changes").click()

    expect(boris_page.get_by_role("alert")).to_contain_text("Someone else saved this after you opened it.")
    conflict = boris_page.get_by_role("region", name="Your version and the saved version")
    table = conflict.get_by_role("table")
    description_row = table.get_by_role("row").filter(has=boris_page.get_by_role("rowheader", name="Description"))
    expect(description_row).to_contain_text(OLD_DESCRIPTION)
    expect(description_row).to_contain_text(SAVED_DESCRIPTION)
    website_row = table.get_by_role("row").filter(has=boris_page.get_by_role("rowheader", name="Website"))
    expect(website_row).to_contain_text(NEW_WEBSITE)
    expect(boris_page.get_by_label("Website")).to_have_value(NEW_WEBSITE)  # nothing typed was lost
    organisation.refresh_from_db()
    assert (organisation.description, organisation.website) == (SAVED_DESCRIPTION, "https://www.graz.at")
    # On a phone the table stacks: each field's two versions one above the other, within the screen.
    boris_page.set_viewport_size({"width": 390, "height": 844})
    box, mine, saved = (
        locator.bounding_box()
        for locator in (
            conflict,
            description_row.get_by_role("cell").nth(0),
            description_row.get_by_role("cell").nth(1),
        )
    )
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert saved["y"] >= mine["y"] + mine["height"] - 1
    boris_page.set_viewport_size({"width": 1280, "height": 800})

    description_row.get_by_role("group", name="Which “Description” to keep").get_by_label("The saved one").check()
    expect(website_row.get_by_label("Mine")).to_be_checked()
    boris_page.get_by_role("button", name="Save changes").click()

    expect(boris_page.get_by_role("status")).to_contain_text("The organisation was updated.")
    expect(boris_page.get_by_role("heading", level=1)).to_have_text(organisation.name)
    main = boris_page.get_by_role("main")
    expect(main).to_contain_text(SAVED_DESCRIPTION)
    expect(main.get_by_role("link", name=re.compile(r"^humanrights\.graz\.at"))).to_have_attribute("href", NEW_WEBSITE)
    organisation.refresh_from_db()
    assert (organisation.description, organisation.website) == (SAVED_DESCRIPTION, NEW_WEBSITE)
