"""Project photos as the resident site sees them. Photos are uploaded by staff (admin/), which the resident
face never imports: the wiring (server/app.py) hands the site something that answers these two questions."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class ProjectPhotos(Protocol):
    async def with_photo(self, project_ids: list[int]) -> set[int]:
        """Which of these projects have a photo."""
        ...

    async def photo(self, project_id: int) -> tuple[bytes, str] | None:
        """The photo's bytes and content type, or None."""
        ...


class NoPhotos:
    async def with_photo(self, project_ids: list[int]) -> set[int]:
        return set()

    async def photo(self, project_id: int) -> tuple[bytes, str] | None:
        return None
