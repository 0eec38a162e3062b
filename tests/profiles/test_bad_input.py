"""Bad input is answered in the form with a clear message; what was typed stays and nothing is stored."""

import io
import os
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

import pytest
from PIL import Image

from hub.models import Country
from profiles.factories import OrganisationFactory, UserFactory
from profiles.models import Membership, Organisation, User

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


def assert_shown(response, text: str) -> None:
    assert escape(text).encode() in response.content, f"{text!r} is not on the page"


def files_in_media_root() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# Signup -------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, message",
    [
        ("Ab1!xyz", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("73918462057731", "This password is entirely numeric."),
    ],
    ids=["too-short", "common", "numeric"],
)
def test_signup_with_a_weak_password_says_why_and_keeps_the_typed_details(client, password, message):
    response = client.post("/accounts/signup/", signup_data(password1=password, password2=password))

    assert response.status_code == 200
    assert message in response.context["form"].errors["password1"]
    assert_shown(response, message)
    assert b'value="ana.rivera@example.org"' in response.content
    assert b'value="Ana"' in response.content
    assert b'value="Rivera"' in response.content
    assert not User.objects.exists()
    assert mail.outbox == []


def test_signup_with_an_invalid_email_says_so_and_keeps_the_typed_details(client):
    response = client.post("/accounts/signup/", signup_data(email="ana.rivera-at-example.org"))

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert_shown(response, "Enter a valid email address.")
    assert b'value="ana.rivera-at-example.org"' in response.content
    assert b'value="Rivera"' in response.content
    assert not User.objects.exists()
    assert mail.outbox == []


def test_signup_with_mismatched_passwords_says_so(client):
    response = client.post("/accounts/signup/", signup_data(password2=STRONG_PASSWORD + "x"))

    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not User.objects.exists()


def test_signup_without_a_name_asks_for_it(client):
    response = client.post("/accounts/signup/", signup_data(first_name="", last_name=""))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "first_name" in errors and "last_name" in errors
    assert b'value="ana.rivera@example.org"' in response.content
    assert not User.objects.exists()


def test_signup_with_a_registered_email_creates_nothing_and_mails_the_owner_instead_of_saying_so(client):
    owner = UserFactory(email="ana.rivera@example.org", first_name="Original")

    response = client.post("/accounts/signup/", signup_data(email="Ana.Rivera@example.org", first_name="Intruder"))

    # The same "check your email" answer as a new signup: the page does not reveal the account.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.filter(email__iexact="ana.rivera@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.first_name == "Original"
    assert [message.to for message in mail.outbox] == [["ana.rivera@example.org"]]
    assert "_auth_user_id" not in client.session


# Organisations --------------------------------------------------------------


def organisation_data(**overrides) -> dict:
    data = {
        "name": "City of Graz",
        "kind": Organisation.Kind.LOCAL_GOVERNMENT,
        "country": Country.objects.get(code="AT").pk,
        "city": "Graz",
        "website": "https://www.graz.at",
        "description": "Europe's first Human Rights City.",
        "time_zone": "Europe/Vienna",
        "population": "290000",
        "hr_city_declaration_year": "2001",
        "hr_city_declaration_url": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def signed_in(client):
    user = UserFactory(email="founder@example.org", account_type=User.AccountType.ORGANISATION)
    client.force_login(user)
    return user


def png_bytes(size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def oversized_png_bytes() -> bytes:
    # Random pixels do not compress, so 1000×1000 RGB is about 3 MB: a real image over the 2 MB limit.
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000)).save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (32, 32), 1).save(buffer, "GIF")
    return buffer.getvalue()


def assert_no_organisation_stored():
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()
    assert files_in_media_root() == []


def test_registering_an_organisation_with_a_valid_logo_stores_it(client, signed_in):
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")

    response = client.post("/organisations/new/", organisation_data(logo=logo))

    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.logo.name.startswith("logos/")
    assert len(files_in_media_root()) == 1


def test_organisation_without_a_name_is_refused_with_a_clear_message(client, signed_in):
    response = client.post("/organisations/new/", organisation_data(name="   "))

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Please give the organisation's name."]
    assert_shown(response, "Please give the organisation's name.")
    assert b'value="Graz"' in response.content
    assert b'value="https://www.graz.at"' in response.content
    assert_shown(response, "Europe's first Human Rights City.")
    assert_no_organisation_stored()


