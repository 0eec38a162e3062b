"""The bulk download (/data/bulk.zip): one CSV per registered public list and a README generated from the columns.

Built by a background task into ``MEDIA_ROOT/bulk/`` (written to a temporary file, then moved into place, so that
a download never sees half a file); rebuilt when public content changes (``request_rebuild``, debounced with a
cache key) and by ``manage.py build_bulk_download``.

While the zip is *fresh* — built after the last committed change of any model that can show in an export (every
model of the site's apps but those an app declares private through the ``not_exported_models`` hook), less than
``BULK_EXPORT_MAX_AGE`` seconds ago (an hour: a call's status changes with the clock; cron rebuilds it hourly) — a list page's unfiltered CSV
export is served from its member of the zip instead of being computed again (``fresh_member``): the same rows
in the same order, at the speed of reading a file.

When public data is *hidden* (a researcher hides a field or unlists their profile, an object stops being public),
``withdraw()`` deletes the zip in the same request, once the change commits: a zip that holds what is no longer
public is never downloaded again (not at ``/data/bulk.zip``, nor at its ``/media/`` address), and a build that was
running at that moment does not put it back. A rebuild is enqueued as for any change.
"""

import io
import os
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from wagtail import hooks
from wagtail.signals import page_published, page_unpublished

from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend

from hub.csv import csv_lines
from hub.exports import Export, exports, site_request
from hub.page_cache import watched_models

FILENAME = "bridges-open-data.zip"
PENDING_KEY = "bulk-download:pending"
PENDING_SECONDS = 15 * 60  # a crashed worker does not block rebuilds for longer than this
# Before the first build: how long a client is asked to wait (Retry-After) while a worker builds the zip.
RETRY_AFTER_SECONDS = 120
# When exported content last changed (set on commit), and when the current zip's build started (its mtime too).
CHANGED_KEY = "bulk-download:changed-at"
BUILT_KEY = "bulk-download:built-at"
# When public data was last hidden: a zip whose build started before then must not be published.
WITHDRAWN_KEY = "bulk-download:withdrawn-at"
BUILD_ATTEMPTS = 3
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


def _withdrawn_since(started: float) -> bool:
    withdrawn = cache.get(WITHDRAWN_KEY)
    return withdrawn is not None and withdrawn >= started


def build_now() -> Path:
    """Write the zip next to its final place, then move it there in one step.

    A build during which public data was hidden (``withdraw``) may hold it: it is discarded and built again."""
    target = zip_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    request = site_request()
    for _attempt in range(BUILD_ATTEMPTS):
        started = time.time()  # a change committed after this moment may be missing from the zip
        handle, temporary = tempfile.mkstemp(prefix=".bulk-", suffix=".zip", dir=target.parent)
        try:
            with (
                os.fdopen(handle, "wb") as raw,
                zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            ):
                archive.writestr("README.md", readme())
                for export in exports():
                    _write_csv(archive, export, request)
            os.chmod(temporary, 0o644)
            os.utime(temporary, (started, started))
            if _withdrawn_since(started):
                continue
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        # Checked again once in place: a withdrawal between the check above and the move has deleted nothing yet.
        if _withdrawn_since(started):
            _unlink(target)
            continue
        cache.set(BUILT_KEY, started, None)
        return target
    raise RuntimeError("Public data was hidden during every attempt to build the bulk download; try again.")


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def fresh_member(key: str) -> zipfile.ZipExtFile | None:
    """The open member ``<key>.csv`` of the zip when the zip is fresh (see the module's docstring), else None.

    Fresh needs this build's own record (the zip's mtime is its start), so a zip of unknown origin — replaced
    by another host, or after the cache was emptied — is never trusted."""
    built = cache.get(BUILT_KEY)
    if built is None or time.time() - built > settings.BULK_EXPORT_MAX_AGE:
        return None
    changed = cache.get(CHANGED_KEY)
    if changed is not None and changed >= built:
        return None
    try:
        archive = zipfile.ZipFile(zip_path())
    except (OSError, zipfile.BadZipFile):
        return None
    if os.stat(archive.filename).st_mtime != built or f"{key}.csv" not in archive.namelist():
        archive.close()
        return None
    member = archive.open(f"{key}.csv")
    archive.close()  # the member keeps the file open until it is closed itself
    return member


@task()
def build_bulk_download() -> str:
    cache.delete(PENDING_KEY)
    return str(build_now())


