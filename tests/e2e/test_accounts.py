"""Signing up with a verified email, signing in and out, and what a wrong password gets."""

import re
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from profiles.models import ResearcherProfile, User
from tests.e2e.helpers import PASSWORD_LABEL, header, sign_in, sign_out, submit_sign_in_form

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"
CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+")


def _confirmation_link(mailoutbox, email: str) -> str:
    messages = [m for m in mailoutbox if email in m.to]
    assert messages, f"no email was sent to {email}"
    match = CONFIRMATION_LINK.search(messages[-1].body)
    assert match, messages[-1].body
    return match.group(0)


def test_researcher_signs_up_confirms_email_and_signs_in_again(page, mailoutbox):
    email = "ana.lopez@example.org"
    page.goto("/accounts/signup/")
    main = page.get_by_role("main")
    main.get_by_label("First name").fill("Ana")
    main.get_by_label("Last name").fill("López")
    main.get_by_role("group", name="I am joining as").get_by_role("radio", name=re.compile(r"^Researcher")).check()
    main.get_by_label(re.compile(r"^e-?mail", re.I)).fill(email)
    main.get_by_label(PASSWORD_LABEL).fill(NEW_PASSWORD)
    main.get_by_label(re.compile(r"^password \(again\)", re.I)).fill(NEW_PASSWORD)
    main.get_by_role("button", name=re.compile(r"^sign up$", re.I)).click()

    expect(page.get_by_role("heading", name=re.compile(r"verify your email", re.I))).to_be_visible()
    # Not signed in until the address is confirmed.
    expect(header(page).get_by_role("link", name="Sign in")).to_be_visible()
    user = User.objects.get(email=email)
    assert (user.first_name, user.last_name, user.account_type) == ("Ana", "López", User.AccountType.RESEARCHER)
    assert not EmailAddress.objects.get(user=user).verified

    # Email links point at the configured SITE_BASE_URL, not at the test's live server: follow the path.
    page.goto(urlsplit(_confirmation_link(mailoutbox, email)).path)
    page.get_by_role("main").get_by_role("button", name=re.compile(r"^confirm", re.I)).click()

    expect(header(page).get_by_role("button", name="Sign out")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ana")
    assert EmailAddress.objects.get(user=user).verified
    assert ResearcherProfile.objects.filter(user=user).exists()

    sign_out(page)
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/"))

    sign_in(page, email, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_wrong_password_is_refused_with_a_message(page, researcher, password):
    page.goto("/accounts/login/")
    submit_sign_in_form(page, researcher.email, "not-the-password")

    expect(page.get_by_role("main")).to_contain_text(re.compile(r"not correct", re.I))
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(header(page).get_by_role("link", name="Sign in")).to_be_visible()
    # What was typed stays, so that only the password needs retyping.
    expect(page.get_by_role("main").get_by_label(re.compile(r"^e-?mail", re.I))).to_have_value(researcher.email)

    submit_sign_in_form(page, researcher.email, password)
    expect(header(page).get_by_role("button", name="Sign out")).to_be_visible()
