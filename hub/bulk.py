"""The bulk download (/data/bulk.zip): one CSV per registered public list and a README generated from the columns.

Built by a background task into ``MEDIA_ROOT/bulk/`` (written to a temporary file, then moved into place, so that
a download never sees half a file); rebuilt when public content changes (``request_rebuild``, debounced with a
cache key) and by ``manage.py build_bulk_download``.
"""

import io
import os
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from django_tasks import task

from hub.csv import csv_lines
from hub.exports import Export, exports, site_request

FILENAME = "bridges-open-data.zip"
PENDING_KEY = "bulk-download:pending"
PENDING_SECONDS = 15 * 60  # a crashed worker does not block rebuilds for longer than this
LICENCES = """\
## Licences

- Texts (titles, summaries, descriptions, abstracts, case studies, methods): Creative Commons Attribution 4.0
  International (CC BY 4.0), https://creativecommons.org/licenses/by/4.0/ — credit "Bridges" and link to the item's `url`.
- Data (identifiers, dates, vocabularies, numbers): CC0 1.0, https://creativecommons.org/publicdomain/zero/1.0/,
  unless a file or row says otherwise: a dataset's own licence is in the `licence` column of `datasets.csv`, and a
  result's in the `licence` column of `results.csv`.
- Researchers' profile fields are published because each researcher chose to make them public; reuse them for
  research and contact about research, not for marketing.
"""


def zip_path() -> Path:
    return Path(settings.MEDIA_ROOT) / "bulk" / FILENAME


def readme(generated_at=None) -> str:
    """README.md of the zip: every file and every column, from the registered column definitions."""
    generated_at = generated_at or timezone.now()
    parts = [
        "# Bridges open data: bulk download\n",
        f"Generated {generated_at:%Y-%m-%d %H:%M} UTC from {settings.SITE_BASE_URL}. It is regenerated when public "
        "content changes. Every file is UTF-8 CSV (RFC 4180, comma-separated, a header row), one row per public "
        "object, in the order of its list page; the columns are the fields of the open data API "
        f"({settings.SITE_BASE_URL}/api/v1/docs), nested objects flattened as `field_subfield`, lists joined with "
        '"; ". Only what the site shows to anyone is included: no drafts, no private fields. Cells that a '
        "spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) are prefixed with "
        "an apostrophe.\n",
        "## Files\n",
    ]
    parts += [f"- `{e.key}.csv`: {e.description} (list page: {settings.SITE_BASE_URL}{e.list_path})" for e in exports()]
    parts.append("")
    for export in exports():
        parts.append(f"## {export.key}.csv: {export.title}\n")
        parts.append(f"{export.description} Licence: {export.licence}.\n")
        parts.append("| Column | Description |\n| --- | --- |")
        parts += [f"| `{c.name}` | {c.description} |" for c in export.columns]
        parts.append("")
    parts.append(LICENCES)
    return "\n".join(parts)


def _write_csv(archive: zipfile.ZipFile, export: Export, request) -> None:
    with (
        archive.open(f"{export.key}.csv", "w") as member,
        io.TextIOWrapper(member, encoding="utf-8", newline="") as text,
    ):
        for line in csv_lines(export.header, export.lines(request, {})):
            text.write(line)


def build_now() -> Path:
    """Write the zip next to its final place, then move it there in one step."""
    target = zip_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    request = site_request()
    handle, temporary = tempfile.mkstemp(prefix=".bulk-", suffix=".zip", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("README.md", readme())
            for export in exports():
                _write_csv(archive, export, request)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return target


@task()
def build_bulk_download() -> str:
    cache.delete(PENDING_KEY)
    return str(build_now())


def _enqueue_unless_pending() -> None:
    if cache.add(PENDING_KEY, True, PENDING_SECONDS):
        build_bulk_download.enqueue()


def request_rebuild(**_kwargs) -> None:
    """After the change is committed, enqueue a rebuild unless one is already waiting (a burst of saves: one build)."""
    if getattr(settings, "BULK_DOWNLOAD_ON_CHANGE", True):
        transaction.on_commit(_enqueue_unless_pending)


def connect_rebuild_signals(*models) -> None:
    """Rebuild after any save or delete of these models (and publication of pages among them)."""
    from django.db.models.signals import post_delete, post_save

    from wagtail.signals import page_published, page_unpublished

    for model in models:
        uid = f"bulk-download:{model._meta.label}"
        post_save.connect(request_rebuild, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(request_rebuild, sender=model, dispatch_uid=uid, weak=False)
        page_published.connect(request_rebuild, sender=model, dispatch_uid=uid, weak=False)
        page_unpublished.connect(request_rebuild, sender=model, dispatch_uid=uid, weak=False)
