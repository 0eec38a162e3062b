"""The site's default file storage: ``MEDIA_ROOT``, except researcher photos that are not shown to everyone.

A photo whose researcher chose "signed-in users" or "only me" is a Wagtail image whose file name starts with
``PRIVATE_PHOTO_PREFIX`` (``profiles.services`` names it so). Its original and every rendition Wagtail makes of
it (renditions keep the original's name as their prefix) are stored in ``PRIVATE_MEDIA_ROOT``, which no proxy
serves, and their URL is the view that checks who asks (``researcher_photo``). Every other file — public
photos, logos, documents, the bulk zip — stays in ``MEDIA_ROOT`` at ``MEDIA_URL``, as with Django's storage.
"""

import os
import re

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils.deconstruct import deconstructible

PRIVATE_PHOTO_PREFIX = "pvt-"
# Wagtail's folders of originals and renditions; a rendition's name is cut to 59 characters from the end of
# the original's, so the marker is short and only its first hex digits are required.
_PRIVATE_NAME = re.compile(rf"^(?:original_images|images)/{PRIVATE_PHOTO_PREFIX}[0-9a-f]{{4}}[^/]*$")


def is_private_name(name: str) -> bool:
    """Is this stored file a non-public researcher photo (or one of its renditions)?"""
    return bool(_PRIVATE_NAME.match(str(name).replace(os.sep, "/")))


@deconstructible(path="profiles.storage.MediaStorage")
class MediaStorage(FileSystemStorage):
    """``FileSystemStorage`` on ``MEDIA_ROOT`` that keeps non-public photos in ``PRIVATE_MEDIA_ROOT``."""

    # calls.storage's sweep of orphaned private files counts the names of rows using this storage as referenced.
    keeps_private_files = True

    @staticmethod
    def _private() -> FileSystemStorage:
        # Read on every use: tests point PRIVATE_MEDIA_ROOT at a temporary directory.
        return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)

    def path(self, name):
        if is_private_name(name):
            return self._private().path(name)
        return super().path(name)

    def _save(self, name, content):
        if is_private_name(name):
            return self._private()._save(name, content)
        return super()._save(name, content)

    def url(self, name):
        if name is not None and is_private_name(name):
            return reverse("researcher_photo", kwargs={"name": str(name).replace(os.sep, "/")})
        return super().url(name)
