"""Photos not shown to everyone move to private storage at a new address; their old public files are deleted.

Before, every photo was stored in MEDIA_ROOT (served at /media/ to anyone with the address), whatever its
visibility. Each such photo becomes a new image in PRIVATE_MEDIA_ROOT (``profiles.storage``); the old image,
its renditions and their files go.
"""

import os
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, transaction

from profiles.storage import PRIVATE_PHOTO_PREFIX, is_private_name


def move_hidden_photos(apps, schema_editor):
    ResearcherProfile = apps.get_model("profiles", "ResearcherProfile")
    Image = apps.get_model("wagtailimages", "Image")
    Rendition = apps.get_model("wagtailimages", "Rendition")
    old_names = []
    profiles = ResearcherProfile.objects.exclude(photo=None).exclude(photo_visibility="public")
    for profile in profiles.iterator():
        old = Image.objects.get(pk=profile.photo_id)
        if is_private_name(old.file.name):
            continue
        try:
            with default_storage.open(old.file.name, "rb") as source:
                content = ContentFile(source.read())
        except FileNotFoundError:
            content = None
        if content is not None:
            extension = os.path.splitext(old.file.name)[1].lower() or ".jpg"
            name = default_storage.save(f"original_images/{PRIVATE_PHOTO_PREFIX}{uuid.uuid4().hex}{extension}", content)
            new = Image.objects.create(
                title=old.title,
                file=name,
                width=old.width,
                height=old.height,
                file_size=old.file_size,
                file_hash=old.file_hash,
                collection_id=old.collection_id,
                uploaded_by_user_id=old.uploaded_by_user_id,
                focal_point_x=old.focal_point_x,
                focal_point_y=old.focal_point_y,
                focal_point_width=old.focal_point_width,
                focal_point_height=old.focal_point_height,
            )
            profile.photo_id = new.pk
        else:
            profile.photo_id = None  # the file was already lost: nothing to move
        profile.save(update_fields=["photo"])
        old_names += [old.file.name, *Rendition.objects.filter(image_id=old.pk).values_list("file", flat=True)]
        Rendition.objects.filter(image_id=old.pk).delete()
        old.delete()

    def delete_old_files():
        for name in old_names:
            default_storage.delete(name)

    transaction.on_commit(delete_old_files)


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0006_directory_indexes"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(move_hidden_photos, migrations.RunPython.noop)]
