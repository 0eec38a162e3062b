"""Images, documents and choosers in the real Wagtail admin: each city's editors see and use only their own media.

Every verified city has an editor group whose collection permissions cover its own collection (profiles/services.py).
Here an editor of Graz attacks what Linz uploaded: the image and document listings and choosers (with a search and a
``collection_id`` pointing at Linz's collection), the admin API, the edit, delete, usage and preview URLs, and the
upload forms with Linz's collection in the form. The researchers' photos and the coordinators' "Method tools"
collection are out of every city's reach, and the organisation chooser names only organisations the viewer may see.

Each item's title and file name carry a marker word; a listing passes when the marker of what the viewer must not see
is absent and the marker of a twin it must see is present (so that an empty or broken page does not pass).
"""

import io
from types import SimpleNamespace

from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

import pytest
from PIL import Image as PILImage

from profiles.factories import OrganisationFactory
from profiles.models import Organisation
from profiles.services import photo_collection
from projects.setup import method_tools_collection

pytestmark = pytest.mark.django_db

WORD = "quokkaridge"  # in every title, so one search matches both cities' items
GRAZ_IMAGE, LINZ_IMAGE = "zqgrazimagexv", "zqlinzimagexv"
GRAZ_DOCUMENT, LINZ_DOCUMENT = "zqgrazdocumentxv", "zqlinzdocumentxv"
PHOTO, TOOL = "zqhiddenphotoxv", "zqpendingtoolxv"
UNVERIFIED, VERIFIED = "zqunverifiedorgxv", "zqverifiedorgxv"
FOREIGN = (LINZ_IMAGE, LINZ_DOCUMENT, PHOTO, TOOL)  # nothing a Graz editor may see or choose
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _png() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def _image(marker: str, collection: Collection):
    image = get_image_model()(title=f"Town hall {WORD} {marker}", collection=collection)
    image.file.save(f"{marker}.png", ImageFile(io.BytesIO(_png()), name=f"{marker}.png"), save=False)
    image.save()
    return image


def _document(marker: str, collection: Collection):
    document = get_document_model()(title=f"Council decision {WORD} {marker}", collection=collection)
    document.file.save(f"{marker}.pdf", SimpleUploadedFile(f"{marker}.pdf", PDF), save=False)
    document.save()
    return document


def _city_collection(organisation: Organisation) -> Collection:
    """The collection the city's editor group holds its permissions on."""
    return Collection.objects.filter(group_permissions__group=organisation.editor_group).distinct().get()


@pytest.fixture
def world(make_city):
    """Graz and Linz with one image and one document each, a researcher's photo, a proposed tool's file and an
    unverified organisation."""
    graz, graz_editor = make_city("Graz")
    linz, linz_editor = make_city("Linz")
    graz_collection, linz_collection = _city_collection(graz), _city_collection(linz)
    return SimpleNamespace(
        graz=graz,
        linz=linz,
        graz_editor=graz_editor,
        linz_editor=linz_editor,
        graz_collection=graz_collection,
        linz_collection=linz_collection,
        graz_image=_image(GRAZ_IMAGE, graz_collection),
        linz_image=_image(LINZ_IMAGE, linz_collection),
        graz_document=_document(GRAZ_DOCUMENT, graz_collection),
        linz_document=_document(LINZ_DOCUMENT, linz_collection),
        photo=_image(PHOTO, photo_collection()),
        tool=_document(TOOL, method_tools_collection()),
        unverified=OrganisationFactory(name=f"Institute {WORD} {UNVERIFIED}", verified=False),
        verified=OrganisationFactory(name=f"University {WORD} {VERIFIED}", verified=True),
    )


def _refused(response) -> bool:
    """A 403 or 404, or Wagtail's redirect to the admin dashboard (with its "permission denied" message)."""
    if response.status_code in (403, 404):
        return True
    if response.status_code == 302:
        location = response["Location"]
        return location.rstrip("/").endswith("/admin") or "/login" in location
    return False


def _body(response) -> str:
    return response.content.decode()


