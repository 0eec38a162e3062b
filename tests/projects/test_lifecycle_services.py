"""A partnership's life (issue 19 §1), services: status changes, membership changes, the report state machine,
reminders sent once, overdue reports, deliverables and agreements; each with who may do it."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

import pytest

from calls.factories import ProposalFactory
from hub.versioning import StaleEdit
from projects.factories import PartnershipFactory, add_member
from projects.models import (
    Agreement,
    Deliverable,
    MembershipChange,
    Partnership,
    PartnershipMember,
    PartnershipReport,
    Result,
    ResultAuthor,
    StatusChange,
    WorkspaceDocumentVersion,
)
from projects.selectors.lifecycle import (
    former_members,
    partnership_life_public,
    reports_for_city,
    reports_for_team,
)
from projects.services import lifecycle as services
from projects.services.partnerships import MemberInput
from projects.services.workspace import can_use_workspace
from tests.projects.test_workspace_documents import pdf_upload

TODAY = timezone.localdate()


@pytest.fixture
def lead(partnership, researcher):
    PartnershipMember.objects.filter(partnership=partnership, user=researcher).update(is_lead=True)
    return researcher


@pytest.fixture
def report(partnership, official):
    return services.report_schedule(
        partnership=partnership,
        by=official,
        kind=PartnershipReport.Kind.PROGRESS,
        due_date=TODAY + dt.timedelta(days=3),
    )


def written(report, researcher, *, submit=True, **fields):
    report.refresh_from_db()
    return services.report_save(
        report=report,
        by=researcher,
        fields={"work_done": "Forty interviews in Lend.", **fields},
        edit_version=report.edit_version,
        submit=submit,
    )


# Status -----------------------------------------------------------------------------------------------------------


def test_official_marks_the_partnership_completed_dated(partnership, official):
    change = services.partnership_set_status(
        partnership=partnership, by=official, status="completed", expected="active"
    )
    partnership.refresh_from_db()
    assert partnership.status == Partnership.Status.COMPLETED and partnership.ended_at == TODAY
    assert (change.from_status, change.to_status, change.effective_on) == ("active", "completed", TODAY)


def test_ending_early_needs_a_public_reason(partnership, official):
    with pytest.raises(ValidationError) as error:
        services.partnership_set_status(partnership=partnership, by=official, status="ended", expected="active")
    assert "reason" in error.value.message_dict
    services.partnership_set_status(
        partnership=partnership, by=official, status="ended", expected="active", reason="The team's funding ended."
    )
    assert partnership_life_public(partnership, results=[], milestones=[]).status_reason == "The team's funding ended."


def test_researchers_and_other_cities_cannot_set_the_status(partnership, researcher, make_city):
    other = make_city("Linz")[1]
    for user in (researcher, other):
        with pytest.raises(PermissionDenied):
            services.partnership_set_status(partnership=partnership, by=user, status="completed", expected="active")
    assert Partnership.objects.get().status == "active" and not StatusChange.objects.exists()


def test_a_status_change_from_a_stale_page_saves_nothing(partnership, official):
    services.partnership_set_status(partnership=partnership, by=official, status="completed", expected="active")
    with pytest.raises(services.Conflict):
        # a second official's page still showed "active"
        services.partnership_set_status(
            partnership=partnership, by=official, status="ended", expected="active", reason="x"
        )
    assert StatusChange.objects.count() == 1 and Partnership.objects.get().status == "completed"


def test_status_dates_in_the_future_and_unknown_moves_are_refused(partnership, official):
    with pytest.raises(ValidationError):
        services.partnership_set_status(
            partnership=partnership,
            by=official,
            status="completed",
            expected="active",
            effective_on=TODAY + dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        services.partnership_set_status(partnership=partnership, by=official, status="active", expected="active")


# Members ----------------------------------------------------------------------------------------------------------


def test_lead_adds_a_member_logged_and_invited(partnership, lead, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        member = services.member_add(
            partnership=partnership,
            by=lead,
            item=MemberInput(side="research", name="Ana Petrović", email="ana@example.org", role="Data analyst"),
        )
    change = MembershipChange.objects.get()
    assert (change.kind, change.member, change.role_after) == ("joined", member, "Data analyst")
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]


def test_members_who_are_not_the_lead_cannot_change_members(partnership, researcher, outsider):
    add_member(partnership, outsider, role="Assistant")
    with pytest.raises(PermissionDenied):
        services.member_add(partnership=partnership, by=outsider, item=MemberInput(side="research", name="X"))


def test_role_change_and_new_lead_are_logged(partnership, lead, outsider, official):
    other = add_member(partnership, outsider, role="Assistant")
    services.member_set_role(member=other, by=official, role="Co-investigator", expected="Assistant")
    with pytest.raises(services.Conflict):
        services.member_set_role(member=other, by=official, role="Other", expected="Assistant")
    services.member_make_lead(member=other, by=lead)
    assert list(partnership.members.filter(is_lead=True)) == [other]
    kinds = list(MembershipChange.objects.order_by("pk").values_list("kind", "role_before", "role_after"))
    assert kinds == [("role", "Assistant", "Co-investigator"), ("lead", lead.display_name, "Co-investigator")]


def test_the_lead_names_a_successor_before_leaving(partnership, lead, outsider):
    add_member(partnership, outsider, role="Assistant")
    member = partnership.members.get(user=lead)
    with pytest.raises(ValidationError):
        services.member_leave(member=member, by=lead)


def test_a_member_who_left_loses_the_workspace_but_stays_credited(partnership, researcher, outsider):
    member = add_member(partnership, outsider, role="Field researcher")
    result = Result.objects.create(
        partnership=partnership, title="Brief", slug="brief", abstract="A", created_by=outsider
    )
    ResultAuthor.objects.create(result=result, name=outsider.display_name)
    assert can_use_workspace(outsider, partnership)[0]
    services.member_leave(member=member, by=outsider)  # anyone may leave
    assert not can_use_workspace(outsider, partnership)[0]
    assert not Partnership.objects.with_member(outsider).exists()
    assert list(result.authors.values_list("name", flat=True)) == [outsider.display_name]
    (former,) = former_members(partnership)
    assert (former.name, former.role_before, former.kind) == (outsider.display_name, "Field researcher", "left")


def test_someone_who_came_back_is_not_a_former_member(partnership, researcher, outsider, official):
    member = add_member(partnership, outsider)
    services.member_leave(member=member, by=official)
    add_member(partnership, outsider)
    assert former_members(partnership) == []


# Reports ----------------------------------------------------------------------------------------------------------


def test_report_goes_submitted_returned_resubmitted_accepted(partnership, researcher, official, report):
    written(report, researcher, submit=False)
    report.refresh_from_db()
    assert report.status == "due" and report.work_done == "Forty interviews in Lend."
    written(report, researcher)
    assert PartnershipReport.objects.get().status == "submitted"
    with pytest.raises(ValidationError):
        services.report_review(report=report, by=official, accept=False, comment="  ")
    services.report_review(report=report, by=official, accept=False, comment="Add the risks, please.")
    report.refresh_from_db()
    assert (report.status, report.times_returned, report.review_comment) == ("returned", 1, "Add the risks, please.")
    written(report, researcher, risks="Interviewees may withdraw.")
    services.report_review(report=report, by=official, accept=True)
    report.refresh_from_db()
    assert report.status == "accepted" and report.risks == "Interviewees may withdraw."
    with pytest.raises(services.Conflict):
        services.report_review(report=report, by=official, accept=False, comment="Too late")


def test_submitting_needs_what_was_done(partnership, researcher, report):
    with pytest.raises(ValidationError) as error:
        services.report_save(report=report, by=researcher, fields={}, edit_version=1, submit=True)
    assert "work_done" in error.value.message_dict
    assert PartnershipReport.objects.get().status == "due"


def test_a_report_edited_by_a_teammate_meanwhile_is_stale(partnership, researcher, report):
    written(report, researcher, submit=False)
    with pytest.raises(StaleEdit):
        services.report_save(report=report, by=researcher, fields={"work_done": "x"}, edit_version=1)


def test_only_the_team_writes_and_only_the_city_reviews(partnership, researcher, official, report):
    with pytest.raises(PermissionDenied):
        services.report_save(report=report, by=official, fields={"work_done": "x"}, edit_version=1, submit=True)
    written(report, researcher)
    with pytest.raises(PermissionDenied):
        services.report_review(report=report, by=researcher, accept=True)
    with pytest.raises(PermissionDenied):
        services.report_schedule(partnership=partnership, by=researcher, kind="progress", due_date=TODAY)


def test_submitted_reports_cannot_be_changed_by_the_team(partnership, researcher, report):
    written(report, researcher)
    report.refresh_from_db()
    with pytest.raises(services.Conflict):
        services.report_save(report=report, by=researcher, fields={"work_done": "y"}, edit_version=report.edit_version)


def test_one_final_report_per_partnership(partnership, official):
    services.report_schedule(partnership=partnership, by=official, kind="final", due_date=TODAY)
    with pytest.raises(ValidationError):
        services.report_schedule(partnership=partnership, by=official, kind="final", due_date=TODAY)


def test_attachments_are_checked_before_anything_is_stored(partnership, researcher, report):
    bad = pdf_upload("notes.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError) as error:
        services.report_save(
            report=report, by=researcher, fields={"work_done": "x"}, edit_version=1, submit=True, uploads=[bad]
        )
    assert "attachments" in error.value.message_dict
    report.refresh_from_db()
    assert report.status == "due" and report.work_done == "" and not report.attachments.exists()
    services.report_save(
        report=report, by=researcher, fields={"work_done": "x"}, edit_version=1, uploads=[pdf_upload()]
    )
    assert report.attachments.get().original_name == "data-plan.pdf"


def test_reminders_are_sent_once_per_report_and_due_date(
    partnership, researcher, official, report, django_capture_on_commit_callbacks, mailoutbox
):
    services.report_schedule(partnership=partnership, by=official, kind="final", due_date=TODAY + dt.timedelta(days=60))
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.report_reminders()
    assert (first, second) == (1, 0)
    assert [m.to for m in mailoutbox] == [[researcher.email]]  # the research side only, not the official
    assert f"/manage/reports/{report.pk}/" in mailoutbox[0].body
    services.report_reschedule(report=report, by=official, due_date=TODAY + dt.timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.report_reminders() == 1


def test_overdue_reports_show_for_the_team_and_the_city(partnership, researcher, official, make_city):
    late = services.report_schedule(partnership=partnership, by=official, kind="progress", due_date=TODAY)
    PartnershipReport.objects.filter(pk=late.pk).update(due_date=TODAY - dt.timedelta(days=2))
    late.refresh_from_db()
    assert late.is_overdue(TODAY)
    assert reports_for_team(researcher, today=TODAY) == [late]
    assert reports_for_city(official, today=TODAY) == [late]
    assert reports_for_city(make_city("Linz")[1], today=TODAY) == []


def test_award_schedules_the_final_report_and_names_the_lead(open_call, city, researcher):
    proposal = ProposalFactory(call=open_call, lead=researcher)
    partnership = PartnershipFactory(proposal=proposal, call=open_call, city=city[0], started_at=dt.date(2026, 1, 31))
    add_member(partnership, researcher)
    services.schedule_at_award(partnership=partnership, call=open_call, by=city[1])
    services.schedule_at_award(partnership=partnership, call=open_call, by=city[1])  # idempotent
    (final,) = partnership.reports.all()
    assert final.kind == "final" and final.due_date == dt.date(2027, 1, 28)  # 12 months by default
    assert partnership.members.get(user=researcher).is_lead


# Deliverables and agreements --------------------------------------------------------------------------------------


def test_deliverables_link_own_results_and_give_the_progress_share(partnership, researcher):
    mine = Result.objects.create(partnership=partnership, title="Mine", slug="mine", abstract="A")
    theirs = Result.objects.create(partnership=PartnershipFactory(), title="Theirs", slug="theirs", abstract="A")
    with pytest.raises(ValidationError):
        services.deliverable_add(
            partnership=partnership, by=researcher, data={"title": "T", "due_date": TODAY, "results": [theirs]}
        )
    for status in ("delivered", "planned", "dropped"):
        services.deliverable_add(
            partnership=partnership,
            by=researcher,
            data={"title": status, "due_date": TODAY, "status": status, "results": [mine], "is_public": True},
        )
    assert Deliverable.objects.get(status="delivered").delivered_on == TODAY
    life = partnership_life_public(partnership, results=[], milestones=[])
    assert life.progress == {"delivered": 1, "total": 2, "percent": 50}


def test_agreements_are_private_workspace_documents(partnership, lead, outsider):
    agreement = services.agreement_add(
        partnership=partnership,
        by=lead,
        kind="agreement",
        title="Signed agreement",
        signed_on=TODAY,
        upload=pdf_upload(),
    )
    assert WorkspaceDocumentVersion.objects.get().document == agreement.document
    with pytest.raises(ValidationError):
        services.agreement_add(
            partnership=partnership,
            by=lead,
            kind="amendment",
            title="Amendment 1",
            signed_on=TODAY + dt.timedelta(days=3),
            upload=pdf_upload("a.pdf", b"not a pdf"),
        )
    with pytest.raises(PermissionDenied):
        services.agreement_add(
            partnership=partnership, by=outsider, kind="agreement", title="X", signed_on=TODAY, upload=pdf_upload()
        )
    assert Agreement.objects.count() == 1
