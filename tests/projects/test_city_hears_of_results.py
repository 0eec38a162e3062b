"""The right of reply starts with being told: the commissioning city's officials hear of a new result."""

from django.core import mail

import pytest

from profiles.factories import UserFactory
from profiles.models import Membership, User
from projects.models import CityResponse
from tests.projects.test_results_services import make_result

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_publishing_emails_each_official_of_the_commissioning_city_once(
    partnership, researcher, official, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="colleague@graz.example", account_type=User.AccountType.ORGANISATION)
    Membership.objects.create(
        user=colleague, organisation=partnership.city, role=Membership.Role.MEMBER, status=Membership.Status.APPROVED
    )
    pending = UserFactory(email="pending@graz.example", account_type=User.AccountType.ORGANISATION)
    Membership.objects.create(user=pending, organisation=partnership.city, status=Membership.Status.REQUESTED)

    with django_capture_on_commit_callbacks(execute=True):
        result = make_result(partnership, researcher, publish=True, title="Older tenants' housing")

    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted([official.email, colleague.email])
    message = mail.outbox[0]
    assert message.subject == "New result to respond to: Older tenants' housing"
    assert f"/results/{result.slug}/response/" in message.body
    assert researcher.email not in to and pending.email not in to


def test_drafts_tell_nobody(partnership, researcher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_result(partnership, researcher, publish=False)
    assert mail.outbox == []


def test_the_official_dashboard_asks_for_a_response_until_there_is_one(client, partnership, researcher, official):
    result = make_result(partnership, researcher, publish=True, title="Heat and older tenants")
    client.force_login(official)

    page = client.get("/dashboard/").content.decode()
    assert "Respond to this result" in page and "Heat and older tenants" in page
    assert f"/results/{result.slug}/response/" in page

    CityResponse.objects.create(
        result=result, city=partnership.city, stance=CityResponse.Stance.ACCEPTED, responded_by=official
    )
    assert "Heat and older tenants" not in client.get("/dashboard/").content.decode()


def test_researchers_and_other_cities_get_no_such_item(client, partnership, researcher, make_city):
    make_result(partnership, researcher, publish=True, title="Heat and older tenants")
    _vienna, vienna_official = make_city("Vienna")
    for user in (researcher, vienna_official):
        client.force_login(user)
        assert "Respond to this result" not in client.get("/dashboard/").content.decode()
