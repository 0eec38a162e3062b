"""Registering organisations, asking to join them, and deciding who is a member."""

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

import pytest

from hub.models import Country
from profiles import services
from profiles.factories import MembershipFactory, OrganisationFactory, UserFactory
from profiles.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (emails) of whatever happens inside the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def org_admin(db):
    return UserFactory(email="admin@uni.example.org", account_type=User.AccountType.ORGANISATION)


@pytest.fixture
def organisation(org_admin, coordinator):
    registered = services.organisation_register(
        by=org_admin,
        name="Institute for Rights",
        kind=Organisation.Kind.RESEARCH_INSTITUTE,
        country=Country.objects.get(code="AT"),
    )
    return services.organisation_verify(organisation=registered, by=coordinator)


@pytest.fixture
def applicant(db):
    return UserFactory(email="applicant@example.org", first_name="Jo", last_name="Applicant")


def test_registering_an_organisation_makes_the_creator_its_approved_admin(client, org_admin):
    client.force_login(org_admin)

    response = client.post(
        "/organisations/new/",
        {
            "name": "Institute for Rights",
            "kind": "research_institute",
            "country": Country.objects.get(code="AT").pk,
            "time_zone": "UTC",
        },
    )

    organisation = Organisation.objects.get(name="Institute for Rights")
    assert response.status_code == 302
    assert response["Location"] == f"/organisations/{organisation.slug}/"
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.role, membership.status) == (
        org_admin,
        Membership.Role.ADMIN,
        Membership.Status.APPROVED,
    )
    assert organisation.created_by == org_admin
    assert not organisation.verified
    # Unverified organisations are visible to their own members only.
    assert client.get(f"/organisations/{organisation.slug}/").status_code == 200
    client.logout()
    assert client.get(f"/organisations/{organisation.slug}/").status_code == 404


def test_request_to_join_emails_the_organisations_admins(client, organisation, applicant, commit):
    client.force_login(applicant)

    with commit():
        response = client.post(f"/organisations/{organisation.slug}/join/", {"message": "I work in the housing team."})

    assert response.status_code == 302
    membership = Membership.objects.get(user=applicant, organisation=organisation)
    assert membership.status == Membership.Status.REQUESTED
    assert membership.role == Membership.Role.MEMBER
    [email] = mail.outbox
    assert email.to == ["admin@uni.example.org"]
    assert "Jo Applicant" in email.subject and "Institute for Rights" in email.subject
    assert "I work in the housing team." in email.body
    assert f"/organisations/{organisation.slug}/members/" in email.body


def test_admin_approves_a_request_and_the_applicant_is_told(client, organisation, org_admin, applicant, commit):
    membership = services.membership_request(user=applicant, organisation=organisation)
    mail.outbox.clear()
    client.force_login(org_admin)
    page = client.get(f"/organisations/{organisation.slug}/members/")
    assert page.status_code == 200
    assert b"applicant@example.org" in page.content

    with commit():
        response = client.post(
            f"/organisations/{organisation.slug}/members/",
            {"membership": membership.pk, "decision": "approve", "role": "member"},
        )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.decided_by == org_admin
    assert mail.outbox[-1].to == ["applicant@example.org"]
    assert "You are now a member of Institute for Rights" in mail.outbox[-1].subject


def test_admin_can_make_an_applicant_an_admin_on_approval(client, organisation, org_admin, applicant):
    membership = services.membership_request(user=applicant, organisation=organisation)
    client.force_login(org_admin)

    client.post(
        f"/organisations/{organisation.slug}/members/",
        {"membership": membership.pk, "decision": "approve", "role": "admin"},
    )

    membership.refresh_from_db()
    assert (membership.status, membership.role) == (Membership.Status.APPROVED, Membership.Role.ADMIN)


def test_admin_rejects_a_request_and_the_applicant_is_told(client, organisation, org_admin, applicant, commit):
    membership = services.membership_request(user=applicant, organisation=organisation)
    client.force_login(org_admin)

    with commit():
        client.post(f"/organisations/{organisation.slug}/members/", {"membership": membership.pk, "decision": "reject"})

    membership.refresh_from_db()
    assert membership.status == Membership.Status.REJECTED
    assert mail.outbox[-1].to == ["applicant@example.org"]
    assert "was not accepted" in mail.outbox[-1].body


def test_unreadable_decision_changes_nothing(client, organisation, org_admin, applicant):
    membership = services.membership_request(user=applicant, organisation=organisation)
    client.force_login(org_admin)

    response = client.post(
        f"/organisations/{organisation.slug}/members/", {"membership": membership.pk, "decision": "promote"}
    )

    assert response.status_code == 200
    assert b"That decision could not be read" in response.content
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REQUESTED


def test_plain_member_gets_404_on_the_members_page_and_cannot_approve(client, organisation, applicant):
    member = MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user
    pending = services.membership_request(user=applicant, organisation=organisation)
    client.force_login(member)

    assert client.get(f"/organisations/{organisation.slug}/members/").status_code == 404
    response = client.post(
        f"/organisations/{organisation.slug}/members/",
        {"membership": pending.pk, "decision": "approve", "role": "admin"},
    )

    assert response.status_code == 404
    pending.refresh_from_db()
    assert (pending.status, pending.role) == (Membership.Status.REQUESTED, Membership.Role.MEMBER)


