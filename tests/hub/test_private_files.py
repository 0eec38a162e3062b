"""hub.private_files: a private file is sent by Django, or by nginx through X-Accel-Redirect when the setting is on."""

from pathlib import Path
from urllib.parse import unquote

import pytest

from calls.storage import get_private_storage
from hub.private_files import private_file_response
from profiles.storage import MediaStorage

PDF = b"%PDF-1.4\n% a private report\n%%EOF\n"


@pytest.fixture
def stored(settings):
    storage = get_private_storage()
    name = storage.save("proposals/7/Résumé final 100%.pdf", _content(PDF))
    return storage, name


def _content(data: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(data)


def test_without_the_setting_django_sends_the_file_privately(settings, stored):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = None
    storage, name = stored
    response = private_file_response(
        name, storage=storage, filename="Résumé final.pdf", content_type="application/pdf", as_attachment=True
    )
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''R%C3%A9sum%C3%A9%20final.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "X-Accel-Redirect" not in response


def test_with_the_setting_nginx_is_told_which_file_to_send(settings, stored):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private/"
    storage, name = stored
    response = private_file_response(
        name, storage=storage, filename="Résumé final.pdf", content_type="application/pdf", as_attachment=True
    )
    assert response.content == b""
    target = response["X-Accel-Redirect"]
    assert target.isascii() and target.startswith("/_private/proposals/7/")
    # nginx decodes the URI, then finds exactly the stored file under its alias of PRIVATE_MEDIA_ROOT.
    on_disk = Path(settings.PRIVATE_MEDIA_ROOT) / unquote(target.removeprefix("/_private/"))
    assert on_disk.read_bytes() == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''R%C3%A9sum%C3%A9%20final.pdf" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_file_shown_inline_keeps_its_inline_disposition(settings, stored):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private"
    storage, name = stored
    response = private_file_response(
        name,
        storage=storage,
        filename="report.pdf",
        content_type="application/pdf",
        as_attachment=False,
    )
    assert response["Content-Disposition"] == 'inline; filename="report.pdf"'
    assert response["X-Accel-Redirect"].startswith("/_private/proposals/")


def test_a_model_file_field_is_accepted(settings, db):
    from calls.models import Attachment

    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private/"
    field_file = Attachment._meta.get_field("file").attr_class(None, Attachment._meta.get_field("file"), None)
    field_file.name = get_private_storage().save("proposals/8/a.pdf", _content(PDF))
    response = private_file_response(field_file, filename="a.pdf", content_type="application/pdf", as_attachment=True)
    assert response["X-Accel-Redirect"] == "/_private/proposals/8/a.pdf"


def test_a_private_photo_in_the_default_storage_is_found_in_the_private_root(settings):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private/"
    name = MediaStorage().save("original_images/pvt-abcd1234-face.jpg", _content(b"\xff\xd8\xff photo"))
    response = private_file_response(name, filename="face.jpg", content_type="image/jpeg", as_attachment=False)
    assert response["X-Accel-Redirect"] == "/_private/original_images/pvt-abcd1234-face.jpg"
    assert response["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("accel", [None, "/_private/"])
def test_a_missing_file_raises_file_not_found_in_both_modes(settings, accel):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = accel
    with pytest.raises(FileNotFoundError):
        private_file_response(
            "proposals/9/gone.pdf",
            storage=get_private_storage(),
            filename="gone.pdf",
            content_type="application/pdf",
            as_attachment=True,
        )


def test_a_file_outside_the_private_root_is_never_handed_to_nginx(settings, tmp_path):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private/"
    public = MediaStorage().save("documents/public.pdf", _content(PDF))
    with pytest.raises(ValueError):
        private_file_response(public, filename="public.pdf", content_type="application/pdf", as_attachment=True)
