"""What a person does in the browser again and again: sign in, sign out, read the header."""

import functools
import os
import re
import time
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.utils import translation

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from playwright.sync_api import Locator, Page, expect

from profiles.mfa import totp_code

PASSWORD_LABEL = re.compile(r"^password$", re.I)
TOTP_PERIOD = 30


def header(page: Page) -> Locator:
    return page.get_by_role("banner")


def sign_in(page: Page, email: str, password: str, *, through_form: bool = False) -> None:
    """Sign in and land on the dashboard, where the header says so.

    ``through_form``: through the real form at /accounts/login/ (with the authenticator code if asked), as the
    tests of signing in do. Otherwise the browser gets the session cookie of a sign-in made on the server with the
    same password (a flow under test starts signed in, without the form's round trips nor waiting for the next
    authenticator code).
    """
    if through_form:
        page.goto("/accounts/login/")
        submit_sign_in_form(page, email, password)
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        if "/2fa/authenticate/" in page.url:
            enter_totp_code(page, email)
    else:
        client = Client()
        assert client.login(email=email, password=password), f"{email} cannot sign in with that password"
        session = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": session.key, "value": session.value, "url": settings.SITE_BASE_URL}])
        page.goto("/dashboard/")
    expect(header(page).get_by_role("button", name="Sign out")).to_be_visible()


def set_slug(page: Page, slug: str) -> None:
    """Set the page's slug (on the "Promote" tab) as a script would, after every other field: Wagtail's slug follows
    the title through a debounced script, which on a loaded machine can still be writing when the form is sent."""
    page.wait_for_timeout(300)
    page.locator('input[name="slug"]').evaluate(
        "(field, slug) => { field.value = slug; field.dispatchEvent(new Event('change', {bubbles: true})); }", slug
    )


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


# Walks in several languages (tests/e2e/test_walks_i18n.py) -------------------------------------------------------

ARTIFACTS_DIR = Path(os.environ.get("E2E_ARTIFACTS_DIR") or Path(__file__).resolve().parents[2] / "test-artifacts")
LANGUAGES = ("en", "es", "fr")
# What a person reads as the site's own headings, buttons and labels: untranslated English there is a visible defect.
# Not the h1 (usually the title of a call, a result or a Wagtail page: content) nor table cells (data).
CHROME_SELECTOR = "main h2, main h3, main button, main .button, main label, main legend, header a"


def localised(language: str, path: str) -> str:
    """``/dashboard/`` → ``/es/dashboard/``; English has no prefix."""
    return path if language == "en" else f"/{language}{path}"


def words(language: str, text: str, context: str | None = None) -> str:
    """The site's own wording in ``language`` (English where the catalogue has nothing yet)."""
    with translation.override(language):
        return translation.pgettext(context, text) if context else translation.gettext(text)


@functools.cache
def translated_english(language: str) -> frozenset[str]:
    """The English messages that ``language``'s catalogues translate differently: seen as they are on a page of that
    language, they are a string that escaped translation."""
    with translation.override(language):
        catalog = translation.trans_real.translation(language)._catalog
        found, native = set(), set()
        for key, value in catalog.items():
            if isinstance(key, tuple) or not isinstance(value, str):
                continue  # plural forms: their singular is checked through its own key when it has one
            english = key.split("\x04", 1)[-1]
            native.add(value.strip())
            if value and value != english and re.search(r"[A-Za-z]{3}", english) and "%" not in english:
                found.add(english.strip())
    # A word both languages spell alike ("Note", "Description") is no leftover when the language uses it too.
    return frozenset(found - native)


def english_leftovers(page: Page, language: str) -> list[str]:
    """Headings, buttons, labels and header links of the page that read as untranslated English."""
    if language == "en":
        return []
    texts = page.locator(CHROME_SELECTOR).evaluate_all(
        # Visible, and not marked as another language (the language switcher names each language in itself).
        "(nodes) => nodes.filter((n) => n.offsetParent !== null && n.closest('[lang]') === document.documentElement)"
        ".map((n) => n.innerText.trim())"
    )
    english = translated_english(language)
    return sorted({text for text in texts if text in english})


class Walk:
    """One role's walk through a flow in one language: each step checks the page's language and its words and keeps
    a screenshot under ``E2E_ARTIFACTS_DIR/walks/<walk>/``."""

    def __init__(self, name: str, language: str):
        self.name, self.language, self.count = name, language, 0
        self.folder = ARTIFACTS_DIR / "walks" / name
        self.folder.mkdir(parents=True, exist_ok=True)

    def step(self, page: Page, label: str, *, check_words: bool = True) -> None:
        self.count += 1
        if not page.url.split("?")[0].rstrip("/").split("/", 3)[-1].startswith("admin"):
            expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{self.language}"))
            if check_words:
                leftovers = english_leftovers(page, self.language)
                assert leftovers == [], f"{label}: untranslated on {page.url}: {leftovers}"
        page.screenshot(path=str(self.folder / f"{self.language}-{self.count:02d}-{label}.png"), full_page=True)


def close_date_pickers(page) -> None:
    """Close the Wagtail editor's date pickers (opened by filling a date field): they cover the footer's menu."""
    page.keyboard.press("Escape")
    page.locator('input[name="title"]').click()
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(0)
