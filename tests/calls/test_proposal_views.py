"""Proposal pages: who sees what (everyone else gets 404), bad input answered in the page, query budgets."""

# The shared proposal fixtures are imported from test_proposal_services; pytest injects them by name.
# ruff: noqa: F401, F811

import datetime as dt
import re
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

import pytest

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.models import Proposal, ProposalVersion, ResearchCall, ReviewAssignment, TeamMember
from calls.services import proposals as services
from profiles.factories import MembershipFactory, ResearcherProfileFactory, UserFactory
from profiles.models import CityPage, Membership
from tests.calls.test_proposal_services import FILLED, PDF, colleague, draft, filled, lead

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><b>bold</b>'


@pytest.fixture
def submitted(filled, lead):
    services.attachment_add(proposal=filled, by=lead, upload=SimpleUploadedFile("plan.pdf", PDF))
    services.proposal_submit(proposal=filled, by=lead)
    return Proposal.objects.get(pk=filled.pk)


@pytest.fixture
def other_city_official(make_city):
    _organisation, official = make_city("Linz")
    return official


@pytest.fixture
def reviewer_of_another(open_call):
    reviewer = ResearcherProfileFactory(user__email="reviewer@example.org").user
    other = ProposalFactory(call=open_call, lead=ResearcherProfileFactory().user)
    submit_for_tests(other)
    ReviewAssignment.objects.create(proposal=other, reviewer=reviewer, status=ReviewAssignment.Status.ACCEPTED)
    return reviewer


def urls(proposal: Proposal) -> list[tuple[str, str]]:
    attachment = proposal.attachments.first()
    member = proposal.team.first()
    return [
        ("get", f"/proposals/{proposal.pk}/"),
        ("get", f"/proposals/{proposal.pk}/edit/"),
        ("get", f"/proposals/{proposal.pk}/team/"),
        ("get", f"/proposals/{proposal.pk}/versions/"),
        ("get", f"/proposals/{proposal.pk}/versions/1/"),
        ("get", f"/proposals/{proposal.pk}/attachments/{attachment.pk}/"),
        ("post", f"/proposals/{proposal.pk}/submit/"),
        ("post", f"/proposals/{proposal.pk}/withdraw/"),
        ("post", f"/proposals/{proposal.pk}/team/{member.pk}/remove/"),
        ("post", f"/proposals/{proposal.pk}/attachments/"),
        ("post", f"/proposals/{proposal.pk}/attachments/{attachment.pk}/remove/"),
    ]


@pytest.mark.parametrize("who", ["another_researcher", "other_city_official", "reviewer_of_another"])
def test_everyone_outside_the_proposal_gets_404_on_every_url(client, submitted, who, request):
    user = ResearcherProfileFactory().user if who == "another_researcher" else request.getfixturevalue(who)
    client.force_login(user)
    for method, url in urls(submitted):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (who, method, url)
    assert Proposal.objects.get(pk=submitted.pk).status == Proposal.Status.SUBMITTED


def test_anonymous_user_is_sent_to_sign_in_and_sees_nothing(client, submitted):
    for method, url in urls(submitted):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_forged_ids_are_404_for_the_team(client, submitted, lead):
    client.force_login(lead)
    forged = submitted.pk + 1000
    for url in [
        f"/proposals/{forged}/",
        f"/proposals/{forged}/edit/",
        f"/proposals/{forged}/team/",
        f"/proposals/{forged}/versions/",
        f"/proposals/{submitted.pk}/versions/99/",
        f"/proposals/{submitted.pk}/attachments/999999/",
        "/proposals/start/999999/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/proposals/{forged}/submit/").status_code == 404


