"""Issue 18 §3: the notification centre — notify, the page, the unread count, mark read, and the email preference
(instant, daily digest through a django-tasks task, none)."""

import datetime as dt

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import pytest

from profiles.factories import UserFactory
from profiles.models import Notification
from profiles.notify import mark_read, notify, send_digests, unread_count
from profiles.tasks import send_notification_digests


@pytest.fixture
def ana(db):
    return UserFactory(email="ana@example.org")


@pytest.fixture
def ben(db):
    return UserFactory(email="ben@example.org")


def test_instant_preference_emails_at_once(ana, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = notify(ana, kind="test", message="Your proposal got a comment.", url="/proposals/1/discussion/")
    assert note.email == Notification.Email.SENT
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ana@example.org"]
    assert "Your proposal got a comment." in mailoutbox[0].body and "/proposals/1/discussion/" in mailoutbox[0].body
    assert "http" in mailoutbox[0].body.split("/proposals/1/discussion/")[0].splitlines()[-1]  # absolute address


def test_email_false_and_none_preference_send_nothing(ana, ben, mailoutbox, django_capture_on_commit_callbacks):
    ben.notification_email = "none"
    ben.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(ana, kind="test", message="Quiet", url="", email=False)
        notify(ben, kind="test", message="Never emailed", url="")
    assert mailoutbox == []
    assert Notification.objects.filter(email=Notification.Email.NONE).count() == 2


def test_daily_digest_sends_one_email_once(ana, ben, mailoutbox, django_capture_on_commit_callbacks):
    ana.notification_email = "daily"
    ana.save()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            notify(ana, kind="test", message=f"Event {n}", url=f"/x/{n}/")
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        result = send_notification_digests.enqueue()
    assert result.return_value == {"digests": 1, "items": 3}
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert all(f"Event {n}" in body for n in range(3)) and "3 new notifications" in mailoutbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests() == {"digests": 0, "items": 0}
    assert len(mailoutbox) == 1
    assert not Notification.objects.filter(email=Notification.Email.PENDING).exists()


def test_digest_command_and_schedule(ana, mailoutbox, django_capture_on_commit_callbacks):
    from hub.schedule import JOBS

    assert JOBS["notification_digests"].command == "send_notification_digests"
    ana.notification_email = "daily"
    ana.save()
    notify(ana, kind="test", message="Later", url="")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_notification_digests")
    assert len(mailoutbox) == 1


def test_digest_takes_only_what_was_there_when_it_started(ana, mailoutbox, django_capture_on_commit_callbacks):
    ana.notification_email = "daily"
    ana.save()
    notify(ana, kind="test", message="Before", url="")
    with django_capture_on_commit_callbacks(execute=True):
        send_digests(now=timezone.now() - dt.timedelta(hours=1))
    assert mailoutbox == [] and Notification.objects.get().email == Notification.Email.PENDING


def test_unread_count_in_header_and_mark_read(client, ana, ben):
    first = notify(ana, kind="test", message="First thing", url="/proposals/")
    notify(ana, kind="test", message="Second thing", url="")
    notify(ben, kind="test", message="Ben's private thing", url="")
    client.force_login(ana)
    page = client.get(reverse("notifications")).content.decode()
    assert "2 unread notifications" in page and "First thing" in page and "Ben&#x27;s private thing" not in page
    assert "Ben's private thing" not in page
    assert "data-unread-count>2<" in page
    response = client.post(reverse("notification_read"), {"notification": str(first.pk), "open": "1"})
    assert response.status_code == 302 and response["Location"] == "/proposals/"
    assert unread_count(ana) == 1
    assert mark_read(user=ana, notification_id=first.pk) is False  # already read: the conditional update does nothing
    client.post(reverse("notification_read"), {"all": "1"})
    assert unread_count(ana) == 0
    assert "data-unread-count" not in client.get(reverse("notifications")).content.decode()


def test_someone_elses_notification_cannot_be_marked_or_followed(client, ana, ben):
    theirs = notify(ben, kind="test", message="Ben's", url="https://evil.example/")
    client.force_login(ana)
    response = client.post(reverse("notification_read"), {"notification": str(theirs.pk), "open": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("notifications")
    theirs.refresh_from_db()
    assert theirs.read_at is None
    for hostile in ("-1", "abc", "9" * 40, ""):
        assert client.post(reverse("notification_read"), {"notification": hostile}).status_code == 302


def test_an_offsite_url_is_never_followed(client, ana):
    note = notify(ana, kind="test", message="Odd", url="https://evil.example/")
    client.force_login(ana)
    response = client.post(reverse("notification_read"), {"notification": str(note.pk), "open": "1"})
    assert response["Location"] == reverse("notifications")


def test_email_preference_form(client, ana):
    ana.notification_email = "daily"
    ana.save()
    notify(ana, kind="test", message="Waiting", url="")
    client.force_login(ana)
    response = client.post(reverse("notifications"), {"email-notification_email": "weekly-ish"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert client.post(reverse("notifications"), {"email-notification_email": "none"}).status_code == 302
    ana.refresh_from_db()
    assert ana.notification_email == "none"
    assert not Notification.objects.filter(email=Notification.Email.PENDING).exists()


def test_anonymous_people_are_sent_to_sign_in(client):
    assert client.get(reverse("notifications")).status_code == 302
    assert client.post(reverse("notification_read"), {"all": "1"}).status_code == 302


def test_page_queries_stay_constant(client, ana, django_assert_max_num_queries):
    client.force_login(ana)
    notify(ana, kind="test", message="one", url="")
    client.get(reverse("notifications"))
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("notifications"))
    for n in range(25):
        notify(ana, kind="test", message=f"more {n}", url="")
    # The first page after a change counts the unread ones once (then the count is cached again): one query more.
    with django_assert_max_num_queries(len(small.captured_queries) + 1):
        client.get(reverse("notifications"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("notifications"))


def test_dashboard_shows_the_unread_ones(client, ana):
    notify(ana, kind="test", message="Something to read", url="/proposals/")
    client.force_login(ana)
    page = client.get(reverse("dashboard")).content.decode()
    assert "1 unread notification" in page and "Something to read" in page
