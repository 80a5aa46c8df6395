"""A project's photo: checked and re-encoded (infra.images), stored, audited."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from admin.tables import ProjectPhoto
from core import audit
from infra.database import write_transaction
from infra.images import clean_photo
from infra.storage import FileStorage


async def save_photo(storage: FileStorage, actor: str, project_id: int, region_path: str, content: bytes) -> dict:
    photo = clean_photo(content)
    content_type = photo.content_type
    key = f"projects/{project_id}/{secrets.token_hex(8)}{photo.suffix}"
    await storage.put(key, photo.content)
    previous = await photo_of(project_id)
    async with write_transaction():
        await ProjectPhoto.delete().where(ProjectPhoto.project == project_id)
        await ProjectPhoto.insert(ProjectPhoto(project=project_id, key=key, content_type=content_type,
                                               size=len(photo.content), uploaded_at=datetime.now(UTC)))
        await audit.record(actor, "project.photo", f"project:{project_id}", region_path,
                           {"key": previous["key"]} if previous else None,
                           {"key": key, "content_type": content_type, "size": len(photo.content)})
    if previous:
        await storage.delete(previous["key"])
    return {"key": key, "content_type": content_type, "size": len(photo.content)}


async def photo_of(project_id: int) -> dict | None:
    return await ProjectPhoto.select().where(ProjectPhoto.project == project_id).first()
