"""Hostile uploads: content must match the declared type, bombs are refused before decoding, names are generated.

Every upload of the site is driven from one table: who posts where, which form fields go with the file, and
how to count what was stored. A refused upload leaves no row and no file behind.
"""

# Fixtures are imported from other test modules; pytest injects them by name.
# ruff: noqa: F401, F811

import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.documents import get_document_model
from wagtail.images import get_image_model

import pytest
from PIL import Image

from calls.models import Attachment
from hub.models import Country
from profiles.models import Organisation, User
from projects.models import Dataset, ResultFile, WorkspaceDocumentVersion
from tests.profiles.conftest import profile_post  # noqa: F401  (fixture, injected by name)
from tests.security.fixtures_attacks import (  # noqa: F401  (fixtures, injected by name)
    PDF,
    SIMPLE_CSV,
    draft_proposal,
    draft_result,
    media_files,
    official,
    outsider,
    partnership,
)

pytestmark = pytest.mark.django_db


# Hostile files -------------------------------------------------------------------------------------


def png(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a pixel flood)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@functools.cache
def animated(image_format: str, frames: int = 400, size=(400, 400)) -> bytes:
    """A GIF or WebP with many frames: small on disk, huge once every frame is decoded."""
    images = []
    for i in range(frames):
        frame = Image.new("RGB", size, (i % 256, (i * 3) % 256, (i * 7) % 256))
        frame.putpixel((i % size[0], i // size[0]), (255, 255, 255))  # no two frames alike, none merged
        images.append(frame)
    buffer = io.BytesIO()
    images[0].save(buffer, format=image_format, save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'


def zip_bomb(member: str = "word/document.xml", uncompressed: int = 300 * 1024 * 1024) -> bytes:
    """An Office-looking ZIP whose one member inflates from a few hundred KB to ``uncompressed`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(member, "w", force_zip64=True) as handle:
            block = b"\x00" * (1024 * 1024)
            for _ in range(uncompressed // len(block)):
                handle.write(block)
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb()


# The uploads of the site ---------------------------------------------------------------------------


class Fixtures:
    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


@dataclass
class Upload:
    user: Callable  # (fx) -> User
    url: Callable  # (fx) -> str
    field: str
    data: Callable  # (fx) -> the other fields of the form
    count: Callable  # () -> rows stored
    good: tuple[bytes, str, str]  # a file it accepts: content, name, content type
    disguised: list[tuple[bytes, str, str]]  # files whose content is not what their name says
    names: Callable | None = None  # () -> (stored path, original name) pairs


def _image_count():
    return get_image_model().objects.count()


def _document_count():
    return get_document_model().objects.count()


def _org_user(fx):
    return User.objects.get_or_create(
        email="founder@example.org", defaults={"account_type": User.AccountType.ORGANISATION}
    )[0]


def _collection(fx):
    from wagtail.models import Collection

    name = f"{fx.city[0].name} ({fx.city[0].pk})"
    return str(Collection.objects.get(name=name).pk)


PDF_DISGUISES = [(png(), "photo.pdf", "application/pdf"), (HTML, "page.pdf", "application/pdf")]
IMAGE_DISGUISES = [(PDF, "doc.png", "image/png"), (SVG, "logo.png", "image/png"), (HTML, "page.jpg", "image/jpeg")]

UPLOADS = {
    "researcher photo": Upload(
        user=lambda fx: fx.researcher,
        url=lambda fx: "/dashboard/profile/",
        field="photo_upload",
        data=lambda fx: fx.profile_post(),
        count=_image_count,
        good=(png(), "me.png", "image/png"),
        disguised=IMAGE_DISGUISES,
    ),
    "organisation logo": Upload(
        user=_org_user,
        url=lambda fx: "/organisations/new/",
        field="logo",
        data=lambda fx: {
            "name": f"University number {Organisation.objects.count()}",
            "kind": Organisation.Kind.UNIVERSITY,
            "country": str(Country.objects.get(code="AT").pk),
            "city": "Graz",
            "time_zone": "Europe/Vienna",
        },
        count=lambda: Organisation.objects.exclude(logo="").count(),
        good=(png(), "logo.png", "image/png"),
        disguised=IMAGE_DISGUISES,
    ),
    "proposal attachment": Upload(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/proposals/{fx.draft_proposal.pk}/attachments/",
        field="file",
        data=lambda fx: {},
        count=lambda: Attachment.objects.count(),
        good=(PDF, "plan.pdf", "application/pdf"),
        disguised=PDF_DISGUISES,
        names=lambda: [(a.file.name, a.original_name) for a in Attachment.objects.all()],
    ),
    "result file": Upload(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/results/{fx.draft_result.slug}/files/add/",
        field="file",
        data=lambda fx: {"title": "Full report"},
        count=lambda: ResultFile.objects.count(),
        good=(PDF, "report.pdf", "application/pdf"),
        disguised=PDF_DISGUISES,
        names=lambda: [(f.file.name, f.original_name) for f in ResultFile.objects.all()],
    ),
    "workspace document": Upload(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"{fx.partnership.get_workspace_url()}documents/add/",
        field="document-file",
        data=lambda fx: {"document-title": "Interview guide"},
        count=lambda: WorkspaceDocumentVersion.objects.count(),
        good=(PDF, "guide.pdf", "application/pdf"),
        disguised=[*PDF_DISGUISES, (HTML, "notes.csv", "text/csv"), (PDF, "guide.docx", "application/msword")],
        names=lambda: [(v.file.name, v.original_name) for v in WorkspaceDocumentVersion.objects.all()],
    ),
    "dataset csv": Upload(
        user=lambda fx: fx.researcher,
        url=lambda fx: f"/partnerships/{fx.partnership.slug}/datasets/new/",
        field="file",
        data=lambda fx: {
            "title": f"Rents {Dataset.objects.count()}",
            "description": "Median rents.",
            "licence": "CC-BY-4.0",
            "access_level": "open",
            "personal_data": "none",
        },
        count=lambda: Dataset.objects.count(),
        good=(SIMPLE_CSV, "rents.csv", "text/csv"),
        disguised=[(HTML, "rents.csv", "text/csv"), (png(), "rents.csv", "text/csv"), (PDF, "rents.csv", "text/csv")],
        names=lambda: [(d.file.name, d.original_name) for d in Dataset.objects.all()],
    ),
    "wagtail image by a city admin": Upload(
        user=lambda fx: fx.city[1],
        url=lambda fx: reverse("wagtailimages:add"),
        field="file",
        data=lambda fx: {"title": "Town hall", "collection": _collection(fx)},
        count=_image_count,
        good=(png(), "hall.png", "image/png"),
        disguised=IMAGE_DISGUISES,
    ),
    "wagtail document by a city admin": Upload(
        user=lambda fx: fx.city[1],
        url=lambda fx: reverse("wagtaildocs:add"),
        field="file",
        data=lambda fx: {"title": "Council decision", "collection": _collection(fx)},
        count=_document_count,
        good=(PDF, "decision.pdf", "application/pdf"),
        disguised=[*PDF_DISGUISES, (HTML, "table.csv", "text/csv"), (PDF, "letter.docx", "application/msword")],
    ),
}


def _post(client, fx, upload: Upload, content: bytes, name: str, content_type: str):
    client.force_login(upload.user(fx))
    data = {**upload.data(fx), upload.field: SimpleUploadedFile(name, content, content_type=content_type)}
    return client.post(upload.url(fx), data)


def _stored(upload: Upload):
    return upload.count(), media_files()


@pytest.mark.parametrize("name", list(UPLOADS))
def test_a_file_whose_content_is_not_its_declared_type_is_refused_and_nothing_is_stored(client, request, name):
    upload, fx = UPLOADS[name], Fixtures(request)
    for content, filename, content_type in upload.disguised:
        before = _stored(upload)
        response = _post(client, fx, upload, content, filename, content_type)
        assert response.status_code in (200, 302, 400), (name, filename, response.status_code)
        assert _stored(upload) == before, (name, filename)
        if response.status_code == 302:
            response = client.get(response["Location"])
        assert response.status_code in (200, 400) and "error" in response.content.decode().lower(), (name, filename)
    # The same form takes a genuine file: the refusals above were about the content.
    response = _post(client, fx, upload, *upload.good)
    assert upload.count() == before[0] + 1, (name, response.status_code)


HOSTILE_NAMES = [
    "../../etc/passwd.{ext}",
    "..\\..\\windows\\win.{ext}",
    "evil\r\nX-Injected: 1\x00\x07name.{ext}",
    "bell\x07escape\x1b[31mtab\tdelete\x7fname.{ext}",
    ("a" * 1000) + ".{ext}",
]


@pytest.mark.parametrize("name", [n for n, u in UPLOADS.items() if u.names])
def test_hostile_file_names_are_replaced_by_generated_ones(client, request, name):
    upload, fx = UPLOADS[name], Fixtures(request)
    content, good_name, content_type = upload.good
    ext = good_name.rsplit(".", 1)[-1]
    for hostile in HOSTILE_NAMES:
        response = _post(client, fx, upload, content, hostile.format(ext=ext), content_type)
        # A line break cuts the name short in the multipart header itself; the form may refuse what is left.
        assert response.status_code in (200, 302) or "\n" in hostile, (name, hostile, response.status_code)
    pairs = upload.names()
    assert len(pairs) >= len(HOSTILE_NAMES) - 1, (name, pairs)  # all but the name cut short
    roots = [Path(settings.MEDIA_ROOT).resolve(), Path(settings.PRIVATE_MEDIA_ROOT).resolve()]
    for stored, original in pairs:
        assert ".." not in stored and "passwd" not in stored and "\\" not in stored, stored
        assert not any(ord(c) < 32 or ord(c) == 127 for c in stored + original), (stored, original)
        assert len(original) <= 255 and "/" not in original and "\\" not in original, original
        assert len(stored) <= 300
    for path in media_files():
        assert any(root in path.resolve().parents for root in roots), path


def test_downloading_a_file_with_a_hostile_name_sends_one_safe_header(client, request):
    fx = Fixtures(request)
    upload = UPLOADS["proposal attachment"]
    _post(client, fx, upload, PDF, 'evil\r\nSet-Cookie: x=1".pdf', "application/pdf")
    attachment = Attachment.objects.get()
    response = client.get(f"/proposals/{attachment.proposal_id}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and "\r" not in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")


# Bombs ---------------------------------------------------------------------------------------------

IMAGE_UPLOADS = ["researcher photo", "organisation logo", "wagtail image by a city admin"]


@pytest.mark.parametrize("name", IMAGE_UPLOADS)
@pytest.mark.parametrize(
    "bomb_name, make",
    [
        ("pixel flood", lambda: (png_declaring(50_000, 50_000), "flood.png", "image/png")),
        ("animated gif", lambda: (animated("GIF"), "many.gif", "image/gif")),
        ("animated webp", lambda: (animated("WEBP", frames=300), "many.webp", "image/webp")),
    ],
)
def test_image_bombs_are_refused_before_decoding(client, request, name, bomb_name, make, monkeypatch):
    upload, fx = UPLOADS[name], Fixtures(request)
    bomb_file = make()  # built before the spy: building it decodes every frame
    loads = []
    original_load = Image.Image.load

    def spy_load(self):
        loads.append(self.size)
        return original_load(self)

    monkeypatch.setattr(Image.Image, "load", spy_load)
    before = _stored(upload)

    response = _post(client, fx, upload, *bomb_file)

    assert response.status_code in (200, 400), (name, bomb_name, response.status_code)
    assert _stored(upload) == before, (name, bomb_name)
    # Refused from the header: no flood of pixels decoded, no walk through the frames.
    assert not [size for size in loads if size[0] * size[1] > 10_000_000], (name, bomb_name)
    assert len(loads) <= 10, (name, bomb_name, len(loads))


ZIP_UPLOADS = {
    "workspace document": ("guide.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "wagtail document by a city admin": (
        "decision.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


@pytest.mark.parametrize("name", list(ZIP_UPLOADS))
def test_zip_bombs_in_office_formats_are_refused_with_a_message(client, request, name, bomb):
    upload, fx = UPLOADS[name], Fixtures(request)
    filename, content_type = ZIP_UPLOADS[name]
    before = _stored(upload)

    response = _post(client, fx, upload, bomb, filename, content_type)

    assert response.status_code in (200, 400), response.status_code
    assert "uncompressed" in response.content.decode(), name
    assert _stored(upload) == before
    # A genuine Office file of the same kind is taken.
    _post(client, fx, upload, docx(), filename, content_type)
    assert upload.count() == before[0] + 1


def test_dataset_upload_does_not_accept_zip_archives(client, request, bomb):
    upload, fx = UPLOADS["dataset csv"], Fixtures(request)
    before = _stored(upload)
    response = _post(client, fx, upload, bomb, "rents.csv", "text/csv")
    assert response.status_code in (200, 400)
    assert _stored(upload) == before


# SVG is never served inline ------------------------------------------------------------------------


def test_wagtail_images_refuse_svg(client, request):
    upload, fx = UPLOADS["wagtail image by a city admin"], Fixtures(request)
    before = _stored(upload)
    response = _post(client, fx, upload, SVG, "logo.svg", "image/svg+xml")
    assert response.status_code in (200, 400)
    assert _stored(upload) == before
    assert "svg" not in [ext.lower() for ext in getattr(settings, "WAGTAILIMAGES_EXTENSIONS", [])]


def test_wagtail_documents_refuse_svg_and_html_and_serve_as_attachments(client, request):
    upload, fx = UPLOADS["wagtail document by a city admin"], Fixtures(request)
    for content, filename, content_type in [(SVG, "map.svg", "image/svg+xml"), (HTML, "page.html", "text/html")]:
        before = _stored(upload)
        _post(client, fx, upload, content, filename, content_type)
        assert _stored(upload) == before, filename
    _post(client, fx, upload, *UPLOADS["wagtail document by a city admin"].good)
    document = get_document_model().objects.get()
    client.logout()
    response = client.get(document.url)
    assert response.status_code == 200
    disposition = response.get("Content-Disposition", "")
    assert disposition.startswith("attachment") or response.get("X-Content-Type-Options") == "nosniff"
    assert response["Content-Type"].split(";")[0] in ("application/pdf", "application/octet-stream")


def test_media_files_are_not_served_with_a_sniffable_type(client):
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF


# Size limits ---------------------------------------------------------------------------------------


def test_uploads_stream_to_temporary_files_above_a_small_threshold():
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2.5 * 1024 * 1024
    assert "django.core.files.uploadhandler.TemporaryFileUploadHandler" in settings.FILE_UPLOAD_HANDLERS


@pytest.mark.parametrize(
    "name, setting",
    [
        ("workspace document", "WORKSPACE_MAX_UPLOAD_BYTES"),
        ("dataset csv", "DATASET_MAX_UPLOAD_BYTES"),
        ("researcher photo", "PROFILE_PHOTO_MAX_BYTES"),
        ("organisation logo", "LOGO_MAX_BYTES"),
    ],
)
def test_an_oversized_upload_is_refused_with_a_message(client, request, settings, name, setting):
    upload, fx = UPLOADS[name], Fixtures(request)
    content, filename, content_type = upload.good
    setattr(settings, setting, len(content) - 1)
    before = _stored(upload)

    response = _post(client, fx, upload, content, filename, content_type)

    assert response.status_code in (200, 400)
    text = response.content.decode()
    assert "limit" in text or "at most" in text, name
    assert _stored(upload) == before


@pytest.mark.parametrize("name", ["proposal attachment", "result file"])
def test_a_pdf_over_10_mb_is_refused_with_a_message(client, request, name):
    upload, fx = UPLOADS[name], Fixtures(request)
    before = _stored(upload)
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = _post(client, fx, upload, big, "big.pdf", "application/pdf")
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert "10" in response.content.decode() and "MB" in response.content.decode()
    assert _stored(upload) == before