def _shown(response, *markers: str) -> list[str]:
    """The markers the response shows."""
    body = _body(response)
    return [marker for marker in markers if marker in body]


# --- listings and choosers ----------------------------------------------------------------------

IMAGE_LISTINGS = [
    reverse("wagtailimages:index"),
    reverse("wagtailimages:index_results"),
    reverse("wagtailimages:index") + f"?q={WORD}",
    reverse("wagtailimages:index_results") + f"?q={WORD}",
    reverse("wagtailimages_chooser:choose"),
    reverse("wagtailimages_chooser:choose_results"),
    reverse("wagtailimages_chooser:choose") + f"?q={WORD}",
    reverse("wagtailimages_chooser:choose_results") + f"?q={WORD}",
    "/admin/api/main/images/",
    f"/admin/api/main/images/?search={WORD}",
]
DOCUMENT_LISTINGS = [
    reverse("wagtaildocs:index"),
    reverse("wagtaildocs:index_results"),
    reverse("wagtaildocs:index") + f"?q={WORD}",
    reverse("wagtaildocs:index_results") + f"?q={WORD}",
    reverse("wagtaildocs_chooser:choose"),
    reverse("wagtaildocs_chooser:choose_results"),
    reverse("wagtaildocs_chooser:choose") + f"?q={WORD}",
    reverse("wagtaildocs_chooser:choose_results") + f"?q={WORD}",
    "/admin/api/main/documents/",
    f"/admin/api/main/documents/?search={WORD}",
]


@pytest.mark.parametrize(
    ("url", "own"),
    [(url, GRAZ_IMAGE) for url in IMAGE_LISTINGS] + [(url, GRAZ_DOCUMENT) for url in DOCUMENT_LISTINGS],
)
def test_city_editor_lists_and_chooses_only_their_own_citys_media(client, world, url, own):
    client.force_login(world.graz_editor)

    response = client.get(url)

    assert response.status_code == 200, (url, response.status_code)
    assert own in _body(response), url
    assert _shown(response, *FOREIGN) == [], url


@pytest.mark.parametrize("url", [u for u in IMAGE_LISTINGS + DOCUMENT_LISTINGS if "/api/" not in u])
def test_collection_filter_pointing_at_another_city_shows_nothing_of_it(client, world, url):
    client.force_login(world.graz_editor)
    separator = "&" if "?" in url else "?"
    probes = [world.linz_collection.pk, photo_collection().pk, method_tools_collection().pk]

    for collection_id in probes:
        response = client.get(f"{url}{separator}collection_id={collection_id}")
        assert response.status_code in (200, 302, 400, 403, 404), (url, collection_id, response.status_code)
        assert _shown(response, *FOREIGN) == [], (url, collection_id)
        assert world.linz_collection.name not in _body(response), (url, collection_id)


def test_another_city_sees_the_twins_the_listings_hide(client, world):
    """The positive control: Linz's editor finds Linz's items where Graz's editor found nothing of them."""
    client.force_login(world.linz_editor)
    for url, marker in [
        (reverse("wagtailimages:index"), LINZ_IMAGE),
        (reverse("wagtailimages_chooser:choose") + f"?collection_id={world.linz_collection.pk}", LINZ_IMAGE),
        (reverse("wagtaildocs:index"), LINZ_DOCUMENT),
        (reverse("wagtaildocs_chooser:choose"), LINZ_DOCUMENT),
        ("/admin/api/main/images/", LINZ_IMAGE),
        ("/admin/api/main/documents/", LINZ_DOCUMENT),
    ]:
        response = client.get(url)
        assert response.status_code == 200 and marker in _body(response), url
        assert GRAZ_IMAGE not in _body(response) and GRAZ_DOCUMENT not in _body(response), url


# --- another city's items -----------------------------------------------------------------------


