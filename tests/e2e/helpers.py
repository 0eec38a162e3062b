"""What a person does in the browser again and again: sign in, sign out, read the header."""

import re
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from playwright.sync_api import Locator, Page, expect

from profiles.mfa import totp_code

PASSWORD_LABEL = re.compile(r"^password$", re.I)
TOTP_PERIOD = 30


def header(page: Page) -> Locator:
    return page.get_by_role("banner")


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the real form at /accounts/login/ (with the authenticator code if asked) and
    wait until the header says so."""
    page.goto("/accounts/login/")
    submit_sign_in_form(page, email, password)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/2fa/authenticate/" in page.url:
        enter_totp_code(page, email)
    expect(header(page).get_by_role("button", name="Sign out")).to_be_visible()


def enter_totp_code(page: Page, email: str) -> None:
    """Type what the person's authenticator app shows; a code is good once, so a second sign-in
    within the same 30 seconds waits for the next one."""
    authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    for attempt in range(2):
        if attempt:
            time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 1)
        main = page.get_by_role("main")
        main.get_by_label(re.compile(r"^code", re.I)).fill(totp_code(secret))
        with page.expect_navigation():
            main.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
        if "/2fa/authenticate/" not in page.url:
            return


def submit_sign_in_form(page: Page, email: str, password: str) -> None:
    main = page.get_by_role("main")
    main.get_by_label(re.compile(r"^e-?mail", re.I)).fill(email)
    main.get_by_label(PASSWORD_LABEL).fill(password)
    main.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()


def sign_out(page: Page) -> None:
    header(page).get_by_role("button", name="Sign out").click()
    expect(header(page).get_by_role("link", name="Sign in")).to_be_visible()
