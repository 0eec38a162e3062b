"""Privacy: private pages stay out of shared caches, and a deleted account leaves no personal data behind."""

import io
import os

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.test import Client

from wagtail.images import get_image_model

import pytest
from PIL import Image as PILImage

from hub.search.indexing import sync
from hub.search.models import SearchEntry
from profiles.factories import DEMO_PASSWORD, ResearcherProfileFactory
from profiles.models import ResearcherProfile, User

pytestmark = pytest.mark.django_db

NAME = ("Zephyrine", "Quillfeather")  # a name no fixture or demo text contains


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def directives(response) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_private(response, url: str = "") -> None:
    found = directives(response)
    assert {"private", "no-store"} <= found, (url, response.get("Cache-Control"))
    assert "public" not in found and "s-maxage" not in found, (url, response.get("Cache-Control"))


# --- Cache-Control -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/dashboard/", "/dashboard/account/", "/dashboard/profile/", "/dashboard/export/", "/accounts/email/", "/"]
)
def test_every_page_for_a_signed_in_researcher_is_private_and_not_stored(client, researcher, url):
    client.force_login(researcher)

    response = client.get(url)

    assert response.status_code == 200, url
    assert_private(response, url)


def test_admin_pages_for_a_coordinator_are_private_and_not_stored(client, coordinator):
    client.force_login(coordinator)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert_private(response)


def test_a_view_that_says_public_is_made_private_for_a_signed_in_person(client, researcher):
    assert "public" in directives(client.get("/robots.txt"))  # anonymous visitors keep the shared cache
    client.force_login(researcher)

    assert_private(client.get("/robots.txt"))


def test_the_answer_that_starts_a_session_is_private(client, researcher):
    response = client.post("/accounts/login/", {"login": researcher.email, "password": DEMO_PASSWORD})

    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert_private(response)


def test_a_page_in_the_anonymous_page_cache_is_still_private_for_a_signed_in_person(client, researcher, settings):
    from wagtail.models import Site

    from hub.models import SiteSettings

    SiteSettings.for_site(Site.objects.get(is_default_site=True))  # created by the first view otherwise
    settings.PAGE_CACHE_SECONDS = 300
    client.get("/")
    assert client.get("/").get("X-Cache") == "HIT"  # the page is in the anonymous cache now
    client.force_login(researcher)

    assert_private(client.get("/"))


def test_the_private_cache_header_wraps_the_anonymous_page_cache():
    # Outermost: it must see (and may override) whatever a page cache inside it replays or stores.
    middleware = settings.MIDDLEWARE
    ours = middleware.index("hub.middleware.PrivateCacheControlMiddleware")
    caches = [i for i, name in enumerate(middleware) if "cache" in name.lower() and "PrivateCacheControl" not in name]
    assert all(ours < index for index in caches)
    assert ours < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")


# --- account deletion --------------------------------------------------------------------------


def _photo(profile: ResearcherProfile):
    buffer = io.BytesIO()
    PILImage.new("RGB", (120, 80), "teal").save(buffer, format="PNG")
    image = get_image_model()(title=f"Photo of {' '.join(NAME)}")
    image.file.save("quillfeather.png", ImageFile(buffer, name="quillfeather.png"), save=False)
    image.save()
    rendition = image.get_rendition("fill-60x60")
    profile.photo = image
    profile.save()
    return image.file.path, rendition.file.path


@pytest.fixture
def person(db):
    profile = ResearcherProfileFactory(
        user__email="zephyrine@example.org", user__first_name=NAME[0], user__last_name=NAME[1], is_public=True
    )
    return User.objects.get(pk=profile.user.pk)


def _delete_account(client) -> None:
    response = client.post("/dashboard/delete/", {"password": DEMO_PASSWORD, "confirm": "on"})
    assert response.status_code == 302


def test_deleting_an_account_removes_the_photo_and_its_renditions_from_disk(
    client, person, django_capture_on_commit_callbacks
):
    original, rendition = _photo(person.researcher_profile)
    assert os.path.exists(original) and os.path.exists(rendition)
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        _delete_account(client)

    assert not os.path.exists(original)
    assert not os.path.exists(rendition)
    assert not get_image_model().objects.filter(title__contains=NAME[1]).exists()


def test_deleting_an_account_ends_every_session_of_it(person):
    here, phone, laptop = Client(), Client(), Client()
    for device in (here, phone, laptop):
        device.force_login(person)
    assert _sessions_of(person) == 3

    _delete_account(here)

    assert _sessions_of(person) == 0
    assert phone.get("/dashboard/").status_code == 302


def _sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if str(s.get_decoded().get(SESSION_KEY)) == str(user.pk))


def test_deleting_an_account_removes_its_authenticator_app(client, coordinator):
    from allauth.mfa.models import Authenticator

    assert Authenticator.objects.filter(user=coordinator).exists()
    client.force_login(coordinator)

    _delete_account(client)

    assert not Authenticator.objects.filter(user=coordinator).exists()


def test_a_deleted_researcher_cannot_be_found_anywhere(client, person):
    sync("researcher", person.researcher_profile.pk)
    profile_id = person.researcher_profile.pk
    places = {
        "directory": "/researchers/",
        "search": f"/search/?q={NAME[1]}",
        "api": "/api/v1/researchers/",
        "csv": "/researchers/export.csv",
    }

    def shows_the_name(url):
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if url.startswith("/search/"):  # the page repeats the query itself: look for a result instead
            return f"/researchers/{profile_id}/".encode() in content
        return NAME[1].encode() in content

    assert SearchEntry.objects.filter(kind="researcher", object_id=str(profile_id)).exists()
    assert {place: shows_the_name(url) for place, url in places.items()} == dict.fromkeys(places, True)
    client.force_login(person)
    _delete_account(client)
    cache.clear()  # a page cache must not hide the answer either way

    assert not SearchEntry.objects.filter(kind="researcher", object_id=str(profile_id)).exists()
    assert {place: shows_the_name(url) for place, url in places.items()} == dict.fromkeys(places, False)
    assert client.get(f"/researchers/{profile_id}/").status_code == 404
    assert client.get(f"/api/v1/researchers/{profile_id}").status_code == 404


def test_a_deleted_account_cannot_sign_in_and_is_told_nothing_more_than_for_an_unknown_one(client, person):
    client.force_login(person)
    _delete_account(client)

    deleted = client.post("/accounts/login/", {"login": "zephyrine@example.org", "password": DEMO_PASSWORD})
    unknown = client.post("/accounts/login/", {"login": "never.existed@example.org", "password": DEMO_PASSWORD})

    assert client.session.get(SESSION_KEY) is None
    assert deleted.status_code == unknown.status_code == 200
    assert deleted.context["form"].errors == unknown.context["form"].errors
