"""People download their data and delete their account themselves."""

import json
import re

from playwright.sync_api import expect

from profiles.models import User
from tests.e2e.helpers import header, sign_in, submit_sign_in_form


def test_signed_in_user_downloads_their_data_as_json(page, researcher, password, tmp_path):
    sign_in(page, researcher.email, password)
    page.goto("/dashboard/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your data (JSON)").click()
    download = download_info.value
    assert download.suggested_filename == "bridges-personal-data.json"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["account"]["email"] == researcher.email
    assert data["researcher_profile"]["headline"] == researcher.researcher_profile.headline


def test_anonymous_visitor_cannot_download_anyones_data(page):
    page.goto("/dashboard/export/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/export/"))


def test_user_deletes_their_account_after_confirming_with_their_password(page, researcher, password):
    sign_in(page, researcher.email, password)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")

    main = page.get_by_role("main")
    main.get_by_label("Your password").fill("not-my-password")
    main.get_by_role("checkbox", name=re.compile(r"^I understand")).check()
    main.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("That password is not correct.")
    expect(header(page).get_by_role("button", name="Sign out")).to_be_visible()
    assert User.objects.filter(pk=researcher.pk).exists()

    main.get_by_label("Your password").fill(password)
    main.get_by_role("checkbox", name=re.compile(r"^I understand")).check()
    main.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account and personal data were deleted.")
    expect(header(page).get_by_role("link", name="Sign in")).to_be_visible()
    assert not User.objects.filter(pk=researcher.pk, is_active=True).exists()
    assert not User.objects.filter(email=researcher.email).exists()

    page.goto("/accounts/login/")
    submit_sign_in_form(page, researcher.email, password)
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"not correct", re.I))
    expect(header(page).get_by_role("link", name="Sign in")).to_be_visible()