def _image_urls(image) -> list[str]:
    return [
        reverse("wagtailimages:edit", args=[image.pk]),
        reverse("wagtailimages:delete", args=[image.pk]),
        reverse("wagtailimages:image_usage", args=[image.pk]),
        reverse("wagtailimages:url_generator", args=[image.pk]),
        reverse("wagtailimages:url_generator_output", args=[image.pk]),
        reverse("wagtailimages:preview", args=[image.pk, "original"]),
        reverse("wagtailimages_chooser:chosen", args=[image.pk]),
        reverse("wagtailimages_chooser:select_format", args=[image.pk]),
        reverse("wagtailimages_chooser:chosen_multiple") + f"?id={image.pk}",
        f"/admin/api/main/images/{image.pk}/",
        f"/admin/api/main/images/find/?id={image.pk}",
    ]


def _document_urls(document) -> list[str]:
    return [
        reverse("wagtaildocs:edit", args=[document.pk]),
        reverse("wagtaildocs:delete", args=[document.pk]),
        reverse("wagtaildocs:document_usage", args=[document.pk]),
        reverse("wagtaildocs_chooser:chosen", args=[document.pk]),
        reverse("wagtaildocs_chooser:chosen_multiple") + f"?id={document.pk}",
        f"/admin/api/main/documents/{document.pk}/",
        f"/admin/api/main/documents/find/?id={document.pk}",
    ]


def test_city_editor_opens_their_own_items(client, world):
    """The positive control: the same URLs answer with the item for its own city's editor."""
    client.force_login(world.graz_editor)
    for url in _image_urls(world.graz_image)[:3] + _document_urls(world.graz_document)[:3]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    for url, marker in [
        (reverse("wagtailimages:edit", args=[world.graz_image.pk]), GRAZ_IMAGE),
        (reverse("wagtaildocs:edit", args=[world.graz_document.pk]), GRAZ_DOCUMENT),
        (f"/admin/api/main/images/{world.graz_image.pk}/", GRAZ_IMAGE),
        (f"/admin/api/main/documents/{world.graz_document.pk}/", GRAZ_DOCUMENT),
    ]:
        assert marker in _body(client.get(url)), url


@pytest.mark.parametrize(
    "target, urls",
    [("linz_image", _image_urls), ("photo", _image_urls), ("linz_document", _document_urls), ("tool", _document_urls)],
)
def test_city_editor_cannot_open_another_collections_item(client, world, target, urls):
    client.force_login(world.graz_editor)
    for url in urls(getattr(world, target)):
        response = client.get(url)
        if "chosen-multiple" in url or "/find/" in url:
            # Lists of chosen items: an item out of reach is left out.
            assert response.status_code in (200, 400, 403, 404), (url, response.status_code)
        else:
            assert _refused(response), (url, response.status_code)
        assert _shown(response, *FOREIGN) == [], url


def test_city_editor_cannot_change_or_delete_another_citys_media(client, world):
    client.force_login(world.graz_editor)
    image, document = world.linz_image, world.linz_document
    image_title, document_title = image.title, document.title
    attempts = [
        (reverse("wagtailimages:edit", args=[image.pk]), {"title": "Defaced", "collection": world.graz_collection.pk}),
        (reverse("wagtailimages:edit_multiple", args=[image.pk]), {f"image-{image.pk}-title": "Defaced"}),
        (reverse("wagtailimages:delete", args=[image.pk]), {}),
        (reverse("wagtailimages:delete_multiple", args=[image.pk]), {}),
        (
            reverse("wagtaildocs:edit", args=[document.pk]),
            {"title": "Defaced", "collection": world.graz_collection.pk},
        ),
        (reverse("wagtaildocs:edit_multiple", args=[document.pk]), {f"doc-{document.pk}-title": "Defaced"}),
        (reverse("wagtaildocs:delete", args=[document.pk]), {}),
        (reverse("wagtaildocs:delete_multiple", args=[document.pk]), {}),
        (f"/admin/bulk/wagtailimages/image/delete/?id={image.pk}", {}),
        (f"/admin/bulk/wagtaildocs/document/delete/?id={document.pk}", {}),
    ]
    for url, data in attempts:
        response = client.post(url, data)
        assert response.status_code in (200, 302, 400, 403, 404), (url, response.status_code)
        assert _shown(response, *FOREIGN) == [], url

    image.refresh_from_db()
    document.refresh_from_db()
    assert (image.title, image.collection_id) == (image_title, world.linz_collection.pk)
    assert (document.title, document.collection_id) == (document_title, world.linz_collection.pk)


