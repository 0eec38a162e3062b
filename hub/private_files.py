"""Private files (proposal attachments, result PDFs, workspace documents, non-public photos) sent after the view's
permission check: by Django itself, or by the reverse proxy when ``PRIVATE_MEDIA_ACCEL_REDIRECT`` is set.

With ``PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private/"`` the response has an empty body and the header
``X-Accel-Redirect: /_private/<name>``; nginx then sends the file from its ``internal`` location (an alias of
``PRIVATE_MEDIA_ROOT``, deploy/nginx/bridges.conf), so a slow download holds an nginx connection and no app
worker. Content-Type, Content-Disposition and Cache-Control are the ones Django would send (nginx keeps those
three on an internal redirect). Without the setting (development, tests, a site without nginx) the file is
streamed by Django's ``FileResponse`` as before.
"""

import os
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

ACCEL_HEADER = "X-Accel-Redirect"


def accel_prefix() -> str | None:
    """The internal location of private files in the proxy ("/_private/"), or None when Django sends them."""
    prefix = getattr(settings, "PRIVATE_MEDIA_ACCEL_REDIRECT", None)
    if not prefix:
        return None
    return "/" + str(prefix).strip("/") + "/"


def _storage_and_name(file: FieldFile | str, storage: Storage | None) -> tuple[Storage, str]:
    if isinstance(file, FieldFile):
        return file.storage, file.name
    return storage or default_storage, str(file)


def accel_path(path: str | Path, prefix: str) -> str:
    """The URI nginx is redirected to for the file at ``path`` (which must lie in ``PRIVATE_MEDIA_ROOT``).

    Each path segment is percent-encoded (spaces, non-ASCII names, ``%``, ``?`` and ``#`` reach nginx as the
    characters of the file name, which it decodes before looking the file up).
    """
    root = Path(os.path.realpath(settings.PRIVATE_MEDIA_ROOT))
    relative = Path(os.path.realpath(path)).relative_to(root)  # ValueError outside the private root
    return prefix + "/".join(quote(part, safe="") for part in relative.parts)


def private_file_response(
    file: FieldFile | str,
    *,
    filename: str,
    content_type: str,
    as_attachment: bool,
    storage: Storage | None = None,
) -> HttpResponse:
    """The response that sends a private stored file (after the caller checked who may have it).

    ``file`` is a model's ``FieldFile`` or a storage name (then in ``storage``, default: the default storage).
    A missing file raises ``FileNotFoundError`` in both modes, as ``file.open()`` did, so callers keep their
    404. The response is never cached by a proxy nor kept by the browser (``private, no-store``).
    """
    store, name = _storage_and_name(file, storage)
    prefix = accel_prefix()
    if prefix is None:
        response = FileResponse(
            store.open(name, "rb"), as_attachment=as_attachment, filename=filename, content_type=content_type
        )
    else:
        path = store.path(name)
        if not os.path.isfile(path):
            raise FileNotFoundError(path)
        response = HttpResponse(content_type=content_type)
        response[ACCEL_HEADER] = accel_path(path, prefix)
        disposition = content_disposition_header(as_attachment, filename)
        if disposition:
            response["Content-Disposition"] = disposition
    patch_cache_control(response, private=True, no_store=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response
