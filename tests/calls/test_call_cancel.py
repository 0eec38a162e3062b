"""Cancelling a call: a public reason, every team told, no more submissions, and no deleting calls with proposals."""

import pytest

from calls.factories import ProposalFactory
from calls.models import ResearchCall, TeamMember
from calls.services.calls import call_cancel
from profiles.demo import DEMO_TOTP_SECRET
from profiles.factories import UserFactory
from profiles.mfa import totp_activate

pytestmark = pytest.mark.django_db


def test_official_cancels_in_the_admin_and_every_team_is_told(
    client, open_call, city, researcher, mailoutbox, django_capture_on_commit_callbacks
):
    _organisation, official = city
    proposal = ProposalFactory(call=open_call, lead=researcher)
    colleague = UserFactory(email="colleague@example.org")
    TeamMember.objects.create(
        proposal=proposal, user=colleague, email=colleague.email, name="Colleague", status=TeamMember.Status.ACCEPTED
    )
    client.force_login(official)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/calls/{open_call.pk}/cancel/", {"reason": "The council froze the budget."})

    assert response.status_code == 302
    call = ResearchCall.objects.get(pk=open_call.pk)
    assert call.status == ResearchCall.Status.CANCELLED
    assert call.cancellation_reason == "The council froze the budget."
    assert not call.accepts_submissions()
    assert sorted(m.to[0] for m in mailoutbox) == ["colleague@example.org", "researcher@example.org"]
    assert "The council froze the budget." in mailoutbox[0].body
    assert call.title in mailoutbox[0].subject
    page = client.get(call.url).content.decode()
    assert "This call was cancelled." in page and "The council froze the budget." in page


def test_cancelling_needs_a_reason(client, open_call, city):
    client.force_login(city[1])

    response = client.post(f"/admin/calls/{open_call.pk}/cancel/", {"reason": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ResearchCall.objects.get(pk=open_call.pk).cancelled_at is None


@pytest.mark.parametrize("who", ["other_city", "researcher"])
def test_others_cannot_cancel(client, open_call, make_city, researcher, who):
    user = make_city("Vienna")[1] if who == "other_city" else researcher
    client.force_login(user)

    client.post(f"/admin/calls/{open_call.pk}/cancel/", {"reason": "Mine now"})

    assert ResearchCall.objects.get(pk=open_call.pk).cancelled_at is None


def test_coordinator_can_cancel(open_call, coordinator):
    assert call_cancel(call=open_call, reason="Withdrawn by the network.", by=coordinator).status == "cancelled"


def test_publishing_a_later_edit_keeps_the_cancellation(open_call, city):
    call_cancel(call=open_call, reason="Stopped.", by=city[1])

    draft = ResearchCall.objects.get(pk=open_call.pk).get_latest_revision_as_object()
    draft.summary = "Edited after cancelling."
    draft.save_revision().publish()

    call = ResearchCall.objects.get(pk=open_call.pk)
    assert call.summary == "Edited after cancelling."
    assert call.status == ResearchCall.Status.CANCELLED


def test_cancel_is_in_the_audit_log(open_call, city):
    from wagtail.models import PageLogEntry

    call_cancel(call=open_call, reason="Stopped.", by=city[1])

    entry = PageLogEntry.objects.get(page=open_call, action="calls.cancel")
    assert entry.user == city[1]
    assert entry.data["reason"] == "Stopped."


def test_call_with_proposals_cannot_be_deleted(client, open_call, researcher, django_user_model):
    ProposalFactory(call=open_call, lead=researcher)
    admin = django_user_model.objects.create_superuser(email="root@example.org", password="x")
    totp_activate(user=admin, secret=DEMO_TOTP_SECRET)  # superusers must use two-factor authentication
    client.force_login(admin)

    response = client.post(f"/admin/pages/{open_call.pk}/delete/", follow=True)

    assert ResearchCall.objects.filter(pk=open_call.pk).exists()
    assert "has proposals, so it cannot be deleted" in response.content.decode()


def test_call_without_proposals_can_be_deleted(client, open_call, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.org", password="x")
    totp_activate(user=admin, secret=DEMO_TOTP_SECRET)  # superusers must use two-factor authentication
    client.force_login(admin)

    client.post(f"/admin/pages/{open_call.pk}/delete/")

    assert not ResearchCall.objects.filter(pk=open_call.pk).exists()


def test_call_officials_find_cancel_call_in_the_admin(client, open_call, city):
    client.force_login(city[1])

    edit = client.get(f"/admin/pages/{open_call.pk}/edit/").content.decode()
    explorer = client.get(f"/admin/pages/{open_call.get_parent().pk}/").content.decode()

    assert f"/admin/calls/{open_call.pk}/cancel/" in edit
    assert f"/admin/calls/{open_call.pk}/cancel/" in explorer
