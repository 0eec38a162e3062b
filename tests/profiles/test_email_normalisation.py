"""One mailbox, one account: variants of an address (case, accents, punycode domain) are one address everywhere."""

import importlib

from django.apps import apps as global_apps
from django.core import mail
from django.core.management import call_command

import pytest
from allauth.account.models import EmailAddress

from calls.factories import ProposalFactory, submit_for_tests
from calls.models import TeamMember
from calls.services.proposals import invitation_problem, proposal_start, team_invite
from calls.services.reviews import review_assign
from profiles.emails import normalise_email
from profiles.factories import ResearcherProfileFactory, UserFactory
from profiles.models import User
from profiles.visibility import account_for_address

pytestmark = pytest.mark.django_db

PASSWORD = "Kettle-Harbour-1987!"
ADDRESS = "ana@café.example"
VARIANTS = {
    "case": "Ana@CAFÉ.Example",
    "decomposed accent": "ana@cafe\u0301.example",
    "punycode domain": "ana@xn--caf-dma.example",
    "all at once": "ANA@XN--CAF-DMA.EXAMPLE",
}


@pytest.fixture
def lead(db):
    return ResearcherProfileFactory(user__email="lead@example.org").user


@pytest.fixture
def draft(open_call, lead):
    return proposal_start(call=open_call, by=lead, title="Older tenants")


def signup_data(email: str) -> dict:
    return {
        "first_name": "Ana",
        "last_name": "Rivera",
        "account_type": User.AccountType.RESEARCHER,
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


def accounts_of(address: str) -> int:
    canonical = normalise_email(address)
    return sum(1 for email in User.objects.values_list("email", flat=True) if normalise_email(email) == canonical)


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_variant_has_one_canonical_form(variant):
    assert normalise_email(variant) == normalise_email(ADDRESS) == "ana@café.example"


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_signing_up_with_a_variant_of_an_existing_address_creates_no_second_account(client, variant):
    existing = UserFactory(email=ADDRESS)
    mail.outbox.clear()

    response = client.post("/accounts/signup/", signup_data(variant))

    # The same answer as for a new address: nothing tells a stranger that the address has an account.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert accounts_of(ADDRESS) == 1
    assert list(EmailAddress.objects.values_list("user_id", flat=True)) == [existing.pk]
    # The owner of the mailbox is told that someone tried to sign up with it.
    assert [m.to for m in mail.outbox] == [[ADDRESS]]


def test_a_new_sign_up_stores_the_canonical_form(client):
    client.post("/accounts/signup/", signup_data(VARIANTS["all at once"]))

    assert User.objects.get().email == ADDRESS
    assert EmailAddress.objects.get().email == ADDRESS


def test_signing_up_twice_with_two_variants_makes_one_account(client):
    client.post("/accounts/signup/", signup_data(VARIANTS["punycode domain"]))
    client.post("/accounts/signup/", signup_data(VARIANTS["decomposed accent"]))

    assert User.objects.count() == 1


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_adding_a_variant_of_ones_own_address_is_refused_as_already_there(client, variant):
    user = UserFactory(email=ADDRESS)
    client.force_login(user)

    response = client.post("/accounts/email/", {"email": variant, "action_add": ""})

    assert response.status_code == 200
    assert "already" in response.content.decode()
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [ADDRESS]


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_signing_in_with_a_variant_reaches_the_account(client, variant):
    user = UserFactory(email=ADDRESS)
    user.set_password(PASSWORD)
    user.save()

    response = client.post("/accounts/login/", {"login": variant, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_an_account_is_found_by_any_variant(variant):
    user = UserFactory(email=ADDRESS)

    assert account_for_address(variant) == user


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_a_team_invitation_to_a_variant_reaches_the_owner_of_the_mailbox(client, draft, lead, variant):
    ana = UserFactory(email=ADDRESS)
    ResearcherProfileFactory(user=ana)

    member = team_invite(proposal=draft, by=lead, email=variant, name="Ana Rivera")

    assert member.email == ADDRESS
    assert invitation_problem(member, ana) == ""
    client.force_login(ana)
    assert draft.title in client.get("/dashboard/").content.decode()


def test_inviting_two_variants_of_one_address_is_one_invitation(draft, lead):
    team_invite(proposal=draft, by=lead, email=VARIANTS["punycode domain"], name="Ana Rivera")

    with pytest.raises(Exception, match="already on the team"):
        team_invite(proposal=draft, by=lead, email=VARIANTS["decomposed accent"], name="Ana Rivera")

    assert TeamMember.objects.filter(proposal=draft, email=ADDRESS).count() == 1


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_a_reviewer_invitation_to_a_variant_reaches_the_owner_of_the_mailbox(open_call, researcher, city, variant):
    _organisation, official = city
    ana = UserFactory(email=ADDRESS)
    ResearcherProfileFactory(user=ana)
    proposal = ProposalFactory(call=open_call, lead=researcher, title="Housing of older tenants")
    submit_for_tests(proposal)

    assignment = review_assign(proposal=proposal, reviewer_email=variant, by=official)

    assert assignment.reviewer == ana
    assert assignment.email == ADDRESS


def test_a_variant_of_the_leads_address_is_refused_as_a_reviewer(open_call, city):
    _organisation, official = city
    ana = UserFactory(email=ADDRESS)
    proposal = ProposalFactory(call=open_call, lead=ana, title="Housing of older tenants")
    submit_for_tests(proposal)

    with pytest.raises(Exception, match="on the proposal's team"):
        review_assign(proposal=proposal, reviewer_email=VARIANTS["decomposed accent"], by=official)


def _three_accounts_for_one_mailbox() -> list[User]:
    """What the old code allowed: one account per variant (written past the canonical form on purpose)."""
    users = []
    for n, address in enumerate([ADDRESS, VARIANTS["decomposed accent"], VARIANTS["punycode domain"]]):
        user = UserFactory(email=f"placeholder{n}@example.org")
        User.objects.filter(pk=user.pk).update(email=address)
        EmailAddress.objects.filter(user=user).update(email=address)
        users.append(user)
    return users


def test_email_collisions_lists_accounts_that_share_a_mailbox_and_merges_nothing(capsys):
    users = _three_accounts_for_one_mailbox()
    UserFactory(email="someone@example.org")

    call_command("email_collisions")

    out = capsys.readouterr().out
    assert "ana@café.example:" in out
    assert all(f"account {user.pk} " in out for user in users)
    assert "someone@example.org" not in out
    assert "1 mailbox(es) with more than one account" in out
    assert User.objects.count() == 4


def test_the_data_migration_reports_collisions_and_canonicalises_the_other_addresses(capsys):
    users = _three_accounts_for_one_mailbox()
    single = UserFactory(email="placeholder@example.org")
    User.objects.filter(pk=single.pk).update(email="Bea@XN--MNCHEN-3YA.DE")
    EmailAddress.objects.filter(user=single).update(email="Bea@XN--MNCHEN-3YA.DE")
    migration = importlib.import_module("profiles.migrations.0008_email_canonical_form")

    migration.canonical_addresses(global_apps, None)

    out = capsys.readouterr().out
    assert "Email collision (not merged) for ana@café.example" in out
    assert User.objects.count() == 4
    assert set(User.objects.filter(pk__in=[u.pk for u in users]).values_list("email", flat=True)) == {
        ADDRESS,
        VARIANTS["decomposed accent"],
        VARIANTS["punycode domain"],
    }
    single.refresh_from_db()
    assert single.email == "bea@münchen.de"
    assert EmailAddress.objects.get(user=single).email == "bea@münchen.de"
