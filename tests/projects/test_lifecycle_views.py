"""A partnership's life (issue 19 §1), pages: who may open the management and report pages, bad input kept with a
message, the public page and the API showing the timeline and delivered reports but never a report's content,
and a constant number of queries as the timeline grows."""

import datetime as dt

from django.utils import timezone

import pytest

from profiles.factories import MembershipFactory, ResearcherProfileFactory, UserFactory
from projects.factories import PartnershipFactory, add_member
from projects.models import (
    CityResponse,
    Deliverable,
    Milestone,
    Partnership,
    PartnershipMember,
    PartnershipReport,
    PolicyUptake,
    Result,
    StatusChange,
)
from projects.services import lifecycle as services
from tests.projects.test_workspace_documents import pdf_upload

TODAY = timezone.localdate()
SECRET = "Interviewees in Lend fear eviction"


@pytest.fixture
def report(partnership, official):
    return services.report_schedule(
        partnership=partnership, by=official, kind="progress", due_date=TODAY + dt.timedelta(days=10)
    )


@pytest.fixture
def accepted(partnership, researcher, official, report):
    services.report_save(report=report, by=researcher, fields={"work_done": SECRET}, edit_version=1, submit=True)
    return services.report_review(report=report, by=official, accept=True)


def body_of(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode()


def manage_url(partnership, rest=""):
    return f"/partnerships/{partnership.slug}/manage/{rest}"


def all_urls(partnership, report):
    return [
        ("get", manage_url(partnership)),
        ("post", manage_url(partnership, "status/")),
        ("post", manage_url(partnership, "members/add/")),
        ("post", manage_url(partnership, "reports/add/")),
        ("get", manage_url(partnership, f"reports/{report.pk}/")),
        ("post", manage_url(partnership, f"reports/{report.pk}/")),
        ("post", manage_url(partnership, f"reports/{report.pk}/review/")),
        ("post", manage_url(partnership, f"reports/{report.pk}/date/")),
        ("post", manage_url(partnership, "deliverables/add/")),
        ("post", manage_url(partnership, "agreements/add/")),
    ]


@pytest.fixture
def member_elsewhere(db):
    user = ResearcherProfileFactory(user__email="elsewhere@example.org").user
    add_member(PartnershipFactory(title="Another partnership"), user)
    return user


@pytest.fixture
def foreign_official(make_city):
    return make_city("Linz")[1]


@pytest.mark.parametrize("who", ["outsider", "coordinator", "foreign_official", "member_elsewhere"])
def test_everyone_but_members_and_the_city_gets_404(client, request, partnership, report, who):
    client.force_login(request.getfixturevalue(who))
    for method, url in all_urls(partnership, report):
        response = getattr(client, method)(url, {"status": "completed", "expected": "active", "decision": "accept"})
        assert response.status_code == 404, (who, method, url)
    assert Partnership.objects.get(pk=partnership.pk).status == "active"


def test_anonymous_people_are_sent_to_sign_in(client, partnership, report):
    for method, url in all_urls(partnership, report):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_an_official_of_the_city_who_is_not_listed_opens_the_page(client, partnership, city, make_city):
    colleague = UserFactory(email="colleague@example.org")
    MembershipFactory(user=colleague, organisation=city[0], status="approved")
    client.force_login(colleague)
    assert client.get(manage_url(partnership)).status_code == 200


def test_researchers_cannot_set_the_status(client, partnership, researcher):
    client.force_login(researcher)
    response = client.post(manage_url(partnership, "status/"), {"status": "completed", "expected": "active"})
    assert response.status_code == 302
    assert Partnership.objects.get().status == "active"
    page = client.get(response["Location"])
    assert "Only officials of the commissioning city" in page.content.decode()


def test_ending_early_without_a_reason_keeps_the_typed_date(client, partnership, official):
    client.force_login(official)
    response = client.post(
        manage_url(partnership, "status/"),
        {"status": "ended", "expected": "active", "effective_on": TODAY.isoformat(), "reason": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the public reason" in body and TODAY.isoformat() in body
    assert not StatusChange.objects.exists()


def test_oversized_and_hostile_input_is_answered_with_a_message(client, partnership, official):
    client.force_login(official)
    response = client.post(
        manage_url(partnership, "reports/add/"),
        {"report-kind": "<script>", "report-due_date": "2026-02-31", "report-title": "x" * 500},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "<script>" not in body and "There is a problem" in body
    assert not PartnershipReport.objects.exists()
    response = client.post(
        manage_url(partnership, "status/"),
        {"status": "ended", "expected": "active", "reason": "r" * 3000},
    )
    assert response.status_code == 400 and not StatusChange.objects.exists()


def test_report_form_keeps_the_text_when_an_attachment_is_refused(client, partnership, researcher, report):
    client.force_login(researcher)
    response = client.post(
        manage_url(partnership, f"reports/{report.pk}/"),
        {
            "work_done": "Typed with care",
            "edit_version": "1",
            "submit": "1",
            "attachments": pdf_upload("fake.pdf", b"GIF89a not a pdf"),
        },
    )
    assert response.status_code == 400
    assert "Typed with care" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "due" and report.work_done == ""


def test_report_without_version_is_refused_with_a_message(client, partnership, researcher, report):
    client.force_login(researcher)
    response = client.post(manage_url(partnership, f"reports/{report.pk}/"), {"work_done": "x", "submit": "1"})
    assert response.status_code == 400 and "reload the page" in response.content.decode()


def test_member_of_another_partnership_cannot_reach_this_report_through_their_own(
    client, partnership, report, member_elsewhere
):
    theirs = member_elsewhere.partnerships.get().partnership
    client.force_login(member_elsewhere)
    response = client.get(f"/partnerships/{theirs.slug}/manage/reports/{report.pk}/")
    assert response.status_code == 404


def test_public_page_shows_status_timeline_and_delivered_reports_never_their_content(
    client, partnership, official, accepted
):
    services.partnership_set_status(
        partnership=partnership, by=official, status="ended", expected="active", reason="The city's budget was cut."
    )
    body = client.get(partnership.get_absolute_url()).content.decode()
    assert "Ended early" in body and "The city&#x27;s budget was cut." in body
    assert "Reports delivered" in body and accepted.title in body
    assert SECRET not in body
    api = client.get(f"/api/v1/partnerships/{partnership.slug}/life").json()
    assert api["status"] == "ended" and api["status_reason"] == "The city's budget was cut."
    assert [r["title"] for r in api["reports_delivered"]] == [accepted.title]
    assert {e["kind"] for e in api["timeline"]} >= {"status", "report"}
    for url in (
        f"/api/v1/partnerships/{partnership.slug}/life",
        f"/api/v1/partnerships/{partnership.slug}",
        "/partnerships/export.csv",
        "/search/?q=eviction",
    ):
        assert SECRET not in body_of(client.get(url)), url


def test_reports_waiting_or_returned_are_not_delivered(client, partnership, researcher, report):
    services.report_save(report=report, by=researcher, fields={"work_done": SECRET}, edit_version=1, submit=True)
    body = client.get(partnership.get_absolute_url()).content.decode()
    assert "No report has been delivered yet." in body


def test_private_partnerships_have_no_public_life(client, partnership):
    Partnership.objects.filter(pk=partnership.pk).update(is_public=False)
    assert client.get(f"/api/v1/partnerships/{partnership.slug}/life").status_code == 404


def test_agreements_download_for_members_only(client, partnership, researcher, outsider):
    PartnershipMember.objects.filter(user=researcher).update(is_lead=True)
    agreement = services.agreement_add(
        partnership=partnership, by=researcher, kind="agreement", title="Signed", signed_on=TODAY, upload=pdf_upload()
    )
    url = manage_url(partnership, f"agreements/{agreement.pk}/")
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert "Signed" not in client.get(partnership.get_absolute_url()).content.decode().split("Timeline")[-1]
    client.force_login(researcher)
    assert client.get(url).status_code == 200


def _grow(partnership, official, n):
    for i in range(n):
        Milestone.objects.create(partnership=partnership, title=f"Step {i}", due_date=TODAY)
        Deliverable.objects.create(partnership=partnership, title=f"D{i}", due_date=TODAY, status="delivered")
        result = Result.objects.create(
            partnership=partnership,
            title=f"Result {i}",
            slug=f"result-{i}-{partnership.pk}-{Result.objects.count()}",
            abstract="A",
            status=Result.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        CityResponse.objects.create(
            result=result, city=partnership.city, stance="accepted", responded_at=timezone.now()
        )
        PolicyUptake.objects.create(result=result, city=partnership.city, kind="decision", title=f"Dec {i}", date=TODAY)
        report = PartnershipReport.objects.create(
            partnership=partnership, title=f"R{i}", due_date=TODAY, status="accepted", submitted_at=timezone.now()
        )
        assert report.pk
        StatusChange.objects.create(
            partnership=partnership, from_status="active", to_status="active", effective_on=TODAY
        )


def test_partnership_page_queries_stay_constant_as_the_timeline_grows(
    client, partnership, official, django_assert_max_num_queries
):
    _grow(partnership, official, 1)
    with django_assert_max_num_queries(40) as few:
        assert client.get(partnership.get_absolute_url()).status_code == 200
    _grow(partnership, official, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(partnership.get_absolute_url())
    assert response.content.decode().count("timeline__item--decision") == 9
    with django_assert_max_num_queries(30) as api:
        client.get(f"/api/v1/partnerships/{partnership.slug}/life")
    _grow(partnership, official, 3)
    with django_assert_max_num_queries(len(api.captured_queries)):
        client.get(f"/api/v1/partnerships/{partnership.slug}/life")


def test_dashboards_show_overdue_and_waiting_reports(client, partnership, researcher, official, report):
    PartnershipReport.objects.filter(pk=report.pk).update(due_date=TODAY - dt.timedelta(days=1))
    client.force_login(researcher)
    body = client.get("/dashboard/").content.decode()
    assert report.title in body and "overdue" in body
    client.force_login(official)
    assert report.title in client.get("/dashboard/").content.decode()
