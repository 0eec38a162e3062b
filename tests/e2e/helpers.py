"""What a person does in the browser again and again: sign in, sign out, read the header."""

import re

from playwright.sync_api import Locator, Page, expect

PASSWORD_LABEL = re.compile(r"^password$", re.I)


def header(page: Page) -> Locator:
    return page.get_by_role("banner")


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the real form at /accounts/login/ and wait until the header says so."""
    page.goto("/accounts/login/")
    submit_sign_in_form(page, email, password)
    expect(header(page).get_by_role("button", name="Sign out")).to_be_visible()


def submit_sign_in_form(page: Page, email: str, password: str) -> None:
    main = page.get_by_role("main")
    main.get_by_label(re.compile(r"^e-?mail", re.I)).fill(email)
    main.get_by_label(PASSWORD_LABEL).fill(password)
    main.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()


def sign_out(page: Page) -> None:
    header(page).get_by_role("button", name="Sign out").click()
    expect(header(page).get_by_role("link", name="Sign in")).to_be_visible()
