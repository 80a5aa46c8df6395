"""Photos people upload: checked by their bytes (not by the name or type the browser claims) and re-encoded, so
that what is stored and shown carries no EXIF (a phone's photo names the place it was taken, often a home) and
no payload hidden behind a valid header.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from infra.errors import FieldError, RuleBroken

MAX_BYTES = 5 * 1024 * 1024
# The route accepts a little more than the limit, so that a too-large photo gets a message, not a bare 413.
MAX_REQUEST_BYTES = MAX_BYTES + 256 * 1024
# A 5 MB file can claim a billion pixels (a decompression bomb); a phone's camera has about 50 million.
MAX_PIXELS = 60_000_000
TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


@dataclass(frozen=True)
class Photo:
    content: bytes
    content_type: str

    @property
    def suffix(self) -> str:
        return TYPES[self.content_type]


def sniff(content: bytes) -> str | None:
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photo(content: bytes, field: str = "photo") -> str:
    if not content:
        raise RuleBroken("Choose a photo to upload.", [FieldError(field, "no file chosen")])
    if len(content) > MAX_BYTES:
        raise RuleBroken("The photo is larger than {megabytes} MB: make it smaller.",
                         [FieldError(field, "larger than 5 MB")], megabytes=MAX_BYTES // (1024 * 1024))
    content_type = sniff(content)
    if content_type is None:
        raise RuleBroken("The file is not a JPEG, PNG or WebP photo.",
                         [FieldError(field, "not a JPEG, PNG or WebP image")])
    return content_type


def clean_photo(content: bytes, field: str = "photo") -> Photo:
    """The photo re-encoded in its own format, turned upright, without its metadata (EXIF, XMP, comments)."""
    content_type = check_photo(content, field)
    unreadable = RuleBroken("The photo cannot be read: it is damaged or not really an image.",
                            [FieldError(field, "not a readable image")])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise RuleBroken("The photo has too many pixels: send one of at most 60 megapixels.",
                                     [FieldError(field, "more than 60 megapixels")])
                upright = ImageOps.exif_transpose(image)
                upright.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise unreadable from exc
    target = FORMATS[content_type]
    if target == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    # Only the pixels are written: no exif=, no icc/xmp, so nothing the camera recorded survives.
    upright.info.clear()
    out = io.BytesIO()
    options = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True},
               "WEBP": {"quality": 85}}[target]
    upright.save(out, format=target, **options)
    return Photo(out.getvalue(), content_type)
