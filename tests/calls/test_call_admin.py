"""Editing a call in the Wagtail admin: times in the city's zone, weights that must add up to 100."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from wagtail.models import PageLogEntry, Revision, TaskState, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

import pytest

from calls.models import ResearchCall
from profiles.factories import MembershipFactory, UserFactory
from profiles.models import CityPage, Membership
from profiles.services import sync_editor_groups

pytestmark = pytest.mark.django_db


def test_city_editor_opens_the_call_editor(client, city, open_call):
    _organisation, official = city
    client.force_login(official)
    response = client.get(f"/admin/pages/{open_call.pk}/edit/")
    assert response.status_code == 200
    assert "Europe/Vienna" in response.content.decode()


def test_call_add_form_offers_research_call_under_the_city(client, city):
    organisation, official = city
    client.force_login(official)
    city_page = CityPage.objects.get(organisation=organisation)
    response = client.get(f"/admin/pages/add/calls/researchcall/{city_page.pk}/")
    assert response.status_code == 200


def test_call_knows_its_city(open_call, city):
    organisation, _ = city
    assert open_call.organisation == organisation
    assert open_call.status == ResearchCall.Status.OPEN


# Posting the real Wagtail page forms ---------------------------------------------------------


def call_form(**overrides) -> dict:
    """The add/edit form of a ResearchCall as Wagtail 8 posts it (times as the city's wall clock)."""
    criteria = overrides.pop("criteria", [("Relevance", 60), ("Method", 40)])
    data = {
        "title": "Access to water in informal settlements",
        "slug": "access-to-water",
        "summary": "Who lacks safe water, and why.",
        "body": streamfield([]),
        "budget_min": "10000",
        "budget_max": "40000",
        "currency": "EUR",
        "opens_at": "2027-03-01 12:00",
        "closes_at": "2027-05-01 12:00",
        "duration_months": "12",
        "early_career": "open",
        "cross_border": "allowed",
        "criteria": inline_formset([{"name": name, "description": "", "weight": str(w)} for name, w in criteria]),
        "comments": inline_formset([]),
        # Issue 18: the call's own forms (§1), its reviewers' load (§2) and feedback to applicants (§3).
        "application_form": streamfield([]),
        "full_application_form": streamfield([]),
        "review_questions": streamfield([]),
        "reviews_per_proposal": "2",
        "reviewer_cap_per_call": "5",
        "reviewer_cap_per_month": "8",
        "conflict_years": "3",
        "review_release": "none",
    }
    data.update(overrides)
    return nested_form_data(data)


def add_url(organisation) -> str:
    return f"/admin/pages/add/calls/researchcall/{CityPage.objects.get(organisation=organisation).pk}/"


def test_verified_city_workflow_has_its_approval_task(city):
    from wagtail.models import WorkflowPage

    organisation, _official = city
    workflow = WorkflowPage.objects.get(page=CityPage.objects.get(organisation=organisation)).workflow
    assert workflow.workflow_tasks.count() == 1


def test_a_city_workflow_left_without_its_task_is_repaired(city):
    from wagtail.models import WorkflowPage, WorkflowTask

    from profiles.services import city_approval_workflow_ensure

    organisation, _official = city
    city_page = CityPage.objects.get(organisation=organisation)
    workflow = WorkflowPage.objects.get(page=city_page).workflow
    WorkflowTask.objects.filter(workflow=workflow).delete()

    city_approval_workflow_ensure(organisation=organisation, city_page=city_page)
    city_approval_workflow_ensure(organisation=organisation, city_page=city_page)

    assert WorkflowPage.objects.get(page=city_page).workflow == workflow
    assert workflow.workflow_tasks.count() == 1


def test_migrate_repairs_city_workflows_without_their_task(city):
    from wagtail.models import WorkflowPage, WorkflowTask

    from profiles.setup import repair_city_workflows

    organisation, _official = city
    workflow = WorkflowPage.objects.get(page=CityPage.objects.get(organisation=organisation)).workflow
    WorkflowTask.objects.filter(workflow=workflow).delete()

    repair_city_workflows()

    assert workflow.workflow_tasks.count() == 1


@pytest.fixture
def city_member(city):
    """An approved member (not an administrator) of Graz: a city editor without publish permission."""
    organisation, _official = city
    user = UserFactory(email="member.graz@example.org")
    MembershipFactory(
        user=user, organisation=organisation, role=Membership.Role.MEMBER, status=Membership.Status.APPROVED
    )
    sync_editor_groups(user=user)
    return user


def test_official_adds_a_call_and_times_are_read_in_the_city_zone(client, city):
    organisation, official = city
    client.force_login(official)

    response = client.post(add_url(organisation), call_form())

    assert response.status_code == 302, response.content.decode()[:3000]
    call = ResearchCall.objects.get(slug="access-to-water")
    assert call.opens_at == dt.datetime(2027, 3, 1, 11, 0, tzinfo=dt.UTC)  # 12:00 in Vienna, winter time
    assert call.closes_at == dt.datetime(2027, 5, 1, 10, 0, tzinfo=dt.UTC)  # 12:00 in Vienna, summer time
    assert call.time_zone == "Europe/Vienna"
    assert [c.weight for c in call.criteria.all()] == [60, 40]


@pytest.mark.parametrize("editing", [False, True], ids=["add", "edit"])
def test_admin_preview_shows_the_call_as_the_public_will_see_it(client, city, open_call, editing):
    organisation, official = city
    client.force_login(official)
    if editing:
        url = f"/admin/pages/{open_call.pk}/edit/preview/"
        data = call_form(title="A previewed title", slug=open_call.slug)
    else:
        city_page = CityPage.objects.get(organisation=organisation)
        url = f"/admin/pages/add/calls/researchcall/{city_page.pk}/preview/"
        data = call_form(title="A previewed title")

    assert client.post(url, data).json()["is_valid"] is True
    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "A previewed title" in page
    assert "Who lacks safe water, and why." in page
    assert not ResearchCall.objects.filter(title="A previewed title").exists()


def test_weights_not_adding_up_to_100_are_refused_with_the_total(client, city):
    organisation, official = city
    client.force_login(official)

    response = client.post(add_url(organisation), call_form(criteria=[("Relevance", 50), ("Method", 35)]))

    assert response.status_code == 200
    assert "add up to 85; they must add up to 100" in response.content.decode()
    assert not ResearchCall.objects.filter(slug="access-to-water").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"closes_at": "2027-02-01 12:00"}, "The call must close after it opens."),
        ({"budget_min": "50000", "budget_max": "40000"}, "The maximum budget must not be below the minimum."),
        ({"closes_at": "2027-03-28 02:30"}, "does not exist in Europe/Vienna"),
        ({"closes_at": "2027-10-31 02:30"}, "happens twice in Europe/Vienna"),
    ],
)
def test_bad_dates_and_budgets_are_refused_with_a_message(client, city, overrides, message):
    organisation, official = city
    client.force_login(official)

    response = client.post(add_url(organisation), call_form(**overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ResearchCall.objects.filter(slug="access-to-water").exists()


def test_editing_keeps_the_city_wall_clock_time(client, city, open_call):
    _organisation, official = city
    client.force_login(official)
    data = call_form(title=open_call.title, slug=open_call.slug, closes_at="2027-06-30 23:59")
    data["action-publish"] = "publish"

    response = client.post(f"/admin/pages/{open_call.pk}/edit/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    open_call.refresh_from_db()
    assert open_call.closes_at == dt.datetime(2027, 6, 30, 21, 59, tzinfo=dt.UTC)
    form = client.get(f"/admin/pages/{open_call.pk}/edit/").content.decode()
    assert "2027-06-30 23:59" in form


def test_member_submits_for_moderation_and_cannot_publish(client, city, city_member):
    organisation, _official = city
    client.force_login(city_member)

    published = client.post(add_url(organisation), {**call_form(), "action-publish": "publish"})
    assert published.status_code in (302, 403)
    assert not ResearchCall.objects.filter(live=True, slug="access-to-water").exists()
    ResearchCall.objects.filter(slug="access-to-water").delete()

    response = client.post(add_url(organisation), {**call_form(), "action-submit": "submit"})

    assert response.status_code == 302
    call = ResearchCall.objects.get(slug="access-to-water")
    assert not call.live
    assert WorkflowState.objects.get(object_id=str(call.pk)).status == WorkflowState.STATUS_IN_PROGRESS
    edit = client.get(f"/admin/pages/{call.pk}/edit/").content.decode()
    assert 'name="action-publish"' not in edit


@pytest.mark.parametrize("approver", ["city_admin", "coordinator"])
def test_city_admin_or_coordinator_approves_and_the_call_goes_live(client, city, city_member, coordinator, approver):
    organisation, official = city
    client.force_login(city_member)
    client.post(add_url(organisation), {**call_form(), "action-submit": "submit"})
    call = ResearchCall.objects.get(slug="access-to-water")
    approving = official if approver == "city_admin" else coordinator
    task_state = TaskState.objects.get(workflow_state__object_id=str(call.pk), status=TaskState.STATUS_IN_PROGRESS)
    client.force_login(approving)

    response = client.post(f"/admin/pages/workflow/action/{call.pk}/approve/{task_state.pk}/", {"comment": ""})

    assert response.status_code in (200, 302), response.content.decode()[:2000]
    call.refresh_from_db()
    assert call.live
    log = list(PageLogEntry.objects.filter(page=call).order_by("timestamp").values_list("action", "user_id"))
    assert ("wagtail.create", city_member.pk) in log
    assert ("wagtail.workflow.start", city_member.pk) in log
    assert ("wagtail.workflow.approve", approving.pk) in log
    assert ("wagtail.publish", approving.pk) in log
    assert Revision.page_revisions.filter(object_id=str(call.pk)).exclude(user=None).first().user == city_member


def test_scheduled_call_goes_live_when_due(client, city):
    organisation, official = city
    client.force_login(official)
    go_live = timezone.now() + dt.timedelta(hours=2)
    data = {**call_form(go_live_at=timezone.localtime(go_live).strftime("%Y-%m-%d %H:%M")), "action-publish": "publish"}

    response = client.post(add_url(organisation), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    call = ResearchCall.objects.get(slug="access-to-water")
    assert not call.live
    call_command("publish_scheduled")
    call.refresh_from_db()
    assert not call.live

    # Time passes: move the approved schedule into the past rather than waiting two hours.
    due = timezone.now() - dt.timedelta(minutes=1)
    for revision in Revision.page_revisions.filter(object_id=str(call.pk), approved_go_live_at__isnull=False):
        revision.content["go_live_at"] = due.isoformat()
        revision.approved_go_live_at = due
        revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")

    call.refresh_from_db()
    assert call.live
    assert (
        PageLogEntry.objects.filter(page=call, action="wagtail.publish.scheduled").exists()
        or PageLogEntry.objects.filter(page=call, action="wagtail.publish").exists()
    )


def test_official_of_another_city_cannot_edit_the_call(client, open_call, make_city):
    _organisation, other = make_city("Vienna")
    client.force_login(other)

    response = client.get(f"/admin/pages/{open_call.pk}/edit/")

    assert response.status_code in (302, 403)
