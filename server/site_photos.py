"""Project photos for the resident site: staff upload them (admin.photos), the public sees them. The two faces
never import each other, so the wiring hands the site this reader (mobile_api.site.photos.ProjectPhotos)."""

from __future__ import annotations

from admin.photos import photo_of
from admin.tables import ProjectPhoto
from infra.storage import FileStorage, make_storage


class StoredPhotos:
    def __init__(self, storage: FileStorage | None = None):
        self.storage = storage or make_storage()

    async def with_photo(self, project_ids: list[int]) -> set[int]:
        if not project_ids:
            return set()
        rows = await ProjectPhoto.select(ProjectPhoto.project).where(ProjectPhoto.project.is_in(project_ids))
        return {row["project"] for row in rows}

    async def photo(self, project_id: int) -> tuple[bytes, str] | None:
        stored = await photo_of(project_id)
        content = await self.storage.get(stored["key"]) if stored else None
        return (content, stored["content_type"]) if stored and content is not None else None
