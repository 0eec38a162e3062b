"""Signing up, verifying the email, signing in, and managing the account (django-allauth)."""

from django.conf import settings
from django.core import mail

import pytest
from allauth.account.models import EmailAddress

from profiles.factories import UserFactory
from profiles.models import ResearcherProfile, User

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "Kettle-Harbour-1987!"


def signup_data(**overrides) -> dict:
    data = {
        "first_name": "Ana",
        "last_name": "Rivera",
        "account_type": User.AccountType.RESEARCHER,
        "email": "ana.rivera@example.org",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
    }
    data.update(overrides)
    return data


def test_signup_sends_a_verification_email_and_keeps_the_user_signed_out(client):
    response = client.post("/accounts/signup/", signup_data())

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="ana.rivera@example.org")
    assert (user.first_name, user.last_name) == ("Ana", "Rivera")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana.rivera@example.org"]
    assert mail.outbox[0].subject.startswith("[Bridges]")
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert client.get("/dashboard/").status_code == 302


def test_unverified_user_cannot_sign_in_and_is_sent_a_new_verification_email(client):
    client.post("/accounts/signup/", signup_data())
    client.logout()
    mail.outbox.clear()

    response = client.post("/accounts/login/", {"login": "ana.rivera@example.org", "password": STRONG_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert client.get("/dashboard/").status_code == 302


def test_confirming_the_emailed_key_verifies_the_address_and_signs_the_user_in(client, link_in_last_email):
    client.post("/accounts/signup/", signup_data())
    confirm_url = link_in_last_email("/accounts/confirm-email/")

    assert client.get(confirm_url).status_code == 200  # a confirmation page, not a silent GET side effect
    assert not EmailAddress.objects.get(email="ana.rivera@example.org").verified
    response = client.post(confirm_url)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="ana.rivera@example.org").verified
    assert client.get("/dashboard/").status_code == 200


def test_verified_user_can_sign_in_with_email_and_password(client):
    user = UserFactory(email="ana.rivera@example.org")
    user.set_password(STRONG_PASSWORD)
    user.save()

    response = client.post("/accounts/login/", {"login": "Ana.Rivera@Example.org", "password": STRONG_PASSWORD})

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_researcher_signup_gets_a_researcher_profile(client):
    client.post("/accounts/signup/", signup_data())

    user = User.objects.get(email="ana.rivera@example.org")
    assert user.is_researcher
    assert ResearcherProfile.objects.filter(user=user).exists()


def test_organisation_member_signup_gets_no_researcher_profile(client):
    client.post("/accounts/signup/", signup_data(account_type=User.AccountType.ORGANISATION))

    user = User.objects.get(email="ana.rivera@example.org")
    assert not user.is_researcher
    assert not ResearcherProfile.objects.filter(user=user).exists()


def test_member_switching_to_researcher_on_account_page_gets_a_profile(client):
    user = UserFactory(account_type=User.AccountType.ORGANISATION)
    client.force_login(user)
    assert client.get("/dashboard/account/").status_code == 200

    response = client.post(
        "/dashboard/account/", {"first_name": "Ana", "last_name": "Rivera", "account_type": User.AccountType.RESEARCHER}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.account_type == User.AccountType.RESEARCHER
    assert user.get_full_name() == "Ana Rivera"
    assert ResearcherProfile.objects.filter(user=user).exists()
    assert client.get("/dashboard/profile/").status_code == 200


def test_account_page_refuses_an_unknown_account_type_and_keeps_the_name(client):
    user = UserFactory(account_type=User.AccountType.ORGANISATION, first_name="Old")
    client.force_login(user)

    response = client.post(
        "/dashboard/account/", {"first_name": "Ana", "last_name": "Rivera", "account_type": "wizard"}
    )

    assert response.status_code == 200
    assert "account_type" in response.context["form"].errors
    assert b'value="Ana"' in response.content
    user.refresh_from_db()
    assert (user.first_name, user.account_type) == ("Old", User.AccountType.ORGANISATION)


def test_account_pages_need_sign_in(client):
    for url in [
        "/dashboard/",
        "/dashboard/account/",
        "/dashboard/profile/",
        "/dashboard/export/",
        "/dashboard/delete/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_password_reset_sends_an_email_with_a_reset_link(client, link_in_last_email):
    UserFactory(email="ana.rivera@example.org")

    response = client.post("/accounts/password/reset/", {"email": "ana.rivera@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana.rivera@example.org"]
    reset_url = link_in_last_email("/accounts/password/reset/key/")
    assert client.get(reset_url, follow=True).status_code == 200


def test_password_reset_for_unknown_email_answers_as_for_a_known_one_and_sends_no_reset_link(client):
    UserFactory(email="ana.rivera@example.org")
    known = client.post("/accounts/password/reset/", {"email": "ana.rivera@example.org"})
    mail.outbox.clear()

    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    # The page must not tell whether the address has an account; only its owner's inbox does.
    assert (response.status_code, response["Location"]) == (known.status_code, known["Location"])
    assert all("/accounts/password/reset/key/" not in message.body for message in mail.outbox)


def test_adding_an_email_address_keeps_it_unverified_and_sends_a_confirmation(client):
    user = UserFactory(email="ana.rivera@example.org")
    client.force_login(user)
    mail.outbox.clear()

    response = client.post("/accounts/email/", {"email": "ana@new.example.org", "action_add": ""})

    assert response.status_code == 302
    added = EmailAddress.objects.get(user=user, email="ana@new.example.org")
    assert not added.verified
    assert not added.primary
    assert EmailAddress.objects.get(user=user, email="ana.rivera@example.org").primary
    user.refresh_from_db()
    assert user.email == "ana.rivera@example.org"  # the login changes only once the new address is confirmed
    assert mail.outbox[-1].to == ["ana@new.example.org"]


def test_rate_limits_are_switched_on():
    assert settings.ACCOUNT_RATE_LIMITS is not False
    assert "login_failed" in settings.ACCOUNT_RATE_LIMITS


def test_repeated_failed_sign_ins_for_one_email_are_refused(client):
    user = UserFactory(email="ana.rivera@example.org")
    user.set_password(STRONG_PASSWORD)
    user.save()

    refused = None
    for attempt in range(12):
        response = client.post("/accounts/login/", {"login": "ana.rivera@example.org", "password": f"wrong-{attempt}"})
        if response.status_code == 429 or b"Too many failed login attempts" in response.content:
            refused = attempt
            break

    assert refused is not None, "failed sign-ins were never limited"
    assert refused <= 10
    # Even the right password is refused while the limit lasts.
    response = client.post("/accounts/login/", {"login": "ana.rivera@example.org", "password": STRONG_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_confirming_a_new_email_address_makes_it_the_login(client, link_in_last_email):
    user = UserFactory(email="ana.rivera@example.org")
    client.force_login(user)
    client.post("/accounts/email/", {"email": "ana@new.example.org", "action_add": ""})

    client.post(link_in_last_email("/accounts/confirm-email/"))

    user.refresh_from_db()
    assert user.email == "ana@new.example.org"
    assert EmailAddress.objects.get(user=user, primary=True).email == "ana@new.example.org"


def test_account_emails_name_the_site_and_the_address(client):
    UserFactory(email="ana.rivera@example.org")

    client.post("/accounts/password/reset/", {"email": "ana.rivera@example.org"})

    body = mail.outbox[-1].body
    assert "Hello from !" not in body
    assert "Bridges" in body


@pytest.mark.parametrize(
    ("prefix", "heading"),
    [("", "Too many attempts — please wait a few minutes"), ("/fr", "Trop de tentatives : veuillez patienter")],
)
def test_too_many_sign_ins_from_one_address_get_the_sites_page_in_the_readers_language(
    client, settings, prefix, heading
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    statuses = []
    for attempt in range(3):
        response = client.post(f"{prefix}/accounts/login/", {"login": "nobody@example.org", "password": f"x{attempt}"})
        statuses.append(response.status_code)
    assert statuses == [200, 200, 429]
    page = response.content.decode()
    assert heading in page and 'href="/"' in page and "<main" in page
    assert "Nothing was sent or changed" in page or "Rien n’a été envoyé ni modifié" in page
