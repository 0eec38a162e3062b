"""Two researchers edit the same result in two browsers: the second save is refused with both versions side by
side (issue 15 §2), the second researcher takes the other's title and keeps their own abstract, and the result
page then shows both changes."""

from playwright.sync_api import expect

from profiles.factories import ResearcherProfileFactory
from projects.factories import PartnershipFactory, add_member
from projects.models import PartnershipMember, Result
from tests.e2e.helpers import sign_in
from tests.projects.test_results_services import make_result

ANNA_TITLE = "Housing conditions of older tenants in Graz, 2026 edition"
BRUNO_ABSTRACT = "We surveyed 400 tenants aged over 65; one in three spends more than 40% of their income on rent."


def test_two_researchers_edit_one_result_and_merge(new_page, researcher, city, password):
    organisation, _official = city
    coauthor = ResearcherProfileFactory(user__email="bruno@example.org", user__first_name="Bruno").user
    partnership = PartnershipFactory(
        title="Housing rights monitor Graz", slug="housing-rights-monitor-graz", city=organisation
    )
    add_member(partnership, researcher, side=PartnershipMember.Side.RESEARCH, role="Lead researcher")
    add_member(partnership, coauthor, side=PartnershipMember.Side.RESEARCH, role="Researcher")
    result = make_result(partnership, researcher)
    edit = f"/results/{result.slug}/edit/"

    anna, bruno = new_page(), new_page()
    sign_in(anna, researcher.email, password)
    sign_in(bruno, coauthor.email, password)
    anna.goto(edit)
    bruno.goto(edit)

    # Anna saves a new title first.
    anna.get_by_role("main").get_by_label("Title", exact=True).fill(ANNA_TITLE)
    anna.get_by_role("button", name="Save changes").click()
    expect(anna.get_by_role("status")).to_contain_text("Changes saved.")

    # Bruno, on the page he opened before, rewrites the abstract and saves: refused, side by side.
    bruno_main = bruno.get_by_role("main")
    bruno_main.get_by_label("Abstract").fill(BRUNO_ABSTRACT)
    bruno_main.get_by_role("button", name="Save changes").click()
    conflict = bruno_main.locator(".edit-conflict")
    expect(conflict.get_by_role("heading", name="Your version and the saved version")).to_be_visible()
    title_row = conflict.get_by_role("row").filter(has=bruno.get_by_role("rowheader", name="Title"))
    expect(title_row.locator("[data-conflict-saved='title']")).to_have_text(ANNA_TITLE)
    expect(conflict.locator("[data-conflict-mine='abstract']")).to_have_text(BRUNO_ABSTRACT)
    expect(bruno_main.get_by_label("Abstract")).to_have_value(BRUNO_ABSTRACT)  # his text is still there
    assert Result.objects.get(pk=result.pk).title == ANNA_TITLE

    # He takes Anna's title, keeps his abstract, and saves again.
    title_row.get_by_label("The saved one").check()
    bruno_main.get_by_role("button", name="Save changes").click()
    expect(bruno.get_by_role("status")).to_contain_text("Changes saved.")

    bruno.goto(result.get_absolute_url())
    expect(bruno.get_by_role("heading", level=1)).to_have_text(ANNA_TITLE)
    expect(bruno.get_by_role("main")).to_contain_text(BRUNO_ABSTRACT)
    saved = Result.objects.get(pk=result.pk)
    assert (saved.title, saved.abstract) == (ANNA_TITLE, BRUNO_ABSTRACT)
