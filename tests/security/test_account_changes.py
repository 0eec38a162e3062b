"""Account changes go through allauth's verified steps, never through the Wagtail admin's own forms.

A city editor opens the admin's account screen (/admin/account/): it must not change their email address (allauth
sends a confirmation to the new address and changes nothing until it is followed) nor their password (allauth asks
for the old one, limits the attempts and signs out other sessions), and Wagtail's own password reset is gone. The
screen links to allauth's pages instead, and still saves the name and preferences. In the users admin, a superuser
can neither give an account an address its owner has not confirmed nor set its password.
"""

from django.core import mail
from django.core.cache import cache
from django.urls import reverse

import pytest
from allauth.account.models import EmailAddress

from profiles.factories import DEMO_PASSWORD, UserFactory
from profiles.mfa import totp_activate
from profiles.models import User

pytestmark = pytest.mark.django_db

NEW_EMAIL = "taken-over@attacker.example"
NEW_PASSWORD = "Lantern-Orchard-4471!"
ACCOUNT = "/admin/account/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate-limit counters live in the cache, which outlives each test's database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor(city):
    """Graz's official: an approved member of a verified city, in its editor group, with admin access."""
    return city[1]


@pytest.fixture
def superuser(db):
    user = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    totp_activate(user=user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return User.objects.get(pk=user.pk)


def _name_form(user: User, **changes) -> dict:
    """The account screen's form as a browser posts it (every panel at once)."""
    return {
        "name_email-first_name": user.first_name,
        "name_email-last_name": user.last_name,
        "name_email-email": user.email,
        "theme-theme": "system",
        "theme-contrast": "system",
        "theme-density": "default",
        **changes,
    }


def test_admin_account_screen_does_not_change_the_email_address(client, editor):
    client.force_login(editor)

    response = client.post(ACCOUNT, _name_form(editor, **{"name_email-email": NEW_EMAIL}))

    assert response.status_code in (200, 302)
    assert User.objects.get(pk=editor.pk).email == editor.email
    assert not EmailAddress.objects.filter(email=NEW_EMAIL).exists()


def test_admin_account_screen_does_not_change_the_password(client, editor):
    client.force_login(editor)

    response = client.post(
        ACCOUNT,
        {
            **_name_form(editor),
            "password-old_password": DEMO_PASSWORD,
            "password-new_password1": NEW_PASSWORD,
            "password-new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code in (200, 302)
    user = User.objects.get(pk=editor.pk)
    assert user.check_password(DEMO_PASSWORD)
    assert not user.check_password(NEW_PASSWORD)


def test_admin_account_screen_links_to_allauth_and_has_no_email_or_password_field(client, editor):
    client.force_login(editor)

    body = client.get(ACCOUNT).content.decode()

    for name in ("account_email", "account_change_password", "mfa_index"):
        assert f'href="{reverse(name)}"' in body, name
    assert editor.email in body  # the address one signs in with, shown, not editable
    assert 'name="name_email-email"' not in body
    assert 'name="password-new_password1"' not in body


def test_admin_account_screen_still_saves_the_name(client, editor):
    """The positive control: the screen works; the name changes as on the dashboard, and nothing else."""
    client.force_login(editor)

    response = client.post(ACCOUNT, _name_form(editor, **{"name_email-last_name": "Renamed"}))

    assert response.status_code == 302
    user = User.objects.get(pk=editor.pk)
    assert (user.last_name, user.email) == ("Renamed", editor.email)


@pytest.mark.parametrize(
    "url", ["/admin/password_reset/", "/admin/password_reset/done/", "/admin/password_reset/complete/"]
)
def test_wagtails_own_password_reset_is_gone(client, editor, url):
    """It would skip allauth's rate limits and its one reset flow; allauth's /accounts/password/reset/ remains."""
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": editor.email}).status_code == 404
    assert mail.outbox == []


def test_the_linked_email_change_waits_for_the_new_address_to_be_confirmed(client, editor):
    """The positive control of the route the admin links to: allauth mails the new address and changes nothing yet."""
    client.force_login(editor)

    response = client.post(reverse("account_email"), {"action_add": "", "email": "new.graz@example.org"})

    assert response.status_code == 302
    assert User.objects.get(pk=editor.pk).email == editor.email
    assert EmailAddress.objects.get(email="new.graz@example.org").verified is False
    assert [message.to for message in mail.outbox] == [["new.graz@example.org"]]


# --- the users admin ----------------------------------------------------------------------------


def _user_form(user: User, **changes) -> dict:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        **changes,
    }


@pytest.mark.parametrize("whose", ["another", "own"])
def test_superuser_cannot_give_an_account_an_unconfirmed_address(client, editor, superuser, whose):
    target = editor if whose == "another" else superuser
    client.force_login(superuser)

    response = client.post(
        reverse("wagtailusers_users:edit", args=[target.pk]), _user_form(target, email=NEW_EMAIL), follow=True
    )

    assert response.status_code == 200
    assert User.objects.get(pk=target.pk).email == target.email
    assert "only when its owner confirms" in response.content.decode()


def test_superuser_edits_the_rest_of_an_account(client, editor, superuser):
    """The positive control: the same form with the address unchanged saves."""
    client.force_login(superuser)

    response = client.post(reverse("wagtailusers_users:edit", args=[editor.pk]), _user_form(editor, last_name="Kept"))

    assert response.status_code == 302
    assert User.objects.get(pk=editor.pk).last_name == "Kept"


def test_superuser_cannot_set_a_password_in_the_users_admin(client, editor, superuser):
    client.force_login(superuser)
    url = reverse("wagtailusers_users:edit", args=[editor.pk])

    assert 'name="password1"' not in client.get(url).content.decode()
    client.post(url, _user_form(editor, password1=NEW_PASSWORD, password2=NEW_PASSWORD))

    assert User.objects.get(pk=editor.pk).check_password(DEMO_PASSWORD)


def test_a_password_change_through_allauth_tells_the_account_holder_by_email(client, editor):
    """allauth asks for the old password and notifies the owner, so a takeover does not go unnoticed."""
    client.force_login(editor)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": DEMO_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=editor.pk).check_password(NEW_PASSWORD)
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert "password" in mail.outbox[0].subject.lower()


def test_a_wrong_old_password_changes_nothing_and_sends_nothing(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert not User.objects.get(pk=editor.pk).check_password(NEW_PASSWORD)
    assert mail.outbox == []
