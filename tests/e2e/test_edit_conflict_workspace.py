"""Two partnership members edit one milestone at once (issue 15 §2): the second save is refused with both versions
side by side and the typed text kept; she takes the other's title, keeps her description, saves, and the workspace
shows both changes."""

import datetime as dt

from django.utils import timezone

from playwright.sync_api import expect

from projects.models import Milestone
from tests.e2e.helpers import sign_in
from tests.e2e.test_multi_button_forms import graz_partnership


def test_second_member_gets_the_conflict_merges_and_saves(new_page, city, researcher, password):
    organisation, official = city
    partnership = graz_partnership(city, researcher)
    milestone = Milestone.objects.create(
        partnership=partnership,
        title="Survey fieldwork",
        due_date=timezone.localdate() + dt.timedelta(days=30),
        description="Door-to-door survey.",
    )
    edit = f"{partnership.get_workspace_url()}milestones/{milestone.pk}/edit/"

    first, second = new_page(), new_page()
    sign_in(first, researcher.email, password)
    sign_in(second, official.email, password)
    first.goto(edit)
    second.goto(edit)  # both opened on the same version

    first.get_by_label("Title").fill("Survey fieldwork in Lend and Gries")
    first.get_by_role("button", name="Save milestone").click()
    expect(first.locator(".messages")).to_contain_text("Milestone “Survey fieldwork in Lend and Gries” saved.")

    second.get_by_label("Description").fill("Door-to-door survey, with interpreters.")
    second.get_by_role("button", name="Save milestone").click()
    conflict = second.get_by_role("region", name="Your version and the saved version")
    expect(conflict).to_be_visible()
    table = conflict.get_by_role("table")
    expect(table).to_contain_text("Survey fieldwork in Lend and Gries")  # the saved title
    expect(table).to_contain_text("Door-to-door survey, with interpreters.")  # her description, not saved
    expect(second.get_by_label("Description")).to_have_value("Door-to-door survey, with interpreters.")
    saved = Milestone.objects.get(pk=milestone.pk)
    assert saved.description == "Door-to-door survey." and saved.title == "Survey fieldwork in Lend and Gries"

    conflict.get_by_role("group", name="Which “Title” to keep").get_by_label("The saved one").check()
    second.get_by_role("button", name="Save milestone").click()
    timeline = second.get_by_role("region", name="Milestones")
    expect(timeline).to_contain_text("Survey fieldwork in Lend and Gries")
    expect(timeline).to_contain_text("Door-to-door survey, with interpreters.")
    saved.refresh_from_db()
    assert saved.title == "Survey fieldwork in Lend and Gries"
    assert saved.description == "Door-to-door survey, with interpreters." and saved.edit_version == 3
