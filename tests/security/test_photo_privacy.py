"""A hidden photo is hidden: a photo shown to fewer people moves to a new address, its old files are gone at once,
and a photo not shown to everyone is sent only after the permission check, never from ``/media/``.

``/media/`` is served by the proxy straight from ``MEDIA_ROOT`` (README, deployment): ``_via_proxy`` reads a
``/media/`` address the way the proxy does. No task worker runs in these tests (the dummy task backend keeps
what is enqueued), so nothing here depends on one.
"""

import io
import re
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wagtail.images import get_image_model

import pytest
from PIL import Image as PILImage

from profiles.factories import DEMO_PASSWORD, ResearcherProfileFactory
from profiles.models import ResearcherProfile, Visibility

pytestmark = pytest.mark.django_db

EDIT = "/dashboard/profile/"
NOT_RUNNING = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _no_worker(settings):
    settings.TASKS = NOT_RUNNING


@pytest.fixture
def owner(db):
    profile = ResearcherProfileFactory(
        user__email="ottoline@example.org", user__first_name="Ottoline", user__last_name="Quarrender", is_public=True
    )
    return profile.user


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def member_client(db):
    client = Client()
    client.force_login(ResearcherProfileFactory(user__email="someone.signed.in@example.org").user)
    return client


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (320, 240), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def _form(**changes) -> dict:
    data = {
        "headline": "Housing rights",
        "career_stage": "early_career",
        "affiliation": "",
        "orcid": "",
        "bio": "",
        "is_available": "on",
        "available_from": "",
        "is_public": "on",
        "edit_version": str(
            ResearcherProfile.objects.order_by("-updated_at").values_list("edit_version", flat=True).first() or 1
        ),
        **{name: Visibility.PUBLIC for name in ResearcherProfile.VISIBILITY_FIELDS.values()},
        "availability_visibility": Visibility.MEMBERS,
        "languages-TOTAL_FORMS": "0",
        "languages-INITIAL_FORMS": "0",
        "publications-TOTAL_FORMS": "0",
        "publications-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def _save_profile(client, django_capture_on_commit_callbacks, **changes) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EDIT, _form(**changes))
    assert response.status_code == 302, response.content.decode()[:2000]


def _upload_photo(client, django_capture_on_commit_callbacks, level=Visibility.PUBLIC) -> None:
    photo = SimpleUploadedFile("me.png", _png(), content_type="image/png")
    _save_profile(client, django_capture_on_commit_callbacks, photo_upload=photo, photo_visibility=level)


def _profile(user) -> ResearcherProfile:
    return ResearcherProfile.objects.select_related("photo").get(user=user)


def _photo_srcs(html: str) -> list[str]:
    """The addresses of the researcher photos an HTML page shows."""
    tags = [tag for tag in re.findall(r"<img\b[^>]*>", html) if 'class="researcher-photo' in tag]
    return [re.search(r'\bsrc="([^"]+)"', tag).group(1).replace("&amp;", "&") for tag in tags]


def _addresses(owner, viewer: Client) -> set[str]:
    """Every address at which ``viewer`` is shown the owner's photo: profile page, directory card, API."""
    profile = _profile(owner)
    found = set(_photo_srcs(viewer.get(profile.get_absolute_url()).content.decode()))
    found |= set(_photo_srcs(viewer.get("/researchers/").content.decode()))
    api = viewer.get(f"/api/v1/researchers/{profile.pk}").json()
    if api.get("photo"):
        found.add(re.sub(r"^https?://[^/]+", "", api["photo"]))
    return found


def _via_proxy(address: str) -> bytes | None:
    """What the proxy answers for a ``/media/`` address: the file under MEDIA_ROOT, if there is one."""
    if not address.startswith(settings.MEDIA_URL):
        return None
    path = Path(settings.MEDIA_ROOT, address.removeprefix(settings.MEDIA_URL))
    return path.read_bytes() if path.is_file() else None


def _image_files(root) -> list[Path]:
    return [p for folder in ("original_images", "images") for p in Path(root, folder).glob("*") if p.is_file()]


def _rendition_rows(image_pk: int) -> int:
    return get_image_model().get_rendition_model().objects.filter(image_id=image_pk).count()


@pytest.mark.parametrize("level", [Visibility.MEMBERS, Visibility.HIDDEN])
def test_narrowing_a_public_photo_moves_it_to_a_new_address_and_deletes_every_old_file(
    owner, owner_client, django_capture_on_commit_callbacks, level
):
    _upload_photo(owner_client, django_capture_on_commit_callbacks)
    old = _profile(owner).photo
    published = _addresses(owner, Client())
    assert len(published) == 3  # page rendition, card rendition, original in the API
    assert all(_via_proxy(address) for address in published)
    assert _rendition_rows(old.pk) == 2

    _save_profile(owner_client, django_capture_on_commit_callbacks, photo_visibility=level)

    assert not any(_via_proxy(address) for address in published)
    assert _image_files(settings.MEDIA_ROOT) == []
    assert not get_image_model().objects.filter(pk=old.pk).exists()
    assert _rendition_rows(old.pk) == 0
    new = _profile(owner).photo
    assert new.pk != old.pk and Path(new.file.name).name != Path(old.file.name).name
    shown_to_owner = _addresses(owner, owner_client)
    assert shown_to_owner and not shown_to_owner & published
    assert not any(address.startswith(settings.MEDIA_URL) for address in shown_to_owner)
    for address in shown_to_owner:
        response = owner_client.get(address)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert _addresses(owner, Client()) == set()


def test_a_signed_in_only_photo_is_sent_to_signed_in_people_and_never_to_anyone_with_the_address(
    owner, owner_client, member_client, django_capture_on_commit_callbacks
):
    _upload_photo(owner_client, django_capture_on_commit_callbacks, level=Visibility.MEMBERS)
    photo = _profile(owner).photo

    assert _image_files(settings.MEDIA_ROOT) == []
    assert _image_files(settings.PRIVATE_MEDIA_ROOT)
    addresses = _addresses(owner, member_client)
    assert len(addresses) == 2  # page and card; the open data API shows public fields only
    addresses.add(photo.file.url)  # the original, as an attacker who learnt it would ask for it
    anonymous = Client()
    for address in addresses:
        assert not address.startswith(settings.MEDIA_URL)
        shown = member_client.get(address)
        assert shown.status_code == 200
        assert "private" in shown["Cache-Control"] and "no-store" in shown["Cache-Control"]
        assert anonymous.get(address).status_code == 404
        assert _via_proxy(f"{settings.MEDIA_URL}original_images/{Path(address).name}") is None
        assert _via_proxy(f"{settings.MEDIA_URL}images/{Path(address).name}") is None
    assert _addresses(owner, anonymous) == set()


def test_an_only_me_photo_is_sent_to_its_owner_alone(
    owner, owner_client, member_client, django_capture_on_commit_callbacks
):
    _upload_photo(owner_client, django_capture_on_commit_callbacks, level=Visibility.HIDDEN)

    addresses = _addresses(owner, owner_client) | {_profile(owner).photo.file.url}

    assert len(addresses) == 3
    for address in addresses:
        assert owner_client.get(address).status_code == 200
        assert member_client.get(address).status_code == 404
        assert Client().get(address).status_code == 404
    assert _addresses(owner, member_client) == set()


def test_unlisting_the_profile_closes_the_photo_address_to_everyone_but_the_owner(
    owner, owner_client, member_client, django_capture_on_commit_callbacks
):
    _upload_photo(owner_client, django_capture_on_commit_callbacks, level=Visibility.MEMBERS)
    address = _profile(owner).photo.file.url
    assert member_client.get(address).status_code == 200

    form = _form(photo_visibility=Visibility.MEMBERS)
    del form["is_public"]
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(EDIT, form).status_code == 302

    assert member_client.get(address).status_code == 404
    assert owner_client.get(address).status_code == 200


def test_showing_the_photo_to_everyone_again_moves_it_back_to_public_media_at_a_new_address(
    owner, owner_client, django_capture_on_commit_callbacks
):
    _upload_photo(owner_client, django_capture_on_commit_callbacks, level=Visibility.HIDDEN)
    private = _addresses(owner, owner_client)

    _save_profile(owner_client, django_capture_on_commit_callbacks, photo_visibility=Visibility.PUBLIC)

    public = _addresses(owner, Client())
    assert len(public) == 3 and not public & private
    assert all(_via_proxy(address) for address in public)
    assert _image_files(settings.PRIVATE_MEDIA_ROOT) == []
    for address in private:
        assert owner_client.get(address).status_code == 404


def test_the_photo_route_sends_no_other_file(owner, owner_client, django_capture_on_commit_callbacks):
    _upload_photo(owner_client, django_capture_on_commit_callbacks)
    public_name = _profile(owner).photo.file.name
    Path(settings.PRIVATE_MEDIA_ROOT, "proposals").mkdir(parents=True, exist_ok=True)
    Path(settings.PRIVATE_MEDIA_ROOT, "proposals", "secret.pdf").write_bytes(b"%PDF-1.4 secret")

    for name in (public_name, "proposals/secret.pdf", "images/../proposals/secret.pdf", "original_images/pvt-0000.png"):
        assert owner_client.get(f"/researchers/photos/{name}").status_code == 404, name


def test_deleting_the_account_deletes_a_hidden_photo_at_once(owner, owner_client, django_capture_on_commit_callbacks):
    _upload_photo(owner_client, django_capture_on_commit_callbacks, level=Visibility.HIDDEN)
    owner_client.get(_profile(owner).get_absolute_url())  # its page rendition exists now
    assert len(_image_files(settings.PRIVATE_MEDIA_ROOT) + _image_files(settings.MEDIA_ROOT)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/dashboard/delete/", {"password": DEMO_PASSWORD, "confirm": "on"})
    assert response.status_code == 302

    assert _image_files(settings.PRIVATE_MEDIA_ROOT) == []
    assert _image_files(settings.MEDIA_ROOT) == []


def test_photos_hidden_before_private_storage_existed_leave_public_media_on_migration(
    owner, owner_client, django_capture_on_commit_callbacks
):
    from importlib import import_module

    from django.apps import apps

    _upload_photo(owner_client, django_capture_on_commit_callbacks)
    published = _addresses(owner, Client())
    # As the site stored them until now: a photo made "only me" kept its public file.
    ResearcherProfile.objects.filter(user=owner).update(photo_visibility=Visibility.HIDDEN)

    with django_capture_on_commit_callbacks(execute=True):
        import_module("profiles.migrations.0007_private_photos").move_hidden_photos(apps, None)

    assert not any(_via_proxy(address) for address in published)
    assert _image_files(settings.MEDIA_ROOT) == []
    private = _addresses(owner, owner_client)
    assert len(private) == 2 and all(owner_client.get(address).status_code == 200 for address in private)
    assert all(Client().get(address).status_code == 404 for address in private)


def test_the_nightly_sweep_of_private_files_keeps_private_photos(
    owner, owner_client, django_capture_on_commit_callbacks
):
    import datetime as dt

    from calls.storage import orphaned_files

    _upload_photo(owner_client, django_capture_on_commit_callbacks, level=Visibility.MEMBERS)
    owner_client.get(_profile(owner).get_absolute_url())  # and a rendition
    stray = Path(settings.PRIVATE_MEDIA_ROOT, "images", "pvt-0000-left-by-a-killed-worker.png")
    stray.write_bytes(_png())

    assert orphaned_files(older_than=dt.timedelta(0)) == ["images/pvt-0000-left-by-a-killed-worker.png"]
