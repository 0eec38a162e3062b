"""Content checks shared by every upload: ZIP containers (Office files) and markup disguised as data."""

import zipfile

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from PIL import Image, UnidentifiedImageError

# An Office document of a few MB inflates to tens of MB at most; far beyond that it is a bomb.
ZIP_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 200
ZIP_MAX_MEMBERS = 10_000
# All frames of an animation together (the same budget as a profile photo); stills keep Wagtail's limit.
ANIMATION_MAX_PIXELS = 40_000_000
MARKUP_STARTS = (b"<!doctype", b"<html", b"<?xml", b"<svg", b"<script", b"<body", b"<head", b"<iframe")


def zip_problem(upload, *, name: str = "") -> str:
    """Why a ZIP-based upload (.docx, .xlsx, .odt, .ods) must be refused, or "" when it is acceptable.

    Reads only the archive's directory (no member is inflated): too many members, a total uncompressed
    size above ``ZIP_MAX_UNCOMPRESSED_BYTES`` or a compression ratio above ``ZIP_MAX_RATIO`` is a bomb.
    """
    name = name or getattr(upload, "name", "") or _("The file")
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return _("“%(name)s” is not a readable document: its archive is damaged.") % {"name": name}
    finally:
        upload.seek(position)
    if len(members) > ZIP_MAX_MEMBERS:
        return _("“%(name)s” holds %(count)s parts; documents may hold at most %(limit)s.") % {
            "name": name,
            "count": len(members),
            "limit": ZIP_MAX_MEMBERS,
        }
    uncompressed = sum(member.file_size for member in members)
    compressed = max(1, getattr(upload, "size", 0) or sum(member.compress_size for member in members))
    if uncompressed > ZIP_MAX_UNCOMPRESSED_BYTES or uncompressed / compressed > ZIP_MAX_RATIO:
        return _(
            "“%(name)s” would be %(size)s uncompressed; documents may be at most %(limit)s uncompressed. "
            "Save it again without embedded media, or split it."
        ) % {
            "name": name,
            "size": filesizeformat(uncompressed),
            "limit": filesizeformat(ZIP_MAX_UNCOMPRESSED_BYTES),
        }
    return ""


def looks_like_markup(head: bytes) -> bool:
    """Whether the first bytes of a "text" file are HTML, XML or SVG (which a browser could run)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(MARKUP_STARTS)


# Extension → what the first bytes must say (Wagtail documents; WAGTAILDOCS_EXTENSIONS lists the extensions).
DOCUMENT_MAGIC = {"pdf": (b"%PDF-",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "odt": (b"PK\x03\x04",)}
ZIP_DOCUMENT_MARKERS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "odt": "content.xml"}
TEXT_EXTENSIONS = {"csv", "txt"}


def document_problem(upload, *, name: str) -> str:
    """Why an uploaded document's content does not match its extension, or "" when it does."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(position)
    wrong = _("The content of “%(name)s” is not a .%(ext)s file. Check that you picked the right file.") % {
        "name": name,
        "ext": extension,
    }
    if extension in TEXT_EXTENSIONS:
        if b"\x00" in head or looks_like_markup(head) or head.startswith(tuple(m[0] for m in DOCUMENT_MAGIC.values())):
            return wrong
        return ""
    if extension not in DOCUMENT_MAGIC:
        return ""
    if not head.startswith(DOCUMENT_MAGIC[extension]):
        return wrong
    if extension in ZIP_DOCUMENT_MARKERS:
        problem = zip_problem(upload, name=name)
        if problem:
            return problem
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                if ZIP_DOCUMENT_MARKERS[extension] not in archive.namelist():
                    return wrong
        finally:
            upload.seek(position)
    return ""


def animation_problem(upload, *, max_pixels: int) -> str:
    """Why an image must be refused because all its frames together are too many pixels, or "" (header only)."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:  # reads the header only
            width, height = image.size
        frames = frame_count(upload)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return ""  # Wagtail's own field explains unreadable images
    finally:
        upload.seek(position)
    if frames > 1 and width * height * frames > max_pixels:
        return _(
            "This animation has %(frames)s frames of %(width)s × %(height)s pixels; all frames together may be at "
            "most %(limit)s megapixels. Upload a still image or a shorter animation."
        ) % {"frames": frames, "width": width, "height": height, "limit": max_pixels // 1_000_000}
    return ""


def frame_count(upload) -> int:
    """How many frames a GIF, WebP or (A)PNG holds, read from its block structure without decoding any.

    Pillow's ``n_frames`` decodes every frame of a GIF or WebP to count them, which is the very cost an
    animation bomb relies on.
    """
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    data = upload.read()
    upload.seek(position)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _gif_frames(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_frames(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _apng_frames(data)
    return 1


def _gif_frames(data: bytes) -> int:
    frames, i = 0, 13
    if len(data) > 10 and data[10] & 0x80:
        i += 3 * (2 ** ((data[10] & 0x07) + 1))
    while i < len(data):
        block = data[i]
        if block == 0x3B:  # trailer
            break
        if block == 0x21:  # extension: label, then sub-blocks
            i += 2
        elif block == 0x2C:  # image descriptor, optional local colour table, LZW code size, sub-blocks
            frames += 1
            flags = data[i + 9] if i + 9 < len(data) else 0
            i += 10
            if flags & 0x80:
                i += 3 * (2 ** ((flags & 0x07) + 1))
            i += 1
        else:
            break
        while i < len(data) and data[i]:
            i += data[i] + 1
        i += 1
    return max(frames, 1)


def _webp_frames(data: bytes) -> int:
    frames, i = 0, 12
    while i + 8 <= len(data):
        size = int.from_bytes(data[i + 4 : i + 8], "little")
        if data[i : i + 4] == b"ANMF":
            frames += 1
        i += 8 + size + (size & 1)
    return max(frames, 1)


def _apng_frames(data: bytes) -> int:
    i = 8
    while i + 8 <= len(data):
        size = int.from_bytes(data[i : i + 4], "big")
        kind = data[i + 4 : i + 8]
        if kind == b"acTL" and size >= 4:
            return max(int.from_bytes(data[i + 8 : i + 12], "big"), 1)
        if kind in (b"IDAT", b"IEND"):
            break
        i += 12 + size
    return 1
