"""Hidden at once, everywhere: what a researcher hides is gone from every public channel on the next request.

No task worker runs here (the dummy task backend keeps what is enqueued and never runs it): search entries,
cached pages and fragments, the API, the CSV export and the bulk download must all follow the change made in
the researcher's own request. Before it, a worker had indexed the site and built the bulk zip, and the cached
pages were warm, as on a live site.
"""

import io
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wagtail.models import Site

import pytest
from PIL import Image as PILImage

from hub import bulk
from hub.models import SiteSettings
from hub.search.indexing import reconcile_all
from profiles.factories import OrganisationFactory, ResearcherProfileFactory
from profiles.models import ResearcherProfile, Visibility

pytestmark = pytest.mark.django_db

EDIT = "/dashboard/profile/"
NAME = ("Wendeline", "Quorthwaite")
AFFILIATION = "Institute of Vexillar Cartography"
BIO_WORD = "zyxbiomarker"


@pytest.fixture(autouse=True)
def _live_site(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.PAGE_CACHE_SECONDS = 300
    settings.AGGREGATE_CACHE_SECONDS = 300
    settings.SITE_BASE_URL = "http://testserver"
    settings.BULK_DOWNLOAD_ON_CHANGE = True  # a rebuild is enqueued, and never run: no worker
    settings.ELASTICSEARCH_URL = ""
    cache.clear()
    # The first page view creates the site settings row, which (being a change) invalidates; do it now.
    SiteSettings.for_site(Site.objects.get(is_default_site=True))
    yield
    cache.clear()


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (200, 200), "olive").save(buffer, format="PNG")
    return buffer.getvalue()


def _form(profile: ResearcherProfile, **changes) -> dict:
    data = {
        "headline": "Mapping housing rights",
        "career_stage": "early_career",
        "affiliation": str(profile.affiliation_id or ""),
        "orcid": "",
        "bio": profile.bio,
        "is_available": "on",
        "available_from": "",
        "is_public": "on",
        "edit_version": str(ResearcherProfile.objects.get(pk=profile.pk).edit_version),
        **{name: getattr(profile, name) for name in ResearcherProfile.VISIBILITY_FIELDS.values()},
        "languages-TOTAL_FORMS": "0",
        "languages-INITIAL_FORMS": "0",
        "publications-TOTAL_FORMS": "0",
        "publications-INITIAL_FORMS": "0",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.fixture
def researcher(django_capture_on_commit_callbacks):
    """A listed researcher with a public affiliation, biography and photo; the worker has indexed and zipped them."""
    organisation = OrganisationFactory(name=AFFILIATION, verified=True)
    profile = ResearcherProfileFactory(
        user__email="wendeline@example.org",
        user__first_name=NAME[0],
        user__last_name=NAME[1],
        affiliation=organisation,
        bio=f"I map {BIO_WORD} flags of tenants' unions.",
        is_public=True,
    )
    client = Client()
    client.force_login(profile.user)
    photo = SimpleUploadedFile("me.png", _png(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(EDIT, _form(profile, photo_upload=photo)).status_code == 302
    reconcile_all()  # what the worker did before it stopped
    bulk.build_now()
    return client, ResearcherProfile.objects.select_related("photo").get(pk=profile.pk)


def _photo_marker(profile: ResearcherProfile) -> str:
    """The name its files and addresses share (renditions start with the original's name, cut short)."""
    return Path(profile.photo.file.name).stem[:20]


def _search(client: Client, text: str) -> str:
    return client.get("/search/", {"q": text}).content.decode()


def _bulk_texts() -> list[str]:
    """What the bulk download gives anyone: at /data/bulk.zip and at its /media/ address (served by the proxy)."""
    texts = []
    response = Client().get("/data/bulk.zip")
    if response.status_code == 200:
        with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
            texts.append(" ".join(archive.read(name).decode() for name in archive.namelist()))
    else:
        assert response.status_code == 503 and response["Retry-After"]
    if bulk.zip_path().exists():
        with zipfile.ZipFile(bulk.zip_path()) as archive:
            texts.append(" ".join(archive.read(name).decode() for name in archive.namelist()))
    return texts


def _channels(profile: ResearcherProfile, query: str) -> dict[str, str]:
    """Everything an anonymous reader is shown: search, cached pages, API, CSV export, bulk download."""
    anonymous = Client()
    api = anonymous.get(f"/api/v1/researchers/{profile.pk}")
    export = anonymous.get("/researchers/export.csv")
    channels = {
        "search": _search(anonymous, query),
        "directory": anonymous.get("/researchers/").content.decode(),
        "profile page": anonymous.get(profile.get_absolute_url()).content.decode(),
        "api": api.content.decode(),
        "api list": anonymous.get("/api/v1/researchers/").content.decode(),
        "csv export": b"".join(export.streaming_content).decode(),
    }
    for n, text in enumerate(_bulk_texts()):
        channels[f"bulk download {n}"] = text
    return channels


def _warm(profile: ResearcherProfile, query: str) -> dict[str, str]:
    """Readers have just been shown the data: the page cache and the cached fragments hold it."""
    _channels(profile, query)  # the first views make the photo's renditions (a change: pages are cached after it)
    shown = _channels(profile, query)
    assert Client().get("/researchers/")["X-Cache"] == "HIT"
    return shown


def _showing(channels: dict[str, str], profile: ResearcherProfile, marker: str) -> set[str]:
    """The channels that show the hidden data; search shows it when the hidden word finds the researcher."""
    found = f'href="{profile.get_absolute_url()}"'
    return {name for name, text in channels.items() if (found if name == "search" else marker) in text}


# The change, the text that gives the hidden data away, the search query, and channels that never show it.
CASES = {
    "affiliation": ({"affiliation_visibility": Visibility.HIDDEN}, lambda p: AFFILIATION, "Vexillar", set()),
    "bio": ({"bio_visibility": Visibility.MEMBERS}, lambda p: BIO_WORD, BIO_WORD, {"directory"}),
    "photo": ({"photo_visibility": Visibility.MEMBERS}, _photo_marker, NAME[1], {"search"}),
    "whole profile": ({"is_public": None}, lambda p: NAME[1], NAME[1], set()),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_what_a_researcher_hides_is_gone_from_every_public_channel_on_the_next_request(
    researcher, django_capture_on_commit_callbacks, case
):
    client, profile = researcher
    changes, marker_of, query, elsewhere = CASES[case]
    marker = marker_of(profile)
    before = _warm(profile, query)
    channels = {"search", "directory", "profile page", "api", "api list", "csv export", "bulk download 0"}
    assert _showing(before, profile, marker) >= channels - elsewhere

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(EDIT, _form(profile, **changes)).status_code == 302

    assert _showing(_channels(profile, query), profile, marker) - elsewhere == set()
    if case == "photo":
        media = Path(settings.MEDIA_ROOT)
        assert not [p for p in media.rglob("*") if p.is_file() and marker in p.name]


def test_hiding_does_not_wait_for_the_search_task(researcher, django_capture_on_commit_callbacks):
    """The queued task is only the retry: the search answer changed before any worker could have run it."""
    client, profile = researcher
    assert NAME[1] in _search(Client(), BIO_WORD)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(EDIT, _form(profile, bio_visibility=Visibility.HIDDEN))

    assert NAME[1] not in _search(Client(), BIO_WORD)
    assert re.search(NAME[1], _search(Client(), NAME[1]))  # still listed, found by name