def test_reviewer_of_this_proposal_sees_the_submitted_version_not_the_live_draft(client, submitted, lead):
    reviewer = ResearcherProfileFactory().user
    ReviewAssignment.objects.create(proposal=submitted, reviewer=reviewer, status=ReviewAssignment.Status.ACCEPTED)
    Proposal.objects.filter(pk=submitted.pk).update(summary="Changed behind the city's back")
    client.force_login(reviewer)
    page = client.get(f"/proposals/{submitted.pk}/").content.decode()
    assert FILLED["summary"] in page and "behind the city" not in page
    assert lead.display_name in page
    # The reviewer cannot open the edit or team pages.
    assert client.get(f"/proposals/{submitted.pk}/edit/").status_code == 404
    assert client.get(f"/proposals/{submitted.pk}/team/").status_code == 404
    attachment = submitted.attachments.get()
    response = client.get(f"/proposals/{submitted.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_blind_review_hides_names_from_reviewers_but_not_from_the_city(client, submitted, lead, city):
    ResearchCall.objects.filter(pk=submitted.call_id).update(blind_review=True)
    reviewer = ResearcherProfileFactory().user
    ReviewAssignment.objects.create(proposal=submitted, reviewer=reviewer, status=ReviewAssignment.Status.ACCEPTED)
    client.force_login(reviewer)
    for url in [f"/proposals/{submitted.pk}/", f"/proposals/{submitted.pk}/versions/1/"]:
        page = client.get(url).content.decode()
        assert lead.display_name not in page and lead.email not in page and "University of Graz" not in page
        assert "Team member 1" in page
    _organisation, official = city
    client.force_login(official)
    assert lead.display_name in client.get(f"/proposals/{submitted.pk}/").content.decode()


def test_city_official_reads_submitted_proposals_of_their_call(client, submitted, city):
    _organisation, official = city
    client.force_login(official)
    assert client.get(f"/proposals/{submitted.pk}/").status_code == 200
    assert client.get(f"/proposals/{submitted.pk}/versions/").status_code == 200


def test_city_official_cannot_see_a_draft(client, draft, city):
    _organisation, official = city
    client.force_login(official)
    assert client.get(f"/proposals/{draft.pk}/").status_code == 404


def test_sealed_call_hides_proposals_from_the_city_until_the_deadline(client, submitted, city):
    ResearchCall.objects.filter(pk=submitted.call_id).update(sealed=True)
    _organisation, official = city
    client.force_login(official)
    assert client.get(f"/proposals/{submitted.pk}/").status_code == 404
    ResearchCall.objects.filter(pk=submitted.call_id).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(f"/proposals/{submitted.pk}/").status_code == 200


def test_html_and_script_in_every_field_render_as_text(client, draft, lead):
    data = {name: SCRIPT for name in services.DRAFT_FIELDS if name != "budget"}
    services.proposal_save_draft(
        proposal=draft,
        by=lead,
        data={**data, "budget": Decimal("20000")},
        milestones=[{"title": SCRIPT, "month": 2, "description": SCRIPT}],
        edit_version=draft.edit_version,
    )
    services.team_invite(proposal=draft, by=lead, email="x@example.org", name=SCRIPT, affiliation=SCRIPT)
    client.force_login(lead)
    for url in [
        f"/proposals/{draft.pk}/",
        f"/proposals/{draft.pk}/edit/",
        f"/proposals/{draft.pk}/team/",
        "/proposals/",
    ]:
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<b>bold</b>" not in page, url
        assert "&lt;script&gt;alert" in page, url


def test_budget_outside_the_range_is_explained_and_the_typed_text_kept(client, draft, lead):
    client.force_login(lead)
    response = client.post(
        f"/proposals/{draft.pk}/edit/",
        {
            **FILLED,
            "edit_version": draft.edit_version,
            "budget": "90000",
            "summary": "A summary I typed",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The budget must be between 10,000 and 50,000 EUR." in page
    assert "A summary I typed" in page
    draft.refresh_from_db()
    assert draft.summary == "" and draft.budget is None


def test_saving_the_draft_with_milestones(client, draft, lead):
    client.force_login(lead)
    response = client.post(
        f"/proposals/{draft.pk}/edit/",
        {
            **FILLED,
            "edit_version": draft.edit_version,
            "milestones-TOTAL_FORMS": "2",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-title": "Survey",
            "milestones-0-month": "3",
            "milestones-1-title": "",
            "milestones-1-month": "",
        },
        follow=True,
    )
    assert "Draft saved." in response.content.decode()
    draft.refresh_from_db()
    assert draft.summary == FILLED["summary"] and list(draft.milestones.values_list("title", flat=True)) == ["Survey"]


def test_milestone_after_the_call_duration_is_explained(client, draft, lead):
    client.force_login(lead)
    response = client.post(
        f"/proposals/{draft.pk}/edit/",
        {
            **FILLED,
            "edit_version": draft.edit_version,
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "0",
            "milestones-0-title": "Late",
            "milestones-0-month": "40",
        },
    )
    assert response.status_code == 400
    assert "The call lasts 12 months" in response.content.decode()


def test_fifty_megabyte_upload_gets_a_clear_message_not_an_error(client, draft, lead):
    client.force_login(lead)
    big = SimpleUploadedFile("huge.pdf", PDF + b"0" * (50 * 1024 * 1024), content_type="application/pdf")
    response = client.post(f"/proposals/{draft.pk}/attachments/", {"file": big})
    # Far over the limit: refused by its length before it is read (hub.upload_handlers), with the limit named.
    assert response.status_code == 413
    assert "may be at most 10.0\xa0MB" in response.content.decode()
    assert not draft.attachments.exists()


def test_executable_named_pdf_upload_is_refused_in_the_page(client, draft, lead):
    client.force_login(lead)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 500, content_type="application/pdf")
    response = client.post(f"/proposals/{draft.pk}/attachments/", {"file": fake})
    assert response.status_code == 400
    assert "is not a PDF document" in response.content.decode()


def test_attachment_download_is_a_private_attachment_response(client, draft, lead):
    client.force_login(lead)
    client.post(f"/proposals/{draft.pk}/attachments/", {"file": SimpleUploadedFile("Plan A.pdf", PDF)})
    attachment = draft.attachments.get()
    response = client.get(f"/proposals/{draft.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Plan A.pdf"'
    assert b"".join(response.streaming_content) == PDF


def test_submit_after_the_page_was_opened_before_the_deadline_is_refused(client, filled, lead):
    client.force_login(lead)
    assert client.get(f"/proposals/{filled.pk}/").status_code == 200
    ResearchCall.objects.filter(pk=filled.call_id).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(f"/proposals/{filled.pk}/submit/", follow=True)
    page = response.content.decode()
    assert re.search(r"The deadline was \d+ \w+ \d{4}, \d\d:\d\d \(Europe/Vienna\)", page)
    assert not ProposalVersion.objects.exists()
    assert Proposal.objects.get(pk=filled.pk).status == Proposal.Status.DRAFT


def test_submitting_shows_submitted_and_version_one(client, filled, lead):
    client.force_login(lead)
    page = client.post(f"/proposals/{filled.pk}/submit/", follow=True).content.decode()
    assert "Submitted as version 1" in page and "Version 1" in page
    response = client.get(f"/proposals/{filled.pk}/edit/", follow=True)
    assert "can no longer be changed" in response.content.decode()


def test_versions_page_shows_what_changed(client, submitted, lead):
    services.proposal_withdraw(proposal=submitted, by=lead)
    submitted.refresh_from_db()  # withdrawing moved it to a new edit version
    services.proposal_save_draft(
        proposal=submitted, by=lead, data={**FILLED, "summary": "A new summary."}, edit_version=submitted.edit_version
    )
    services.proposal_submit(proposal=submitted, by=lead)
    client.force_login(lead)
    page = client.get(f"/proposals/{submitted.pk}/versions/").content.decode()
    assert "Version 2" in page and "What changed" in page
    assert "+A new summary." in page and "-" + FILLED["summary"] in page


def test_start_page_explains_eligibility_and_creates_the_draft(client, open_call, lead):
    client.force_login(lead)
    page = client.get(f"/proposals/start/{open_call.pk}/").content.decode()
    assert "Who can apply" in page and "Cross-border teams allowed" in page
    response = client.post(f"/proposals/start/{open_call.pk}/", {"title": "My study"})
    proposal = Proposal.objects.get(call=open_call, lead=lead)
    assert response.status_code == 302 and response["Location"] == f"/proposals/{proposal.pk}/edit/"


def test_start_page_tells_an_organisation_account_why_it_cannot_lead(client, open_call):
    user = UserFactory(account_type="organisation")
    client.force_login(user)
    assert "Switch your account to researcher" in client.get(f"/proposals/start/{open_call.pk}/").content.decode()
    client.post(f"/proposals/start/{open_call.pk}/", {"title": "X"})
    assert not Proposal.objects.exists()


def _add_member(proposal, n):
    user = ResearcherProfileFactory().user
    member = TeamMember.objects.create(
        proposal=proposal, user=user, email=user.email, name=f"Member {n}", status=TeamMember.Status.ACCEPTED
    )
    member.languages.set([])
    services.attachment_add(proposal=proposal, by=proposal.lead, upload=SimpleUploadedFile(f"{n}.pdf", PDF))


def test_proposal_page_queries_do_not_grow_with_team_and_attachments(
    client,
    filled,
    lead,
    django_assert_max_num_queries,
):
    client.force_login(lead)
    _add_member(filled, 0)
    with django_assert_max_num_queries(40) as small:
        assert client.get(f"/proposals/{filled.pk}/").status_code == 200
    for n in range(1, 6):
        _add_member(filled, n)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(f"/proposals/{filled.pk}/").status_code == 200


def test_my_proposals_queries_do_not_grow_with_proposals(client, city, lead, django_assert_max_num_queries):
    organisation, _ = city
    page = CityPage.objects.get(organisation=organisation)
    client.force_login(lead)
    ProposalFactory(call=make_call(city_page=page, title="Call 0"), lead=lead)
    with django_assert_max_num_queries(30) as small:
        assert client.get("/proposals/").status_code == 200
    for n in range(1, 5):
        ProposalFactory(call=make_call(city_page=page, title=f"Call {n}"), lead=lead)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page_html = client.get("/proposals/").content.decode()
    assert page_html.count('class="list-row"') == 5


def test_official_of_the_call_city_is_no_team_member_of_a_draft(client, draft, make_city):
    organisation, official = make_city("Graz")
    MembershipFactory(user=official, organisation=organisation, status=Membership.Status.APPROVED)
    client.force_login(official)
    assert client.get(f"/proposals/{draft.pk}/team/").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "another_researcher", "other_city_official", "reviewer_of_another"])
def test_no_search_list_or_export_reveals_the_proposal(client, submitted, open_call, who, request):
    """The proposal's title is a word nobody else can find: public search, the admin search, the
    proposal and review lists, the city's CSV export and the feeds all stay silent about it."""
    Proposal.objects.filter(pk=submitted.pk).update(title="Zanzibarquest housing study")
    if who == "another_researcher":
        client.force_login(ResearcherProfileFactory().user)
    elif who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for url in [
        "/calls/?q=Zanzibarquest",
        "/admin/pages/search/?q=Zanzibarquest",
        "/proposals/",
        "/reviews/",
        "/dashboard/",
        f"/calls/{open_call.pk}/export.csv",
        f"/calls/{open_call.pk}/manage/",
        f"/calls/{open_call.pk}/ranking/",
        "/feeds/calls.atom",
        "/calls.ics",
        "/sitemap.xml",
    ]:
        response = client.get(url, follow=True)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Zanzibarquest housing study" not in body, (who, url)  # the query itself may be echoed


def test_the_citys_own_official_does_find_it_in_manage_and_export(client, submitted, open_call, city):
    """The control for the test above: the same pages do show the proposal to those allowed."""
    Proposal.objects.filter(pk=submitted.pk).update(title="Zanzibarquest housing study")
    client.force_login(city[1])
    for url in [f"/calls/{open_call.pk}/manage/", f"/calls/{open_call.pk}/export.csv"]:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"Zanzibarquest housing study" in body, url
