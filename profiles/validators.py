"""Validators for uploads and identifiers on profiles and organisations."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from PIL import Image, UnidentifiedImageError

from hub.uploads import frame_count

LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}


def _check_pixels(upload, width: int, height: int, *, too_large: str) -> None:
    """Refuse an image whose frames together pass PHOTO_MAX_PIXELS, from its header (nothing decoded)."""
    frames = frame_count(upload)
    if width * height * frames <= PHOTO_MAX_PIXELS:
        return
    limit = PHOTO_MAX_PIXELS // 1_000_000
    if frames > 1:
        message = _(
            "This image is an animation of %(frames)s frames of %(width)s × %(height)s pixels; all frames "
            "together may be at most %(limit)s megapixels. Please upload a still image."
        )
    else:
        message = too_large
    raise ValidationError(
        message % {"frames": frames, "width": width, "height": height, "limit": limit}, code="too_many_pixels"
    )


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
        with Image.open(upload) as image:  # reads the header only
            image_format = image.format
            width, height = image.size
            # Checked before anything is decoded: a tiny file can declare billions of pixels or frames.
            _check_pixels(
                upload,
                width,
                height,
                too_large=_(
                    "The logo is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels. "
                    "Please upload a smaller image."
                ),
            )
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
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


def orcid_checksum(base_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an ORCID iD's first 15 digits."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalise_orcid(value: str) -> str:
    """Accept "0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097" or the 16 bare characters."""
    value = (value or "").strip()
    for prefix in ("https://orcid.org/", "http://orcid.org/", "orcid.org/"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
    compact = value.replace("-", "").replace(" ", "").upper()
    if len(compact) == 16:
        return "-".join(compact[i : i + 4] for i in range(0, 16, 4))
    return value


def validate_orcid(value: str) -> None:
    """An ORCID iD: four groups of four digits (the last may be X) whose check character is right."""
    compact = normalise_orcid(value).replace("-", "")
    # ASCII only: "²".isdigit() is true, and the checksum's int() would then fail.
    digits = compact.isascii() and compact[:15].isdigit()
    if len(compact) != 16 or not digits or not (compact[15].isdigit() or compact[15] == "X"):
        raise ValidationError(
            _("An ORCID iD looks like 0000-0002-1825-0097: sixteen digits in groups of four (the last may be X)."),
            code="invalid_orcid_format",
        )
    if orcid_checksum(compact[:15]) != compact[15]:
        raise ValidationError(
            _("This ORCID iD's check digit does not match; please copy it again from orcid.org."),
            code="invalid_orcid_checksum",
        )


DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")


def normalise_doi(value: str) -> str:
    """Strip "https://doi.org/" or "doi:" so that a DOI is stored as 10.xxxx/…"""
    value = (value or "").strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if value.lower().startswith(prefix):
            return value[len(prefix) :]
    return value


def validate_doi(value: str) -> None:
    """A DOI: "10." then a registrant code of 4 to 9 digits, a slash and a suffix without spaces."""
    if not DOI_PATTERN.match(normalise_doi(value)):
        raise ValidationError(
            _("A DOI looks like 10.1000/xyz123 (with or without https://doi.org/ in front)."), code="invalid_doi"
        )


PHOTO_FORMATS = {"PNG", "JPEG", "WEBP"}
# Decoding is what costs memory, so a photo's pixel count is checked from its header first.
PHOTO_MAX_PIXELS = 40_000_000


def photo_max_bytes() -> int:
    return getattr(settings, "PROFILE_PHOTO_MAX_BYTES", settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)


def _looks_like_markup(upload) -> bool:
    upload.seek(0)
    head = upload.read(512).lstrip().lower()
    return head.startswith((b"<", b"\xef\xbb\xbf<")) or b"<svg" in head


def validate_photo(upload) -> None:
    """A profile photo: JPEG, PNG or WebP judged by content, at most ``photo_max_bytes()`` and 40 megapixels.

    The size and the pixel count are checked before anything is decoded; SVG (which can
    carry scripts) and anything Pillow cannot identify are refused.
    """
    limit = photo_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The photo is %(size)s; the limit is %(limit)s. Please upload a smaller image.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_too_large",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        if _looks_like_markup(upload):
            raise ValidationError(
                _("SVG and other text files are not accepted as photos. Please upload a JPEG, PNG or WebP image."),
                code="invalid_image_type",
            )
        upload.seek(0)
        try:
            with Image.open(upload) as image:  # reads the header only
                image_format = image.format
                width, height = image.size
                if image_format not in PHOTO_FORMATS:
                    raise ValidationError(
                        _("%(format)s images are not accepted. Please upload a JPEG, PNG or WebP image.")
                        % {"format": image_format},
                        code="invalid_image_type",
                    )
                # Every frame of an animation is decoded when it is resized: count them all.
                _check_pixels(
                    upload,
                    width,
                    height,
                    too_large=_(
                        "The photo is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels. "
                        "Please upload a smaller image."
                    ),
                )
                image.verify()
        except ValidationError:
            raise
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
            raise ValidationError(
                _("This file is not an image we can read. Please upload a JPEG, PNG or WebP image."),
                code="invalid_image",
            ) from None
    finally:
        upload.seek(position)