def _enqueue_unless_pending() -> None:
    if cache.add(PENDING_KEY, True, PENDING_SECONDS):
        build_bulk_download.enqueue()


def build_in_background() -> None:
    """Have a worker build the zip, once however many ask (the pending key is the lock), and never here: under the
    immediate task backend of development and tests enqueuing would build it in the caller's request, so nothing
    is enqueued (``manage.py build_bulk_download`` and the rebuild on change still build it there)."""
    if isinstance(build_bulk_download.get_backend(), ImmediateBackend):
        return
    _enqueue_unless_pending()


def _note_change() -> None:
    cache.set(CHANGED_KEY, time.time(), None)  # the zip is no longer fresh


def _changed() -> None:
    _note_change()
    if getattr(settings, "BULK_DOWNLOAD_ON_CHANGE", True):
        _enqueue_unless_pending()


def request_rebuild(**_kwargs) -> None:
    """After the change is committed, enqueue a rebuild unless one is already waiting (a burst of saves: one build)."""
    transaction.on_commit(_changed)


class _OncePerCommit:
    """Runs ``action`` once after the current transaction of ``using`` commits, however many writes asked for it.

    Every write registers a callback (a rolled-back transaction or savepoint discards its own, so a flag
    "already registered" could outlive the callback it stood for); the first callback to run after the commit
    does the work and clears the flag of this thread, so that the other callbacks of the same commit do nothing."""

    def __init__(self, action):
        self.action = action
        self.pending = threading.local()

    def request(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.pending.__dict__[using] = True
        transaction.on_commit(lambda: self._run(using), using=using)

    def _run(self, using: str) -> None:
        if self.pending.__dict__.pop(using, False):
            self.action()


def _withdraw_now() -> None:
    cache.set(WITHDRAWN_KEY, time.time(), None)
    _unlink(zip_path())
    _changed()


_withdraw_after_commit = _OncePerCommit(_withdraw_now)
_note_change_after_commit = _OncePerCommit(_note_change)


def withdraw(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Public data was hidden: once the change commits (at once outside a transaction), delete the zip and rebuild.

    Called in the request that hides the data, so that nothing hidden is downloaded after it."""
    _withdraw_after_commit.request(using)


# Fields whose updates alone change no export (a sign-in stamps ``last_login``).
NOT_EXPORTED_FIELDS = {"last_login"}


def not_exported_models() -> set[str]:
    """Labels of the models (through tables included) that no export reads: private working data (proposals,
    reviews …) that apps declare through the ``not_exported_models`` hook; saving them keeps the zip fresh.
    Forgetting one only makes exports computed more often; a model missing here can never serve stale data."""
    return {label for hook in hooks.get_hooks("not_exported_models") for label in hook()}


def note_change(sender=None, **kwargs) -> None:
    """Signal receiver: any other change of the site's models makes the zip stale once it commits."""
    label = getattr(getattr(sender, "_meta", None), "label", None)
    if label in not_exported_models():
        return
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= NOT_EXPORTED_FIELDS:
        return
    # Now (a request during the transaction computes its export) and again at commit (a build that started
    # in between did not see the change).
    _note_change()
    _note_change_after_commit.request(kwargs.get("using") or DEFAULT_DB_ALIAS)


def connect_change_signals() -> None:
    """Staleness of the zip: saves, deletes and m2m changes of every model of the watched apps, and publishing."""
    for model in watched_models():
        uid = f"bulk-stale:{model._meta.label}"
        post_save.connect(note_change, sender=model, dispatch_uid=uid)
        post_delete.connect(note_change, sender=model, dispatch_uid=uid)
        m2m_changed.connect(note_change, sender=model, dispatch_uid=uid)
    page_published.connect(note_change, dispatch_uid="bulk-stale:published")
    page_unpublished.connect(note_change, dispatch_uid="bulk-stale:unpublished")


def connect_rebuild_signals(*models) -> None:
    """Rebuild after any save or delete of these models (and publication of pages among them)."""
    for model in models:
        uid = f"bulk-download:{model._meta.label}"
        post_save.connect(request_rebuild, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(request_rebuild, sender=model, dispatch_uid=uid, weak=False)
        page_published.connect(request_rebuild, sender=model, dispatch_uid=uid, weak=False)
        page_unpublished.connect(request_rebuild, sender=model, dispatch_uid=uid, weak=False)