def test_anonymous_visitor_is_sent_to_sign_in_from_the_members_page(client, organisation):
    response = client.get(f"/organisations/{organisation.slug}/members/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_of_one_organisation_cannot_approve_requests_of_another(
    client, organisation, org_admin, applicant, coordinator
):
    other_admin = UserFactory(email="admin@other.example.org")
    other = services.organisation_register(
        by=other_admin,
        name="Other Institute",
        kind=Organisation.Kind.RESEARCH_INSTITUTE,
        country=Country.objects.get(code="AT"),
    )
    other = services.organisation_verify(organisation=other, by=coordinator)
    pending_elsewhere = services.membership_request(user=applicant, organisation=other)
    client.force_login(org_admin)

    assert client.get(f"/organisations/{other.slug}/members/").status_code == 404
    # Posting another organisation's request through one's own page finds nothing either.
    response = client.post(
        f"/organisations/{organisation.slug}/members/", {"membership": pending_elsewhere.pk, "decision": "approve"}
    )
    assert response.status_code == 404
    pending_elsewhere.refresh_from_db()
    assert pending_elsewhere.status == Membership.Status.REQUESTED
    with pytest.raises(PermissionDenied):
        services.membership_decide(membership=pending_elsewhere, by=org_admin, approve=True)


def test_admin_cannot_approve_their_own_request(organisation, org_admin):
    # An admin whose membership was demoted and re-requested must not approve themself.
    own = Membership.objects.get(user=org_admin, organisation=organisation)
    second_admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user

    with pytest.raises(PermissionDenied, match="your own membership"):
        services.membership_decide(membership=own, by=org_admin, approve=True, role=Membership.Role.ADMIN)
    assert (
        services.membership_decide(membership=own, by=second_admin, approve=False).status == Membership.Status.REJECTED
    )


def test_self_approval_through_the_members_page_shows_a_message(client, organisation, org_admin):
    own = Membership.objects.get(user=org_admin, organisation=organisation)
    client.force_login(org_admin)

    response = client.post(
        f"/organisations/{organisation.slug}/members/", {"membership": own.pk, "decision": "reject"}, follow=True
    )

    assert response.status_code == 200
    assert b"You cannot decide on your own membership." in response.content
    own.refresh_from_db()
    assert own.status == Membership.Status.APPROVED


def test_applicant_may_ask_again_after_a_rejection(client, organisation, org_admin, applicant, commit):
    membership = services.membership_request(user=applicant, organisation=organisation)
    services.membership_decide(membership=membership, by=org_admin, approve=False)
    client.force_login(applicant)
    mail.outbox.clear()

    with commit():
        response = client.post(f"/organisations/{organisation.slug}/join/", {"message": "Second try."}, follow=True)

    assert b"was sent to its administrators" in response.content
    membership.refresh_from_db()
    assert membership.status == Membership.Status.REQUESTED
    assert membership.message == "Second try."
    assert membership.decided_by is None
    assert Membership.objects.filter(user=applicant, organisation=organisation).count() == 1
    assert mail.outbox[-1].to == ["admin@uni.example.org"]


def test_asking_twice_says_the_request_is_waiting(client, organisation, applicant):
    services.membership_request(user=applicant, organisation=organisation)
    client.force_login(applicant)

    response = client.post(f"/organisations/{organisation.slug}/join/", {}, follow=True)

    assert b"is waiting for a decision" in response.content
    assert Membership.objects.filter(user=applicant, organisation=organisation).count() == 1


def test_member_asking_to_join_again_is_told_they_already_belong(client, organisation, org_admin):
    client.force_login(org_admin)

    response = client.post(f"/organisations/{organisation.slug}/join/", {}, follow=True)

    assert b"You are already a member of Institute for Rights" in response.content
    assert Membership.objects.get(user=org_admin).role == Membership.Role.ADMIN


def test_admin_sees_pending_requests_on_the_dashboard(client, organisation, org_admin, applicant):
    services.membership_request(user=applicant, organisation=organisation)
    client.force_login(org_admin)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert list(response.context["pending_requests"].values_list("user__email", flat=True)) == ["applicant@example.org"]
    assert b"applicant@example.org" in response.content


def test_coordinator_can_decide_any_organisations_requests(organisation, applicant, coordinator):
    membership = services.membership_request(user=applicant, organisation=organisation)

    services.membership_decide(membership=membership, by=coordinator, approve=True)

    assert Membership.objects.get(pk=membership.pk).status == Membership.Status.APPROVED


def test_unverified_organisation_of_someone_else_cannot_be_joined(client, applicant):
    hidden = OrganisationFactory(name="Unverified Org")
    client.force_login(applicant)

    assert client.post(f"/organisations/{hidden.slug}/join/", {}).status_code == 404
    assert not Membership.objects.filter(user=applicant).exists()


def test_joining_requires_post(client, organisation, applicant):
    client.force_login(applicant)

    assert client.get(f"/organisations/{organisation.slug}/join/").status_code == 405


def test_duplicate_request_is_refused_by_the_service(organisation, applicant):
    services.membership_request(user=applicant, organisation=organisation)

    with pytest.raises(ValidationError):
        services.membership_request(user=applicant, organisation=organisation)
