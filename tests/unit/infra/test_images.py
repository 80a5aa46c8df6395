"""Uploaded photos are re-encoded without their metadata: a phone's EXIF names where it was taken."""

import io

import pytest
from PIL import Image

from infra.errors import RuleBroken
from infra.images import MAX_BYTES, clean_photo
from tests.helpers import photo_bytes


def gps_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[2] = (43.0, 14.0, 24.0)  # GPSLatitude
    gps[4] = (76.0, 54.0, 36.0)  # GPSLongitude
    return exif.tobytes()


@pytest.mark.parametrize("kind,content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                                ("WEBP", "image/webp")])
def test_the_location_and_every_other_tag_are_removed(kind, content_type):
    sent = photo_bytes(kind, exif=gps_exif())
    assert b"PhoneMaker" in sent
    photo = clean_photo(sent)
    assert photo.content_type == content_type and b"PhoneMaker" not in photo.content
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.format == kind and image.size == (8, 6)
        assert not image.getexif()


def test_a_sideways_phone_photo_is_stored_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    photo = clean_photo(photo_bytes("JPEG", size=(8, 6), exif=exif.tobytes()))
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.size == (6, 8)


@pytest.mark.parametrize("content,message", [
    (b"", "no file chosen"),
    (b"hello", "not a JPEG, PNG or WebP image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a readable image"),
    (b"\xff\xd8\xff" + b"\x00" * (MAX_BYTES + 1), "larger than 5 MB"),
])
def test_what_is_not_a_photo_is_refused_by_its_bytes(content, message):
    with pytest.raises(RuleBroken) as refused:
        clean_photo(content)
    assert refused.value.errors[0].message == message


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")  # 100 megapixels in a few kilobytes
    with pytest.raises(RuleBroken) as refused:
        clean_photo(out.getvalue())
    assert refused.value.errors[0].message in ("more than 60 megapixels", "not a readable image")
