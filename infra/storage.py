"""Where uploaded files live, behind one small interface: a folder on disk now, S3-compatible later.

Keys are made by Dauys (never from a file name a person sent), so a key can never reach outside the
folder.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Protocol, runtime_checkable

KEY = re.compile(r"^[a-z0-9][a-z0-9/_.-]{0,127}$")


@runtime_checkable
class FileStorage(Protocol):
    async def put(self, key: str, content: bytes) -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    async def delete(self, key: str) -> None: ...


class DiskStorage:
    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        if not KEY.fullmatch(key) or ".." in key:
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    async def put(self, key: str, content: bytes) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(path.suffix + ".part")
            temporary.write_bytes(content)
            temporary.replace(path)  # readers never see half a file

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


def make_storage() -> FileStorage:
    """The folder from DAUYS_MEDIA_DIR (default ./media beside the data)."""
    return DiskStorage(Path(os.environ.get("DAUYS_MEDIA_DIR", "media")).resolve())
