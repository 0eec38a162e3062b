"""Reminders: reviewers with a review due soon and teams with a draft near the deadline get one email each."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

import pytest

from calls.factories import ProposalFactory, make_call, submit_for_tests
from calls.models import ProposalReminder
from calls.reminders import send_reminders
from calls.services.reviews import review_assign
from calls.tasks import send_call_reminders
from profiles.models import CityPage
from tests.calls.test_review_assignment import person


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def closing_call(city):
    organisation, _official = city
    return make_call(
        city_page=CityPage.objects.get(organisation=organisation), title="Closing soon", closes_in=dt.timedelta(days=2)
    )


def test_review_due_soon_is_reminded_once(open_call, city, commit, mailoutbox):
    _org, official = city
    proposal = ProposalFactory(call=open_call, lead=person("lead@example.org"))
    submit_for_tests(proposal)
    soon = review_assign(
        proposal=proposal,
        reviewer_email=person("soon@example.org").email,
        by=official,
        due_at=timezone.now() + dt.timedelta(days=2),
    )
    review_assign(
        proposal=proposal,
        reviewer_email=person("later@example.org").email,
        by=official,
        due_at=timezone.now() + dt.timedelta(days=10),
    )
    mailoutbox.clear()
    with commit():
        first = send_reminders()
    with commit():
        second = send_reminders()
    assert (first.reviews, second.reviews) == (1, 0)
    assert [m.to for m in mailoutbox] == [["soon@example.org"]]
    assert f"/reviews/{soon.pk}/" in mailoutbox[0].body
    soon.refresh_from_db()
    assert soon.reminded_at is not None


def test_draft_near_the_deadline_is_reminded_once(closing_call, open_call, commit, mailoutbox):
    draft = ProposalFactory(call=closing_call, lead=person("late@example.org"), title="Late draft")
    ProposalFactory(call=open_call, lead=person("early@example.org"), title="Plenty of time")
    done = ProposalFactory(call=closing_call, lead=person("done@example.org"), title="Already in")
    submit_for_tests(done)
    with commit():
        first = send_reminders()
    with commit():
        second = send_reminders()
    assert (first.drafts, second.drafts) == (1, 0)
    assert [m.to for m in mailoutbox] == [["late@example.org"]]
    assert "Late draft" in mailoutbox[0].subject
    assert ProposalReminder.objects.get().proposal == draft


def test_command_and_task_send_the_same_reminders_once(closing_call, commit, mailoutbox, capsys):
    ProposalFactory(call=closing_call, lead=person("late@example.org"))
    with commit():
        call_command("send_call_reminders")
    assert "1 draft reminder" in capsys.readouterr().out
    with commit():
        result = send_call_reminders.enqueue()
    assert result.return_value == {"reviews": 0, "drafts": 0}
    assert len(mailoutbox) == 1


def test_command_documents_itself():
    from calls.management.commands.send_call_reminders import Command

    assert "only once" in Command.help and "3 days" in Command.help
