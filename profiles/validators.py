"""Validators for uploads and identifiers on profiles and organisations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from PIL import Image, UnidentifiedImageError

LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}


def validate_logo(upload) -> None:
    """Accept PNG, JPEG or WebP images up to LOGO_MAX_BYTES, judged by content, not name."""
    limit = settings.LOGO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The logo is %(size)s; the limit is %(limit)s. Please upload a smaller image.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image we can read. Please upload a PNG, JPEG or WebP image."),
            code="invalid_image",
        ) from None
    finally:
        upload.seek(position)
    if image_format not in LOGO_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted. Please upload a PNG, JPEG or WebP image.")
            % {"format": image_format},
            code="invalid_image_type",
        )
