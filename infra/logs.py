"""Logs an operations team can ship: one line per event, as text or as JSON, each with its request's id.

The id comes from the caller's `X-Request-Id` when it is a sane token (a load balancer's, so one request can
be followed through both), else a new one; it goes back in the answer's `X-Request-Id`. Log lines never carry
request text beyond what the code puts in them: no body, no query, no phone (see test_secrets_hygiene).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
_SANE_ID = re.compile(rb"[A-Za-z0-9._-]{8,64}")
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("dauys_request_id", default=None)

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
# Fields of a LogRecord that are its own machinery, not something a caller attached with `extra=`.
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _RECORD_FIELDS})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(log_format: str, level: str = "INFO") -> dict[str, Any]:
    """A logging.config.dictConfig for Dauys and uvicorn's own loggers (uvicorn applies it in each worker)."""
    formatter = {"()": JsonFormatter} if log_format == "json" else {"format": TEXT_FORMAT}
    handler = {"class": "logging.StreamHandler", "formatter": "dauys", "filters": ["request_id"],
               "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"dauys": formatter},
        "handlers": {"dauys": handler},
        "loggers": {
            "dauys": {"handlers": ["dauys"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["dauys"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": ["dauys"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["dauys"], "level": "WARNING"},
    }


class RequestIds:
    """ASGI middleware: every request runs with its id set, so every line it logs carries it (uvicorn's
    access line too: it is written from inside the answer's `send`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((value for name, value in scope["headers"] if name == REQUEST_ID_HEADER), b"")
        value = given.decode() if _SANE_ID.fullmatch(given) else secrets.token_hex(8)
        token = request_id.set(value)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, value.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