def test_document_files_are_served_by_their_exact_address_only(client, world):
    """City documents are public files (call pages link them; no collection has a privacy restriction), served
    alike to everyone who has the address; the id alone, with any other file name, finds nothing."""
    document = world.linz_document
    assert document.url == f"/documents/{document.pk}/{document.filename}"

    anonymous = client.get(document.url)
    client.force_login(world.graz_editor)
    other_city = client.get(document.url)

    assert anonymous.status_code == other_city.status_code == 200
    assert b"".join(anonymous.streaming_content) == PDF
    assert client.get(f"/documents/{document.pk}/").status_code == 404
    assert client.get(f"/documents/{document.pk}/{GRAZ_DOCUMENT}.pdf").status_code == 404
    assert not Collection.objects.get(pk=world.linz_collection.pk).get_view_restrictions().exists()


# --- uploads ------------------------------------------------------------------------------------

UPLOADS = {
    "image": (reverse("wagtailimages:add"), "file", lambda: SimpleUploadedFile("a.png", _png(), "image/png")),
    "image chooser": (
        reverse("wagtailimages_chooser:create"),
        "image-chooser-upload-file",
        lambda: SimpleUploadedFile("a.png", _png(), "image/png"),
    ),
    "image multiple": (
        reverse("wagtailimages:add_multiple"),
        "files[]",
        lambda: SimpleUploadedFile("a.png", _png(), "image/png"),
    ),
    "document": (reverse("wagtaildocs:add"), "file", lambda: SimpleUploadedFile("a.pdf", PDF, "application/pdf")),
    "document chooser": (
        reverse("wagtaildocs_chooser:create"),
        "document-chooser-upload-file",
        lambda: SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
    ),
    "document multiple": (
        reverse("wagtaildocs:add_multiple"),
        "files[]",
        lambda: SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
    ),
}


def _post_upload(client, kind: str, collection: Collection):
    url, field, upload = UPLOADS[kind]
    prefix = field.rsplit("file", 1)[0] if "chooser" in kind else ""
    data = {f"{prefix}title": "Planted", f"{prefix}collection": str(collection.pk), field: upload()}
    return client.post(url, data)


def _in(collection: Collection) -> int:
    return (
        get_image_model().objects.filter(collection=collection).count()
        + get_document_model().objects.filter(collection=collection).count()
    )


@pytest.mark.parametrize("kind", list(UPLOADS))
@pytest.mark.parametrize("target", ["linz", "photos", "tools"])
def test_city_editor_cannot_upload_into_another_collection(client, world, kind, target):
    collection = {
        "linz": world.linz_collection,
        "photos": photo_collection(),
        "tools": method_tools_collection(),
    }[target]
    client.force_login(world.graz_editor)
    before = _in(collection)

    response = _post_upload(client, kind, collection)

    assert response.status_code in (200, 302, 400, 403), (kind, response.status_code)
    assert _in(collection) == before, kind
    assert not get_image_model().objects.filter(title="Planted", collection=collection).exists()
    assert not get_document_model().objects.filter(title="Planted", collection=collection).exists()


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_city_editor_uploads_into_their_own_collection(client, world, kind):
    """The positive control: the same request with the editor's own collection stores the file there."""
    client.force_login(world.graz_editor)
    before = _in(world.graz_collection)

    response = _post_upload(client, kind, world.graz_collection)

    assert response.status_code in (200, 302), (kind, response.status_code)
    assert _in(world.graz_collection) == before + 1, kind


# --- the organisation chooser -------------------------------------------------------------------

ORGANISATION_CHOOSER = "wagtailsnippetchoosers_profiles_organisation"


