"""Flow 1: a city member drafts a call and submits it for moderation; the city's admin approves; it is public."""

import re

from playwright.sync_api import expect

from calls.models import ResearchCall
from profiles.factories import MembershipFactory, UserFactory
from profiles.models import CityPage, Membership
from profiles.services import sync_editor_groups
from tests.e2e.helpers import close_date_pickers, sign_in

TITLE = "Access to safe water in informal settlements"


def test_member_submits_a_call_the_city_admin_approves_it_and_it_goes_public(new_page, make_city, password):
    organisation, city_admin = make_city("Graz")
    _other_city, other_official = make_city("Linz")
    member = UserFactory(email="member.graz@example.org")
    MembershipFactory(
        user=member, organisation=organisation, role=Membership.Role.MEMBER, status=Membership.Status.APPROVED
    )
    sync_editor_groups(user=member)
    city_page = CityPage.objects.get(organisation=organisation)

    # The member drafts the call in the admin, under their city.
    editor = new_page()
    sign_in(editor, member.email, password)
    editor.goto(f"/admin/pages/{city_page.pk}/")
    editor.goto(f"/admin/pages/add/calls/researchcall/{city_page.pk}/")
    form = editor
    form.get_by_role("textbox", name="Title*", exact=True).fill(TITLE)
    form.get_by_role("textbox", name="Summary*", exact=True).fill("Who lacks safe water in Graz, and why.")
    form.get_by_role("spinbutton", name="Budget max*", exact=True).fill("40000")
    form.get_by_role("textbox", name="Opens at*", exact=True).fill("2027-03-01 12:00")
    form.get_by_role("textbox", name="Closes at*", exact=True).fill("2027-05-01 12:00")
    form.get_by_role("textbox", name="Name*", exact=True).fill("Relevance")
    form.get_by_role("spinbutton", name="Weight*", exact=True).fill("100")
    close_date_pickers(editor)

    # Members may submit for moderation, but not publish.
    editor.get_by_role("button", name="More actions").click()
    expect(editor.get_by_role("button", name=re.compile(r"^Publish"))).to_have_count(0)
    editor.get_by_role("button", name=re.compile(r"^Submit to ")).click()
    expect(editor.get_by_text(re.compile(r"created and submitted for moderation"))).to_be_visible()
    call = ResearchCall.objects.get(title=TITLE)
    assert not call.live

    # Before approval nobody else sees it: not the public, and not another city's official in the admin.
    public = new_page()
    assert public.goto(f"/cities/{city_page.slug}/{call.slug}/").status == 404
    public.goto("/calls/")
    expect(public.get_by_role("main")).not_to_contain_text(TITLE)
    other = new_page()
    sign_in(other, other_official.email, password)
    other.goto(f"/admin/pages/{call.pk}/edit/")
    expect(other.get_by_text("Sorry, you do not have permission to access this area.")).to_be_visible()

    # The city's administrator approves it from the editor; it goes live.
    approver = new_page()
    sign_in(approver, city_admin.email, password)
    approver.goto("/admin/")
    expect(approver.get_by_role("main")).to_contain_text(TITLE)
    approver.goto(f"/admin/pages/{call.pk}/edit/")
    approver.get_by_role("button", name="More actions").click()
    approver.get_by_role("button", name=re.compile(r"^Approve")).first.click()
    expect(approver.get_by_role("status").filter(has_text=TITLE).first).to_be_visible()
    call.refresh_from_db()
    assert call.live

    response = public.goto("/calls/")
    expect(public.get_by_role("link", name=TITLE)).to_be_visible()
    public.get_by_role("link", name=TITLE).click()
    expect(public.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(public.get_by_role("main")).to_contain_text("Not open yet.")
    assert response.status == 200
