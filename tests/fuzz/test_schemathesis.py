"""Bad input at scale: schemathesis generates requests for every operation of /schema/openapi.json.

A real `dauys serve` answers them, once with a staff token and once with a registered resident's,
with valid and invalid inputs alike; no answer may be a 5xx or break the published schema (status
code, content type, headers, body). The server gets its own database and, on PostgreSQL, its own
Redis, so that what the fuzzer creates and the rate-limit counters it fills touch no other test.
"""

from __future__ import annotations

import uuid
from datetime import date

import hypothesis
import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import BASE_URL, POSTGRES
from tests.faults.services import PrivateRedis
from tests.faults.steps import ALMALY, dauys, staff_headers
from tests.helpers import resident
from tests.servers import Server

EXAMPLES_PER_OPERATION = 40
AT_LEAST = 2_000
ADMIN_URL = BASE_URL.rsplit("/", 1)[0] + "/postgres"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
async def fuzz_target(tmp_path):
    """A server on a database of its own with the demo's regions, staff and open round, and a resident."""
    redis = None
    env = {"DAUYS_SMS_BACKEND": f"file:{tmp_path / 'outbox.jsonl'}", "DAUYS_REDIS_URL": ""}
    if POSTGRES:
        import asyncpg

        name = f"dauys_fuzz_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(ADMIN_URL)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        env["DAUYS_DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        redis = PrivateRedis().start()
        env["DAUYS_REDIS_URL"] = redis.url
    else:
        env["DAUYS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'fuzz.db'}"
    dauys(env, "demo")
    server = Server(tmp_path, env=env).start()
    try:
        async with server.client() as client:
            staff = await staff_headers(client)
            voter = await resident(client, tmp_path / "outbox.jsonl", ALMALY, date(1990, 1, 1))
        yield server, {"staff": staff, "resident": voter["headers"]}
    finally:
        server.stop()
        if redis:
            redis.destroy()
        if POSTGRES:
            admin = await asyncpg.connect(ADMIN_URL)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


def fuzz(operation, headers: dict[str, str], sent: list[int]) -> None:
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate, Phase.shrink],
                         suppress_health_check=list(HealthCheck))
    @hypothesis.given(case=strategy)
    def run(case):
        sent[0] += 1
        case.call_and_validate(headers={**(case.headers or {}), **headers}, checks=CHECKS, timeout=30)

    run()


def test_no_generated_request_gets_a_5xx_or_breaks_the_schema(fuzz_target):
    server, tokens = fuzz_target
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")
    sent, failures, operations = [0], [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for who, headers in tokens.items():
            try:
                fuzz(operation, headers, sent)
            # Schemathesis raises its findings as an exception group: collect every operation's, not only the first.
            except (Exception, BaseExceptionGroup) as failure:
                failures.append(f"{operation.method.upper()} {operation.path} as {who}: {failure}")
    assert operations >= 30, "the OpenAPI document lost operations"
    assert not failures, "\n\n".join(failures)
    print(f"{sent[0]} generated requests over {operations} operations")
    assert sent[0] >= AT_LEAST, f"only {sent[0]} requests were generated"


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


# Unpaired surrogates cannot be put in an address (a client must encode it as UTF-8 first): they go in bodies.
HOSTILE_TEXT = ["a\x00b", "\x00", "1\n2", "x" * 5000]
HOSTILE_BODIES = [{"phone": "\x00", "email": "a\x00@b", "iin": "\ud800"}, "\ud83d", _nested(200),
                  {"choices": _nested(100)}, 10 ** 400 // 10 ** 380]


def hostile_cases(operation):
    """The inputs a probe sent by hand, in every place an operation takes text: path, query and body."""
    path_names = [p.name for p in operation.path_parameters]
    query_names = [p.name for p in operation.query]
    for text in HOSTILE_TEXT:
        if path_names:
            yield operation.Case(path_parameters={name: text for name in path_names})
        if query_names:
            yield operation.Case(path_parameters={name: "1" for name in path_names},
                                 query={name: text for name in query_names})
    if operation.body:
        for body in HOSTILE_BODIES:
            yield operation.Case(path_parameters={name: "1" for name in path_names}, body=body,
                                 media_type="application/json")


def test_nul_bytes_surrogates_and_deep_json_in_every_operation_get_a_4xx(fuzz_target):
    server, tokens = fuzz_target
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")
    sent, failures = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        for case in hostile_cases(operation):
            for who, headers in tokens.items():
                sent += 1
                try:
                    case.call_and_validate(headers={**(case.headers or {}), **headers}, checks=CHECKS, timeout=30)
                except (Exception, BaseExceptionGroup) as failure:
                    failures.append(f"{operation.method.upper()} {operation.path} as {who} with "
                                    f"{case.path_parameters} {case.query} {str(case.body)[:60]}: {failure}")
    assert not failures, "\n\n".join(failures[:20])
    print(f"{sent} hostile requests")
    assert sent >= 200, f"only {sent} hostile requests were made: operations lost their parameters?"
