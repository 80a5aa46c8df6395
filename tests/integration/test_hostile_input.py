"""Input that no handler should see: NUL bytes, unpaired surrogates, JSON nested to exhaust the decoder,
numbers and strings past any sane size. Each gets a 4xx problem document and changes nothing; none a 500.

And the headers every answer carries, routed or not: no framing, no sniffing, no referrer leaks.
"""

from __future__ import annotations

import json
import logging

import pytest

from infra.hardening import MAX_JSON_DEPTH, InputGuard, security_headers
from tests.helpers import resident, round_body, staff_headers

PROBLEM = "application/problem+json"


def _is_problem(answer, *statuses: int) -> None:
    assert answer.status_code in statuses, (answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert answer.json()["detail"]


@pytest.fixture
async def staff(client):
    return await staff_headers(client, "hostile@dauys.test", "Hostile-Input-2026", "750000000")


@pytest.mark.parametrize("path", [
    "/api/v1/receipts/abc%00def",
    "/api/v1/receipts/%00",
    "/api/v1/rounds?region=75%0011",
    "/api/v1/rounds?status=voting%00",
    "/api/v1/receipts/%ED%A0%80",  # a surrogate, percent-encoded as UTF-8 bytes it cannot be
    "/api/v1/receipts/%FF%FE",
])
async def test_an_address_with_a_nul_or_broken_utf8_gets_400(client, path):
    _is_problem(await client.get(path), 400)


@pytest.mark.parametrize("body", [
    b'{"phone": "+7701\\u00001234567"}',
    b'{"phone": "+7701\x001234567"}',
    b'{"phone": "\\ud800"}',
    b'{"phone": "\\udc00+77011234567"}',
    b'{"phone": "+77011234567\\ud83d"}',
])
async def test_a_nul_or_unpaired_surrogate_in_a_json_string_gets_400(client, body):
    answer = await client.post("/api/v1/auth/otp", content=body, headers={"content-type": "application/json"})
    _is_problem(answer, 400)


async def test_a_paired_surrogate_escape_is_ordinary_text(client, staff):
    """An emoji written as a surrogate pair is valid JSON for text: the guard must not refuse it."""
    body = round_body(title={"ru": "Парк \U0001F333", "kk": "Саябақ"})
    raw = json.dumps(body, ensure_ascii=True).encode()
    assert b"\\ud83c\\udf33" in raw
    answer = await client.post("/api/v1/admin/rounds", content=raw,
                               headers={**staff, "content-type": "application/json"})
    assert answer.status_code == 201, answer.text
    assert "\U0001F333" in json.dumps(answer.json(), ensure_ascii=False)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 30_000])
async def test_json_nested_past_the_limit_gets_400(client, depth):
    body = b"[" * depth + b"]" * depth
    answer = await client.post("/api/v1/auth/otp", content=body, headers={"content-type": "application/json"})
    _is_problem(answer, 400)
    assert str(MAX_JSON_DEPTH) in answer.json()["detail"]


async def test_brackets_inside_strings_do_not_count_as_nesting(client, outbox):
    """A resident's text full of brackets is not a deep document."""
    answer = await client.post("/api/v1/auth/otp", content=b'{"phone": "' + b"[{" * 40 + b'"}',
                               headers={"content-type": "application/json"})
    _is_problem(answer, 422)  # a bad phone, said as such: the guard let it through


async def test_a_nul_in_a_staff_email_or_password_gets_400_and_no_session(client):
    for field in ("email", "password"):
        body = {"email": "hostile@dauys.test", "password": "Hostile-Input-2026"}
        body[field] += "\u0000"
        _is_problem(await client.post("/api/v1/admin/session", json=body), 400)


async def test_a_nul_in_a_console_form_gets_400(client):
    answer = await client.post("/console/sign-in", content=b"email=a%00b%40dauys.test&password=x",
                               headers={"content-type": "application/x-www-form-urlencoded"})
    _is_problem(answer, 400)


@pytest.mark.parametrize("budget", ["1e400", "123456789012345678901234567890", "-1", "1.5", "NaN"])
async def test_an_oversized_or_odd_number_gets_a_4xx_and_no_round(client, staff, budget):
    body = json.dumps(round_body(title={"ru": f"Бюджет {budget}", "kk": "Бюджет"}))
    body = body.replace('"budget": 50000000', f'"budget": {budget}')
    answer = await client.post("/api/v1/admin/rounds", content=body.encode(),
                               headers={**staff, "content-type": "application/json"})
    _is_problem(answer, 400, 422)
    listed = await client.get("/api/v1/admin/rounds", headers={**staff, "Accept-Language": "ru"})
    assert listed.status_code == 200
    assert f"Бюджет {budget}" not in listed.text, "a refused round was stored"


async def test_an_oversized_string_gets_a_4xx(client, staff, outbox):
    who = await resident(client, outbox)
    long_phone = {"phone": "+7701" + "1" * 60_000}
    _is_problem(await client.post("/api/v1/auth/otp", json=long_phone), 400, 413, 422)
    title = {"ru": "Я" * 30_000, "kk": "Бюджет"}
    _is_problem(await client.post("/api/v1/admin/rounds", json=round_body(title=title), headers=staff),
                400, 413, 422)
    _is_problem(await client.put("/api/v1/me/residency", json={"iin": "9" * 50_000, "region": "751110000"},
                                 headers=who["headers"]), 400, 409, 413, 422)


async def test_the_500_handler_logs_the_route_not_the_address(client, caplog):
    """A forged line in the address (a newline, then text that looks like a log entry) never reaches the log."""
    from infra.problems import route_of

    class Request:
        scope = {"path_template": "/api/v1/receipts/{receipt:str}", "path": "/api/v1/receipts/x\nFORGED"}

    assert route_of(Request()) == "/api/v1/receipts/{receipt:str}"
    with caplog.at_level(logging.WARNING):
        await client.get("/api/v1/receipts/x%0AFORGED%20ERROR%20admin%20logged%20in")
    assert "FORGED" not in caplog.text


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/regions", "/console/sign-in", "/nowhere",
                                  "/api/v1/receipts/abc%00def", "/"])
async def test_every_answer_carries_the_security_headers(client, path):
    answer = await client.get(path)
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in answer.headers  # dev and test are served over plain HTTP


async def test_hsts_only_in_production():
    sent = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def send(message):
        sent.append(message)

    for production in (True, False):
        hook = security_headers(production)
        message = {"type": "http.response.start", "status": 200, "headers": []}
        await hook(message, {})
        names = {name for name, _ in message["headers"]}
        assert (b"strict-transport-security" in names) is production
    # the guard itself passes a clean request through untouched
    guard = InputGuard(app)

    async def receive():
        return {"type": "http.request", "body": b"{}", "more_body": False}

    await guard({"type": "http", "path": "/api/v1/health", "raw_path": b"/api/v1/health", "query_string": b"",
                 "headers": [(b"content-type", b"application/json")]}, receive, send)
    assert sent[0]["status"] == 200
