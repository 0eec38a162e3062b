"""Request bodies that cannot exhaust the host: a per-URL size limit enforced before anything reaches the disk.

``UploadLimitMiddleware`` looks the URL name up in ``UPLOAD_LIMITS`` (the limit its form announces; other URLs
use ``UPLOAD_DEFAULT_MAX_BYTES``). A body may be at most ``UPLOAD_REFUSE_FACTOR`` times that limit plus
``UPLOAD_FORM_OVERHEAD_BYTES`` (so a file slightly too large still gets its form's message, with the typed text
kept); beyond that it answers 413 from the ``Content-Length`` alone, without reading the body, and
``UploadLimitHandler`` stops a body that goes beyond it while streaming (a lying or missing length). Uploads spool
to ``FILE_UPLOAD_TEMP_DIR``, a directory of the site's own that ``private_media_sweep`` cleans; a full disk there
answers the same 507 as a full media disk, and no partial temporary file stays behind.
"""

import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from hub.resilience import STORAGE_FULL_ERRNOS, storage_full

logger = logging.getLogger("hub.uploads")
DEFAULT_FORM_OVERHEAD_BYTES = 256 * 1024
DEFAULT_REFUSE_FACTOR = 2
FILE_SLACK_BYTES = 64 * 1024


def announced_limit(url_name: str | None) -> int:
    """The largest file the form at ``url_name`` accepts (``UPLOAD_LIMITS``), else ``UPLOAD_DEFAULT_MAX_BYTES``.

    An entry is a number of bytes or ``(setting name, fallback bytes)``, read on every request so that a
    changed setting (DATASET_MAX_UPLOAD_MB, a test's override) moves the limit with the form's own check.
    """
    entry = getattr(settings, "UPLOAD_LIMITS", {}).get(url_name)
    if entry is None:
        return int(getattr(settings, "UPLOAD_DEFAULT_MAX_BYTES", settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    if isinstance(entry, tuple):
        name, fallback = entry
        return int(getattr(settings, name, None) or fallback)
    return int(entry)


def files_above(url_name: str | None) -> int:
    """The number of file bytes above which a request to ``url_name`` is stopped while streaming (413)."""
    factor = getattr(settings, "UPLOAD_REFUSE_FACTOR", DEFAULT_REFUSE_FACTOR)
    # The slack keeps a tiny limit (a test's, a logo's) from refusing what its form would explain.
    return int(announced_limit(url_name) * factor) + FILE_SLACK_BYTES


def refuse_above(url_name: str | None) -> int:
    """The ``Content-Length`` above which a request to ``url_name`` is refused with 413 (files and form fields)."""
    return files_above(url_name) + getattr(settings, "UPLOAD_FORM_OVERHEAD_BYTES", DEFAULT_FORM_OVERHEAD_BYTES)


def temp_dir() -> Path:
    """The directory uploads spool to (created if missing)."""
    path = Path(settings.FILE_UPLOAD_TEMP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def sweep_temp_files(*, older_than_seconds: float = 3600) -> list[str]:
    """Delete spooled uploads older than ``older_than_seconds`` (left by a worker killed mid-upload)."""
    root = Path(settings.FILE_UPLOAD_TEMP_DIR)
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than_seconds
    removed = []
    for path in sorted(root.iterdir()):
        try:
            if path.is_file() and path.stat().st_mtime <= cutoff:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:  # finished (and removed) by its request meanwhile
            continue
    return removed


def _url_name(request) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


def too_large(request, limit: int) -> HttpResponse:
    """The 413 answer: which limit applies, and that nothing was saved."""
    message = _(
        "The file you sent is too large: files here may be at most %(limit)s. Nothing was saved; "
        "go back, choose a smaller file and try again."
    ) % {"limit": filesizeformat(limit)}
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=413)
    else:
        response = HttpResponse(loader.render_to_string("413.html", {"message": message}), status=413)
    # No "Connection: close" here: hop-by-hop headers are the WSGI server's (gunicorn and runserver close a
    # connection whose body was not read).
    response["Cache-Control"] = "no-store"
    return response


class UploadLimitHandler(FileUploadHandler):
    """Counts the file bytes of a multipart body as they stream in and stops past the URL's limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.total = 0
        self.files_above = getattr(self.request, "upload_files_above", None) or files_above(_url_name(self.request))

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        if self.total > self.files_above:
            self.request.upload_refused = True
            # connection_reset: Django neither reads nor stores the rest of the body.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


class UploadLimitMiddleware:
    """Answers 413 to a body over its URL's limit, and 507 when the upload directory is full.

    Placed before anything that reads ``request.POST`` (CSRF), so that it is the first to parse the body and can
    answer instead of a 400 or 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        try:
            temp_dir()
        except OSError:
            logger.exception("Could not create FILE_UPLOAD_TEMP_DIR %s", settings.FILE_UPLOAD_TEMP_DIR)

    def __call__(self, request):
        if request.method not in ("POST", "PUT", "PATCH"):
            return self.get_response(request)
        url_name = _url_name(request)
        limit = refuse_above(url_name)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            logger.warning("Refused a %s-byte body to %s (limit %s) by its length", length, request.path, limit)
            return too_large(request, announced_limit(url_name))
        if request.content_type == "multipart/form-data":
            request.upload_files_above = files_above(url_name)
            try:
                temp_dir()
                request.FILES  # noqa: B018  (parse now, so that this middleware can answer for it)
            except OSError as error:
                _close_partial_files(request)
                if error.errno not in STORAGE_FULL_ERRNOS:
                    raise
                logger.error("Upload directory full during %s %s; answered 507", request.method, request.path)
                return storage_full(request)
            if getattr(request, "upload_refused", False):
                logger.warning("Stopped a body to %s while streaming (limit %s)", request.path, limit)
                return too_large(request, announced_limit(url_name))
        return self.get_response(request)


def _close_partial_files(request) -> None:
    """Close (and so delete) the temporary file an interrupted parse was writing."""
    for handler in getattr(request, "_upload_handlers", None) or []:
        file = getattr(handler, "file", None)
        if file is not None:
            try:
                file.close()
            except OSError:
                logger.exception("Could not remove a partial upload")
            name = getattr(getattr(file, "file", None), "name", None)
            if isinstance(name, str) and os.path.exists(name):
                try:
                    os.remove(name)
                except OSError:
                    logger.exception("Could not remove the partial upload %s", name)
