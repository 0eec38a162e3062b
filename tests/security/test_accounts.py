"""Attacks on accounts: enumeration, rate-limit dodging, the admin's own sign-in form, open redirects,
session fixation and survival, a second factor for those who hold power, and poisoned email links."""

import re
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.test import Client

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY as TOTP_SESSION_SECRET

from profiles.demo import DEMO_TOTP_SECRET
from profiles.factories import DEMO_PASSWORD, ResearcherProfileFactory, UserFactory
from profiles.mfa import totp_code
from profiles.models import User
from profiles.services import COORDINATORS_GROUP

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Lantern-Orchard-4471!"
EVIL_TARGETS = [
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "http:evil.example",
]
MFA_ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters and used TOTP codes live in the cache, which outlives each test's database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    """A researcher who signs in with a password only."""
    return ResearcherProfileFactory(user__email="ana.rivera@example.org").user


def sign_in(client, email: str, password: str = DEMO_PASSWORD, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def assert_stays_on_site(location: str) -> None:
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil.example" not in location, location


# --- enumeration -------------------------------------------------------------------------------


def test_signup_with_a_taken_address_answers_like_a_new_one_and_mails_the_owner(client, member):
    fields = {"first_name": "Eve", "last_name": "Probe", "account_type": "researcher"}
    fields |= {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    fresh = client.post("/accounts/signup/", {**fields, "email": "someone.new@example.org"})
    client.logout()
    mail.outbox.clear()

    taken = client.post("/accounts/signup/", {**fields, "email": "ana.rivera@example.org"})

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert client.get(taken["Location"]).status_code == 200  # the same "check your email" page
    assert User.objects.filter(email__iexact="ana.rivera@example.org").count() == 1
    assert [message.to for message in mail.outbox] == [["ana.rivera@example.org"]]
    assert "/accounts/confirm-email/" not in mail.outbox[0].body  # told, not asked to confirm a second account


def test_sign_in_says_the_same_for_an_unknown_address_and_a_wrong_password(client, member):
    unknown = sign_in(client, "nobody@example.org", "Wrong-password-123")
    wrong = sign_in(client, "ana.rivera@example.org", "Wrong-password-123")

    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors


def test_password_reset_answers_alike_for_known_and_unknown_addresses(client, member):
    known = client.post("/accounts/password/reset/", {"email": "ana.rivera@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    reset_links = [m for m in mail.outbox if "/accounts/password/reset/key/" in m.body]
    assert [m.to for m in reset_links] == [["ana.rivera@example.org"]]


# --- rate limits -------------------------------------------------------------------------------


def test_failed_sign_ins_from_one_client_are_limited_even_with_a_new_forged_forwarded_for_each_time(client, member):
    refused_at = None
    for attempt in range(15):
        forged = f"203.0.113.{attempt + 1}"
        response = sign_in(client, f"guess{attempt}@example.org", "Wrong-password-123", HTTP_X_FORWARDED_FOR=forged)
        if response.status_code == 429 or b"Too many failed login attempts" in response.content:
            refused_at = attempt
            break

    assert refused_at is not None, "a forged X-Forwarded-For made every attempt count as a new client"
    assert refused_at <= 10
    # Even the right password, from "yet another" forged address, waits.
    sign_in(client, "ana.rivera@example.org", HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert signed_in_user_id(client) is None


def test_forwarded_for_is_not_trusted_unless_a_proxy_count_is_configured():
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER is None


# --- the Wagtail admin signs in through allauth ------------------------------------------------


def test_credentials_posted_to_the_admin_sign_in_form_sign_nobody_in(client, coordinator):
    response = client.post("/admin/login/", {"username": coordinator.email, "password": DEMO_PASSWORD})

    assert signed_in_user_id(client) is None
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_sends_anonymous_visitors_to_the_allauth_sign_in_with_next(client):
    response = client.get("/admin/pages/", follow=True)

    assert response.status_code == 200
    location = urlsplit(response.redirect_chain[-1][0])
    assert location.path == "/accounts/login/"
    assert parse_qs(location.query)["next"] == ["/admin/pages/"]


def test_signed_in_people_without_admin_access_are_told_so_without_a_redirect_loop(client, member):
    client.force_login(member)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert [url for url, _status in response.redirect_chain] == ["/admin/login/?next=/admin/"]
    assert "You do not have permission to access the admin." in response.content.decode()


def test_admin_sign_in_is_rate_limited_and_asks_for_the_second_factor(client, coordinator):
    response = client.post(
        "/accounts/login/?next=/admin/", {"login": coordinator.email, "password": DEMO_PASSWORD, "next": "/admin/"}
    )

    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/admin/").status_code == 302  # not signed in before the code


# --- open redirects ----------------------------------------------------------------------------


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_sign_in_never_redirects_off_site(client, member, target):
    response = client.post("/accounts/login/", {"login": member.email, "password": DEMO_PASSWORD, "next": target})

    assert signed_in_user_id(client) is not None
    assert_stays_on_site(response["Location"])


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_sign_out_never_redirects_off_site(client, member, target):
    client.force_login(member)

    response = client.post("/accounts/logout/", {"next": target})

    assert signed_in_user_id(client) is None
    assert_stays_on_site(response["Location"])


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_signup_never_redirects_off_site(client, target):
    response = client.post(
        "/accounts/signup/",
        {
            "first_name": "Ana",
            "last_name": "Nueva",
            "account_type": "researcher",
            "email": "ana.nueva@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "next": target,
        },
    )

    assert_stays_on_site(response["Location"])


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_language_switcher_never_redirects_off_site(client, target):
    response = client.post("/i18n/setlang/", {"language": "es", "next": target}, HTTP_REFERER=target)

    assert_stays_on_site(response["Location"])


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_admin_sign_in_redirect_keeps_next_on_site(client, target):
    response = client.get("/admin/login/", {"next": target})

    assert urlsplit(response["Location"]).path == "/accounts/login/"
    assert_stays_on_site(parse_qs(urlsplit(response["Location"]).query)["next"][0])


# --- sessions ----------------------------------------------------------------------------------


def test_signing_in_gives_a_new_session_key(client, member):
    session = client.session
    session["planted"] = "by an attacker who knows this key"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key

    sign_in(client, member.email)

    assert signed_in_user_id(client) is not None
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert not Session.objects.filter(session_key=before).exists()


def test_changing_the_password_signs_out_every_other_client_but_not_this_one(member):
    here, elsewhere = Client(), Client()
    sign_in(here, member.email)
    sign_in(elsewhere, member.email)
    assert elsewhere.get("/dashboard/").status_code == 200

    response = here.post(
        "/accounts/password/change/",
        {"oldpassword": DEMO_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert here.get("/dashboard/").status_code == 200
    assert elsewhere.get("/dashboard/").status_code == 302


def test_resetting_the_password_signs_out_every_client(member):
    elsewhere, reset = Client(), Client()
    sign_in(elsewhere, member.email)
    reset.post("/accounts/password/reset/", {"email": member.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[-1].body).group(1)
    form_url = reset.get(link)["Location"]

    reset.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert User.objects.get(pk=member.pk).check_password(NEW_PASSWORD)
    assert elsewhere.get("/dashboard/").status_code == 302


# --- two-factor authentication -----------------------------------------------------------------


def _without_totp(role: str) -> User:
    if role == "coordinator":
        user = UserFactory(email="new.coordinator@example.org", account_type=User.AccountType.ORGANISATION)
        user.groups.add(Group.objects.get(name=COORDINATORS_GROUP))
    elif role == "superuser":
        user = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    else:
        user = UserFactory(email="staff@example.org", is_staff=True)
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("role", ["coordinator", "superuser", "staff"])
@pytest.mark.parametrize("url", ["/admin/", "/dashboard/", "/researchers/"])
def test_powerful_accounts_without_an_authenticator_are_sent_to_set_one_up(client, role, url):
    client.force_login(_without_totp(role))

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == MFA_ACTIVATE
    page = client.get(MFA_ACTIVATE, follow=True)
    assert page.status_code == 200  # the activation page (or a password check first), no redirect loop
    assert "two-factor authentication" in page.content.decode()


def test_a_powerful_account_may_still_sign_out_and_manage_its_account_before_setting_up(client):
    client.force_login(_without_totp("coordinator"))

    assert client.get("/accounts/email/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert signed_in_user_id(client) is None


def test_researchers_are_not_forced_but_may_add_an_authenticator(client, member):
    sign_in(client, member.email)

    assert client.get("/dashboard/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200
    assert b"/accounts/2fa/" in client.get("/accounts/email/").content  # linked from the account pages
    assert client.get(MFA_ACTIVATE)["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": DEMO_PASSWORD})
    assert b"data:image/svg+xml;base64," in client.get(MFA_ACTIVATE).content  # the QR code to scan

    client.post(MFA_ACTIVATE, {"code": totp_code(client.session[TOTP_SESSION_SECRET])})

    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()


def test_coordinator_with_an_authenticator_must_give_the_right_code_to_sign_in(client, coordinator):
    response = sign_in(client, coordinator.email)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert signed_in_user_id(client) is None
    wrong = f"{(int(totp_code(DEMO_TOTP_SECRET)) + 1) % 1_000_000:06d}"
    refused = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert signed_in_user_id(client) is None

    accepted = client.post("/accounts/2fa/authenticate/", {"code": totp_code(DEMO_TOTP_SECRET)})

    assert accepted.status_code == 302
    assert int(signed_in_user_id(client)) == coordinator.pk
    assert client.get("/admin/").status_code == 200


def test_a_coordinator_cannot_switch_off_the_authenticator(client, coordinator):
    sign_in(client, coordinator.email)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(DEMO_TOTP_SECRET)})

    client.post("/accounts/2fa/totp/deactivate/")

    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()


# --- email links and the Host header -----------------------------------------------------------


@pytest.fixture
def forged_host(settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    settings.SITE_BASE_URL = "https://bridges.example"
    return "evil.example"


def test_password_reset_link_uses_the_configured_address_not_a_forged_host(client, member, forged_host):
    client.post("/accounts/password/reset/", {"email": member.email}, HTTP_HOST=forged_host)

    body = mail.outbox[-1].body
    assert "https://bridges.example/accounts/password/reset/key/" in body
    assert forged_host not in body


def test_signup_confirmation_link_uses_the_configured_address_not_a_forged_host(client, forged_host):
    client.post(
        "/accounts/signup/",
        {
            "first_name": "Ana",
            "last_name": "Nueva",
            "account_type": "researcher",
            "email": "ana.nueva@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        HTTP_HOST=forged_host,
    )

    body = mail.outbox[-1].body
    assert "https://bridges.example/accounts/confirm-email/" in body
    assert forged_host not in body


def test_taken_address_and_unknown_address_mails_link_to_the_configured_address(client, member, forged_host):
    fields = {"first_name": "E", "last_name": "P", "account_type": "researcher"}
    client.post(
        "/accounts/signup/",
        {**fields, "email": member.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_HOST=forged_host,
    )
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, HTTP_HOST=forged_host)

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "https://bridges.example/" in message.body
        assert forged_host not in message.body


def test_demo_coordinator_and_administrator_sign_in_with_the_code_the_command_prints(client):
    import random
    from io import StringIO

    from django.core.management import call_command

    from profiles import demo

    demo.seed(rng=random.Random(2021), stdout=StringIO())
    for email in ("coordinator@bridges.example", "admin@bridges.example"):
        assert Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).exists()
    output = StringIO()
    call_command("demo_totp_code", stdout=output)

    sign_in(client, "coordinator@bridges.example")
    client.post("/accounts/2fa/authenticate/", {"code": output.getvalue().strip()})

    assert client.get("/admin/").status_code == 200
