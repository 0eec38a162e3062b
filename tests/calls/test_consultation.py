"""Public consultation before a call opens: who may comment, moderation, the city's uptake, escaping."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

import pytest

from calls.factories import make_call
from calls.models import ConsultationComment
from calls.services.calls import (
    can_comment,
    consultation_comment_moderate,
    consultation_comment_post,
    consultation_comment_respond,
)
from profiles.factories import MembershipFactory, OrganisationFactory, UserFactory
from profiles.models import CityPage, Membership, Organisation
from profiles.services import organisation_verify

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def consulting_call(city):
    return make_call(
        city_page=CityPage.objects.get(organisation=city[0]),
        title="Draft questions on housing",
        opens_in=10 * DAY,
        closes_in=40 * DAY,
        consultation_opens_at=timezone.now() - DAY,
        consultation_questions="Which neighbourhoods should the study cover?",
    )


@pytest.fixture
def member_of(coordinator):
    def make(kind, *, verified=True, status=Membership.Status.APPROVED):
        organisation = OrganisationFactory(kind=kind, name=f"{kind} org")
        if verified:
            organisation = organisation_verify(organisation=organisation, by=coordinator)
        user = UserFactory()
        MembershipFactory(user=user, organisation=organisation, status=status)
        return user

    return make


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("cso_member", True),
        ("nhri_member", True),
        ("unverified_cso_member", False),
        ("requested_cso_member", False),
        ("university_member", False),
        ("researcher", False),
        ("anonymous", False),
    ],
)
def test_who_may_comment_on_a_call_in_consultation(consulting_call, member_of, researcher, who, allowed):
    from django.contrib.auth.models import AnonymousUser

    users = {
        "cso_member": lambda: member_of(Organisation.Kind.CIVIL_SOCIETY),
        "nhri_member": lambda: member_of(Organisation.Kind.NHRI),
        "unverified_cso_member": lambda: member_of(Organisation.Kind.CIVIL_SOCIETY, verified=False),
        "requested_cso_member": lambda: member_of(Organisation.Kind.CIVIL_SOCIETY, status=Membership.Status.REQUESTED),
        "university_member": lambda: member_of(Organisation.Kind.UNIVERSITY),
        "researcher": lambda: researcher,
        "anonymous": AnonymousUser,
    }
    ok, reason = can_comment(users[who](), consulting_call)

    assert ok is allowed
    assert bool(reason) is not allowed


def test_any_signed_in_user_may_comment_when_the_city_opens_it_to_all(consulting_call, researcher):
    consulting_call.consultation_open_to_all = True

    assert can_comment(researcher, consulting_call) == (True, "")


def test_nobody_may_comment_once_the_call_is_open(open_call, member_of):
    open_call.consultation_opens_at = open_call.opens_at - 10 * DAY
    open_call.consultation_questions = "Questions"

    ok, reason = can_comment(member_of(Organisation.Kind.CIVIL_SOCIETY), open_call)

    assert not ok
    assert "not in public consultation" in reason


def test_refused_comment_raises_with_the_reason(consulting_call, researcher):
    with pytest.raises(PermissionDenied, match="civil-society organisations"):
        consultation_comment_post(call=consulting_call, author=researcher, body="Hello")


def test_comment_waits_for_moderation_then_appears_with_the_city_response(client, consulting_call, member_of, city):
    _organisation, official = city
    author = member_of(Organisation.Kind.CIVIL_SOCIETY)
    client.force_login(author)

    response = client.post(f"/calls/{consulting_call.pk}/consultation/comment/", {"body": "Please include Gries."})

    assert response.status_code == 302
    comment = ConsultationComment.objects.get()
    assert comment.status == ConsultationComment.Status.PENDING
    assert comment.organisation.kind == Organisation.Kind.CIVIL_SOCIETY
    client.logout()
    assert "Please include Gries." not in client.get(consulting_call.url).content.decode()

    consultation_comment_moderate(comment=comment, by=official, publish=True)
    consultation_comment_respond(
        comment=comment, by=official, uptake=ConsultationComment.Uptake.TAKEN_UP, response="Gries is now covered."
    )

    page = client.get(consulting_call.url).content.decode()
    assert "Please include Gries." in page
    assert "Taken up by the city" in page
    assert "Gries is now covered." in page


def test_empty_comment_is_refused_in_the_page(client, consulting_call, member_of):
    client.force_login(member_of(Organisation.Kind.NHRI))

    response = client.post(f"/calls/{consulting_call.pk}/consultation/comment/", {"body": "   "})

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not ConsultationComment.objects.exists()


def test_comment_html_is_escaped(client, consulting_call, member_of, city):
    author = member_of(Organisation.Kind.CIVIL_SOCIETY)
    comment = consultation_comment_post(
        call=consulting_call, author=author, body="<script>alert('x')</script><b>hi</b>"
    )
    consultation_comment_moderate(comment=comment, by=city[1], publish=True)

    page = client.get(consulting_call.url).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b&gt;hi&lt;/b&gt;" in page


def test_only_the_city_or_a_coordinator_moderates(consulting_call, member_of, make_city, coordinator, city):
    comment = consultation_comment_post(
        call=consulting_call, author=member_of(Organisation.Kind.CIVIL_SOCIETY), body="A comment"
    )
    _other, other_official = make_city("Vienna")

    with pytest.raises(PermissionDenied):
        consultation_comment_moderate(comment=comment, by=other_official, publish=True)
    with pytest.raises(ValidationError):
        consultation_comment_moderate(comment=comment, by=coordinator, publish=False, reason="")

    consultation_comment_moderate(comment=comment, by=coordinator, publish=False, reason="Off topic")
    comment.refresh_from_db()
    assert comment.status == ConsultationComment.Status.REJECTED
    assert comment.moderation_reason == "Off topic"


def test_moderation_page_is_404_for_everyone_but_the_city(client, consulting_call, researcher, make_city, city):
    url = f"/calls/{consulting_call.pk}/consultation/"
    client.force_login(researcher)
    assert client.get(url).status_code == 404
    client.force_login(make_city("Vienna")[1])
    assert client.get(url).status_code == 404
    client.force_login(city[1])
    assert client.get(url).status_code == 200


def test_city_publishes_and_responds_from_the_moderation_page(client, consulting_call, member_of, city):
    comment = consultation_comment_post(
        call=consulting_call, author=member_of(Organisation.Kind.CIVIL_SOCIETY), body="Cover older tenants"
    )
    client.force_login(city[1])
    base = f"/calls/{consulting_call.pk}/consultation/{comment.pk}"

    refused = client.post(f"{base}/moderate/", {"decision": "reject", "reason": ""}, follow=True)
    assert "Say why the comment is not published." in refused.content.decode()
    client.post(f"{base}/moderate/", {"decision": "publish"})
    client.post(f"{base}/respond/", {"uptake": "not_taken_up", "response": "Out of scope this year."})

    comment.refresh_from_db()
    assert comment.status == ConsultationComment.Status.PUBLISHED
    assert comment.uptake == ConsultationComment.Uptake.NOT_TAKEN_UP
    assert comment.city_response == "Out of scope this year."


def test_eligible_reader_sees_the_comment_form_and_others_see_why_not(client, consulting_call, member_of, researcher):
    client.force_login(member_of(Organisation.Kind.CIVIL_SOCIETY))
    assert "Your comment on the draft questions" in client.get(consulting_call.url).content.decode()

    client.force_login(researcher)
    page = client.get(consulting_call.url).content.decode()
    assert "Your comment on the draft questions" not in page
    assert "Only members of verified civil-society organisations" in page
