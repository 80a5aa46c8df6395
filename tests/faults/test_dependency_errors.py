"""Which errors mean "a dependency is down" (503 with Retry-After) and which remain bugs (500)."""

from __future__ import annotations

import sqlite3

import asyncpg
import pytest
import redis.exceptions

from infra.problems import dependency_down, unexpected_error_handler


class FakeRequest:
    method = "PUT"
    scope = {"path_template": "/api/v1/rounds/{round_id}/ballot", "path": "/api/v1/rounds/1/ballot"}
    headers: dict[str, str] = {}


@pytest.mark.parametrize("error", [
    ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
    OSError("Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432), [Errno 111] ..."),
    TimeoutError(),
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
    asyncpg.InterfaceError("connection is closed"),
    redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
    redis.exceptions.TimeoutError("Timeout reading from socket"),
    sqlite3.OperationalError("database is locked"),
])
def test_a_dependency_that_is_down_answers_503_with_retry_after(error):
    assert dependency_down(error)
    answer = unexpected_error_handler(FakeRequest(), error)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"].isdigit()


@pytest.mark.parametrize("error", [
    ValueError("a bug"),
    KeyError("choices"),
    FileNotFoundError(2, "No such file or directory"),
    PermissionError(13, "Permission denied"),
    asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    asyncpg.exceptions.UniqueViolationError("duplicate key value"),
    sqlite3.OperationalError("no such table: ballot"),
])
def test_other_errors_stay_500(error):
    assert not dependency_down(error)
    assert unexpected_error_handler(FakeRequest(), error).status_code == 500
