"""A project's photo: checked by its bytes (not by the name or type the browser claims), stored, audited."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from admin.storage import FileStorage
from admin.tables import ProjectPhoto
from core import audit
from infra.database import write_transaction
from infra.errors import FieldError, RuleBroken

MAX_BYTES = 5 * 1024 * 1024
# The route accepts a little more than the limit, so that a too-large photo gets a message, not a bare 413.
MAX_REQUEST_BYTES = MAX_BYTES + 256 * 1024
TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def sniff(content: bytes) -> str | None:
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photo(content: bytes) -> str:
    if not content:
        raise RuleBroken("Choose a photo to upload.", [FieldError("photo", "no file chosen")])
    if len(content) > MAX_BYTES:
        raise RuleBroken(f"The photo is larger than {MAX_BYTES // (1024 * 1024)} MB: make it smaller.",
                         [FieldError("photo", "larger than 5 MB")])
    content_type = sniff(content)
    if content_type is None:
        raise RuleBroken("The file is not a JPEG, PNG or WebP photo.",
                         [FieldError("photo", "not a JPEG, PNG or WebP image")])
    return content_type


async def save_photo(storage: FileStorage, actor: str, project: dict, region_path: str, content: bytes) -> dict:
    content_type = check_photo(content)
    key = f"projects/{project['id']}/{secrets.token_hex(8)}{TYPES[content_type]}"
    await storage.put(key, content)
    previous = await photo_of(project["id"])
    async with write_transaction():
        await ProjectPhoto.delete().where(ProjectPhoto.project == project["id"])
        await ProjectPhoto.insert(ProjectPhoto(project=project["id"], key=key, content_type=content_type,
                                               size=len(content), uploaded_at=datetime.now(UTC)))
        await audit.record(actor, "project.photo", f"project:{project['id']}", region_path,
                           {"key": previous["key"]} if previous else None,
                           {"key": key, "content_type": content_type, "size": len(content)})
    if previous:
        await storage.delete(previous["key"])
    return {"key": key, "content_type": content_type, "size": len(content)}


async def photo_of(project_id: int) -> dict | None:
    return await ProjectPhoto.select().where(ProjectPhoto.project == project_id).first()