@pytest.mark.parametrize("typed", ["city of graz", "CITY OF GRAZ", "  City of Graz  "])
def test_organisation_name_already_registered_in_any_case_is_refused(client, signed_in, typed):
    existing = OrganisationFactory(name="City of Graz", kind=Organisation.Kind.LOCAL_GOVERNMENT)

    response = client.post("/organisations/new/", organisation_data(name=typed))

    assert response.status_code == 200
    [message] = response.context["form"].errors["name"]
    assert "already registered" in message and "Ask to join it instead" in message
    assert_shown(response, message)
    assert b'value="https://www.graz.at"' in response.content
    assert list(Organisation.objects.all()) == [existing]
    assert not Membership.objects.exists()


def test_oversized_logo_is_refused_before_anything_is_stored(client, signed_in):
    data = oversized_png_bytes()
    assert len(data) > 2 * 1024 * 1024
    logo = SimpleUploadedFile("logo.png", data, content_type="image/png")

    response = client.post("/organisations/new/", organisation_data(logo=logo))

    assert response.status_code == 200
    [message] = response.context["form"].errors["logo"]
    assert "the limit is 2.0\xa0MB" in message
    assert "Please upload a smaller image." in message
    assert b'value="City of Graz"' in response.content
    assert_no_organisation_stored()


def test_logo_over_a_configured_limit_is_refused(client, signed_in, settings):
    settings.LOGO_MAX_BYTES = 100
    logo = SimpleUploadedFile("logo.png", png_bytes((40, 40)), content_type="image/png")
    assert logo.size > 100

    response = client.post("/organisations/new/", organisation_data(logo=logo))

    assert response.status_code == 200
    assert "the limit is 100" in response.context["form"].errors["logo"][0]
    assert_no_organisation_stored()


@pytest.mark.parametrize(
    "filename, content, content_type",
    [
        (
            "logo.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
            "application/pdf",
        ),
        ("logo.png", b"This is a text file pretending to be a PNG.\n" * 20, "image/png"),
    ],
    ids=["pdf", "text-named-png"],
)
def test_logo_that_is_not_an_image_is_refused(client, signed_in, filename, content, content_type):
    logo = SimpleUploadedFile(filename, content, content_type=content_type)

    response = client.post("/organisations/new/", organisation_data(logo=logo))

    assert response.status_code == 200
    errors = response.context["form"].errors["logo"]
    assert errors
    assert_shown(response, errors[0])
    assert b'value="City of Graz"' in response.content
    assert_no_organisation_stored()


def test_gif_logo_is_refused_although_it_is_a_real_image(client, signed_in):
    logo = SimpleUploadedFile("logo.gif", gif_bytes(), content_type="image/gif")

    response = client.post("/organisations/new/", organisation_data(logo=logo))

    assert response.status_code == 200
    assert response.context["form"].errors["logo"] == [
        "GIF images are not accepted. Please upload a PNG, JPEG or WebP image."
    ]
    assert_shown(response, "GIF images are not accepted.")
    assert_no_organisation_stored()


def test_gif_renamed_to_png_is_judged_by_content(client, signed_in):
    logo = SimpleUploadedFile("logo.png", gif_bytes(), content_type="image/png")

    response = client.post("/organisations/new/", organisation_data(logo=logo))

    assert response.status_code == 200
    assert "GIF images are not accepted" in response.context["form"].errors["logo"][0]
    assert_no_organisation_stored()


def test_editing_an_organisation_to_a_taken_name_is_refused(client, signed_in):
    from profiles.services import organisation_register

    OrganisationFactory(name="City of Graz")
    mine = organisation_register(
        by=signed_in,
        name="City of Linz",
        kind=Organisation.Kind.LOCAL_GOVERNMENT,
        country=Country.objects.get(code="AT"),
    )

    response = client.post(
        f"/organisations/{mine.slug}/edit/",
        organisation_data(name="city of GRAZ", city="Linz", edit_version=mine.edit_version),
    )

    assert response.status_code == 200
    assert "already registered" in response.context["form"].errors["name"][0]
    assert b'value="city of GRAZ"' in response.content
    mine.refresh_from_db()
    assert (mine.name, mine.city) == ("City of Linz", "")
