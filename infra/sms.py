"""Sending SMS: to the log (development), to a JSON-lines file (tests), or to an HTTP gateway."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

log = logging.getLogger("dauys.sms")


@runtime_checkable
class SmsSender(Protocol):
    async def send(self, to: str, text: str) -> None: ...


def mask_phone(phone: str) -> str:
    """+77011234567 → +7701*****67: enough for a person to recognise their number, not to dial it."""
    return phone[:5] + "*" * (len(phone) - 7) + phone[-2:] if len(phone) > 7 else "*" * len(phone)


class ConsoleSender:
    """Development only (refused when DAUYS_ENV=prod): prints the message so a newcomer can sign in."""

    async def send(self, to: str, text: str) -> None:
        print(f"[dauys sms] to {mask_phone(to)}: {text}", flush=True)


class FileSender:
    """Appends one JSON object a line; tests and staging read the codes from there."""

    def __init__(self, path: str):
        self.path = Path(path)

    async def send(self, to: str, text: str) -> None:
        line = json.dumps({"to": to, "text": text, "at": datetime.now(UTC).isoformat()}, ensure_ascii=False)
        await asyncio.to_thread(self._append, line)

    def _append(self, line: str) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class HttpGatewaySender:
    """POSTs {"to", "text"} as JSON to a gateway URL, with DAUYS_SMS_TOKEN as a bearer token if set."""

    def __init__(self, url: str, token: str | None):
        self.url = url
        self.token = token

    async def send(self, to: str, text: str) -> None:
        await asyncio.to_thread(self._post, json.dumps({"to": to, "text": text}).encode())

    def _post(self, body: bytes) -> None:
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=10) as answer:
            if answer.status >= 300:
                raise RuntimeError(f"SMS gateway answered {answer.status}")


def make_sender(backend: str) -> SmsSender:
    if backend == "console":
        return ConsoleSender()
    if backend.startswith("file:"):
        return FileSender(backend.removeprefix("file:"))
    if backend.startswith(("http://", "https://")):
        return HttpGatewaySender(backend, os.environ.get("DAUYS_SMS_TOKEN"))
    raise ValueError(f"DAUYS_SMS_BACKEND {backend!r}: use console, file:/path/outbox.jsonl or an https:// gateway URL")
