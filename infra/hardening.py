"""The outermost layer of every answer: input no handler should ever see, and the headers every page needs.

Decoders and databases disagree about NUL bytes and unpaired surrogates (PostgreSQL refuses both in text,
SQLite stores them, a log line or an SMS gateway may be cut by them), and a JSON document nested
thousands of levels deep costs the decoder stack and time before any schema is checked. Refusing them here,
as a 400 problem document that says what was wrong, keeps them away from every route at once, including
the console's forms and routes written later.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from litestar.types import ASGIApp, BeforeMessageSendHookHandler, Message, Receive, Scope, Send

MAX_JSON_DEPTH = 64
# The body limit of the app (server.app.MAX_BODY_BYTES) refuses larger bodies; past this the check stops
# buffering and lets that limit answer.
MAX_CHECKED_BODY = 64 * 1024

_NUL_ESCAPE = re.compile(rb"\\u0000")
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)

SECURITY_HEADERS = [
    # Nothing of Dauys may be framed (a ballot page inside another site is a clickjacking target), no
    # plugin runs, and a form posts only back to Dauys. Scripts and styles are not restricted here: the
    # API page's Swagger UI initialises itself inline.
    (b"content-security-policy",
     b"frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True when arrays and objects nest deeper than `limit`, brackets inside strings not counted."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _decodes(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def target_problem(scope: Scope) -> str | None:
    """Why the request line cannot be served, or None."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    path = unquote_to_bytes(raw_path)
    query = unquote_to_bytes(scope.get("query_string", b"").replace(b"+", b" "))
    if b"\x00" in path or b"\x00" in query:
        return "The address holds a NUL character (%00), which no Dauys address or parameter can contain."
    if not _decodes(path) or not _decodes(query) or not _decodes(scope["path"].encode("utf-8", "surrogatepass")):
        return "The address is not valid UTF-8 once its %-escapes are decoded: send text as UTF-8."
    return None


def body_problem(body: bytes, content_type: bytes) -> str | None:
    """Why the body cannot be read, or None. Only the text kinds that handlers decode are checked: an
    uploaded photo is binary and holds NUL bytes as a matter of course."""
    json_body, form = b"json" in content_type, b"x-www-form-urlencoded" in content_type
    if not body or not (json_body or form or content_type.startswith(b"text/")):
        return None
    if b"\x00" in body:
        return "The body holds a NUL byte, which no field of Dauys can contain."
    text = unquote_to_bytes(body.replace(b"+", b" ")) if form else body
    if form and b"\x00" in text:
        return "A form field holds a NUL character (%00), which no field of Dauys can contain."
    if not _decodes(text):
        return "The body is not valid UTF-8: send text as UTF-8."
    if json_body:
        if _NUL_ESCAPE.search(body):
            return "A string in the body holds a NUL character (\\u0000), which no field of Dauys can contain."
        if _LONE_SURROGATE.search(body):
            return ("A string in the body holds an unpaired surrogate escape (\\ud800-\\udfff): "
                    "send text as UTF-8 or as paired escapes.")
        if _json_depth_exceeds(body, MAX_JSON_DEPTH):
            return f"The JSON body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels."
    return None


async def _refuse(send: Send, detail: str) -> None:
    content = json.dumps({"type": "about:blank", "status": 400, "title": "Malformed request",
                          "detail": detail}).encode()
    await send({"type": "http.response.start", "status": 400, "headers": [
        (b"content-type", b"application/problem+json"), (b"content-length", str(len(content)).encode())]})
    await send({"type": "http.response.body", "body": content, "more_body": False})


class InputGuard:
    """ASGI middleware: refuses an unreadable address or body with 400 before any handler decodes it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = target_problem(scope)
        if problem:
            await _refuse(send, problem)
            return
        content_type = next((v.lower() for k, v in scope["headers"] if k == b"content-type"), b"")
        chunks, size, more = [], 0, True
        while more and size <= MAX_CHECKED_BODY:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away: pass what it said on, the app sees the disconnect as usual.
                chunks.append(message)
                break
            chunks.append(message)
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        if not more and chunks and chunks[-1]["type"] == "http.request":
            problem = body_problem(b"".join(m.get("body", b"") for m in chunks), content_type)
            if problem:
                await _refuse(send, problem)
                return

        async def replay() -> Message:
            return chunks.pop(0) if chunks else await receive()

        await self.app(scope, replay, send)


def security_headers(production: bool) -> BeforeMessageSendHookHandler:
    """A hook on every answer the app sends, routed or not (404, 405 and static files included)."""
    headers = [*SECURITY_HEADERS, HSTS] if production else SECURITY_HEADERS

    async def add(message: Message, _: Scope) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            message["headers"] = [*message.get("headers", []), *(h for h in headers if h[0] not in present)]

    return add
