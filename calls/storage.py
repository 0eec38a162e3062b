"""Private file storage: proposal attachments live outside MEDIA_ROOT and are served by a view that checks visibility.

A failed write (the disk is full, the quota is reached) leaves no partial file behind: the
caller's transaction rolls back its row and the storage removes what it had begun to write.
A worker killed between writing a file and committing its row leaves an orphan file (never a
row without its file); ``orphaned_files``/``sweep_orphans`` find and remove those.
"""

import datetime as dt
import errno
import logging
import os
import time

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.deconstruct import deconstructible

logger = logging.getLogger("calls.storage")
STORE_FAILED = "The server could not store your file; nothing was saved. Please try again later."


class StorageFull(OSError):
    """The private storage could not take the file (disk full, quota)."""


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Reads PRIVATE_MEDIA_ROOT on every use (tests point it at a temporary directory); has no URL."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no public URL; link to the view that checks access.")

    def _save(self, name, content):
        full_path = self.path(name)
        existed = os.path.exists(full_path)
        drill = getattr(settings, "PRIVATE_STORAGE_DRILL", None) or {}
        if "enospc_after_bytes" in drill:
            content = _DiskFullAfter(content, int(drill["enospc_after_bytes"]))
        try:
            saved = super()._save(name, content)
        except OSError as error:
            # FileSystemStorage leaves what it wrote so far: remove it, so no half file stays on disk.
            if not existed and os.path.exists(full_path):
                try:
                    os.remove(full_path)
                except OSError:
                    logger.exception("Could not remove the partial file %s", full_path)
            logger.error("Private storage could not store %s: %s", name, error)
            raise StorageFull(error.errno, str(error)) from error
        if drill.get("pause_after_save"):
            # Drills only: a window in which the worker is killed after the file is written, before the commit.
            time.sleep(float(drill["pause_after_save"]))
        return saved


class _DiskFullAfter:
    """Drills only: an upload whose writing fails with ENOSPC after ``limit`` bytes, as a full disk does."""

    def __init__(self, content, limit: int):
        self.content, self.limit = content, limit

    def __getattr__(self, name):
        if name == "temporary_file_path":  # force the streamed write, where a full disk is met
            raise AttributeError(name)
        return getattr(self.content, name)

    def chunks(self, chunk_size=None):
        written = 0
        for chunk in self.content.chunks(chunk_size):
            if written + len(chunk) > self.limit:
                yield chunk[: self.limit - written]
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            written += len(chunk)
            yield chunk


private_storage = PrivateStorage()


def get_private_storage():
    """Callable for FileField(storage=…), so migrations do not record the path."""
    return private_storage


def _referenced_names() -> set[str]:
    """Every file name a row points at, across every model whose file field may store in PRIVATE_MEDIA_ROOT
    (the private storage, and the media storage that keeps non-public researcher photos there)."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and (
                isinstance(field.storage, PrivateStorage) or getattr(field.storage, "keeps_private_files", False)
            ):
                names.update(
                    model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True).iterator()
                )
    return names


def orphaned_files(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> list[str]:
    """Files in private storage that no row points at (left by a killed worker), older than ``older_than``.

    The age keeps an upload whose transaction has not committed yet from being taken for an orphan.
    """
    root = private_storage.location
    if not os.path.isdir(root):
        return []
    referenced = _referenced_names()
    cutoff = time.time() - older_than.total_seconds()
    orphans = []
    for directory, _dirs, files in os.walk(root):
        for filename in files:
            path = os.path.join(directory, filename)
            name = os.path.relpath(path, root).replace(os.sep, "/")
            if name not in referenced and os.path.getmtime(path) <= cutoff:
                orphans.append(name)
    return sorted(orphans)


def sweep_orphans(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> list[str]:
    """Delete the orphaned files; returns their names."""
    orphans = orphaned_files(older_than=older_than)
    for name in orphans:
        private_storage.delete(name)
        logger.warning("Removed the orphaned private file %s", name)
    return orphans