def _organisation_chooser_urls(organisation) -> list[str]:
    return [
        reverse(f"{ORGANISATION_CHOOSER}:choose"),
        reverse(f"{ORGANISATION_CHOOSER}:choose_results"),
        reverse(f"{ORGANISATION_CHOOSER}:choose") + f"?q={WORD}",
        reverse(f"{ORGANISATION_CHOOSER}:choose_results") + f"?q={WORD}",
        reverse(f"{ORGANISATION_CHOOSER}:choose_results") + "?q=Institute",  # a word of its name only
        reverse(f"{ORGANISATION_CHOOSER}:chosen", args=[organisation.pk]),
        reverse(f"{ORGANISATION_CHOOSER}:chosen_multiple") + f"?id={organisation.pk}",
    ]


def test_organisation_chooser_never_names_an_unverified_organisation_to_a_city_editor(client, world):
    client.force_login(world.graz_editor)
    for url in _organisation_chooser_urls(world.unverified):
        response = client.get(url)
        assert response.status_code in (200, 403, 404) or _refused(response), (url, response.status_code)
        assert UNVERIFIED not in _body(response), url
    # Verified organisations are public: the chooser lists them, so the absence above means something.
    response = client.get(reverse(f"{ORGANISATION_CHOOSER}:choose_results") + f"?q={WORD}")
    assert response.status_code == 200 and VERIFIED in _body(response)
    assert _refused(client.get(reverse(f"{ORGANISATION_CHOOSER}:chosen", args=[world.unverified.pk])))


def test_organisation_chooser_shows_coordinators_every_organisation(client, world, coordinator):
    client.force_login(coordinator)
    for url in _organisation_chooser_urls(world.unverified)[2:6]:
        response = client.get(url)
        assert response.status_code == 200 and UNVERIFIED in _body(response), url


def test_city_editor_cannot_list_or_edit_organisations_in_the_admin(client, world):
    client.force_login(world.graz_editor)
    for name, args in [
        ("list", []),
        ("list_results", []),
        ("add", []),
        ("edit", [world.unverified.pk]),
        ("edit", [world.linz.pk]),
        ("delete", [world.linz.pk]),
        ("usage", [world.unverified.pk]),
        ("history", [world.unverified.pk]),
        ("copy", [world.unverified.pk]),
    ]:
        response = client.get(reverse(f"wagtailsnippets_profiles_organisation:{name}", args=args))
        assert _refused(response), (name, response.status_code)
        assert UNVERIFIED not in _body(response), name
    assert _refused(client.post(reverse(f"{ORGANISATION_CHOOSER}:create"), {"name": "Planted"}))
    assert not Organisation.objects.filter(name="Planted").exists()


# --- the method tools collection ----------------------------------------------------------------


def test_city_editor_cannot_list_or_edit_method_tools(client, world):
    client.force_login(world.graz_editor)
    tools = method_tools_collection()
    for url in [
        reverse("wagtaildocs:index") + f"?collection_id={tools.pk}",
        reverse("wagtaildocs_chooser:choose") + f"?collection_id={tools.pk}",
        "/admin/api/main/documents/",
    ]:
        assert TOOL not in _body(client.get(url)), url
    for url in _document_urls(world.tool)[:3]:
        assert _refused(client.get(url)), url
    client.post(reverse("wagtaildocs:edit", args=[world.tool.pk]), {"title": "Defaced", "collection": tools.pk})
    world.tool.refresh_from_db()
    assert TOOL in world.tool.title


def test_coordinator_lists_and_edits_method_tools(client, world, coordinator):
    client.force_login(coordinator)
    tools = method_tools_collection()
    for url in [
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs_chooser:choose"),
        reverse("wagtaildocs:edit", args=[world.tool.pk]),
        reverse("wagtaildocs:document_usage", args=[world.tool.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200 and TOOL in _body(response), url
        assert LINZ_DOCUMENT not in _body(response), url  # coordinators hold no city's collection

    response = client.post(
        reverse("wagtaildocs:edit", args=[world.tool.pk]), {"title": f"Consent form {TOOL}", "collection": tools.pk}
    )

    assert response.status_code == 302, _body(response)[:2000]
    world.tool.refresh_from_db()
    assert world.tool.title == f"Consent form {TOOL}"
