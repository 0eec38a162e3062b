"""Private file storage: proposal attachments live outside MEDIA_ROOT and are served by a view that checks visibility."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


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


private_storage = PrivateStorage()


def get_private_storage():
    """Callable for FileField(storage=…), so migrations do not record the path."""
    return private_storage
