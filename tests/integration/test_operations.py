"""What an operations team runs Dauys with: Prometheus metrics from every worker, JSON logs with request ids.

Real `dauys serve` processes: metrics of several workers only add up across processes, and uvicorn's own
log lines only become JSON through the configuration `dauys serve` gives it.
"""

from __future__ import annotations

import json
import logging
import re

import pytest

from infra.logs import JsonFormatter, RequestIdFilter, request_id
from tests.conftest import POSTGRES
from tests.helpers import bearer, open_now, resident, round_with_projects, staff_headers
from tests.servers import Server

TOKEN = "metrics-token-for-the-test-0123456789"
SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")


def samples(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        found = SAMPLE.match(line)
        if not found or found["name"] != name:
            continue
        have = dict(re.findall(r'([a-z_]+)="([^"]*)"', found["labels"] or ""))
        if all(have.get(key) == value for key, value in labels.items()):
            total += float(found["value"])
    return total


async def test_metrics_are_off_unless_asked_for(client):
    assert (await client.get("/metrics")).status_code == 404


@pytest.mark.parametrize("workers", [2] if POSTGRES else [1])
async def test_metrics_of_every_worker_move_as_a_vote_runs_and_logs_are_json(client, outbox, work_dir, workers):
    staff = await staff_headers(client, "operations@dauys.test", "Operations-Staff-2026", "750000000")
    round_id, projects = await round_with_projects(client, staff, [10_000_000, 20_000_000])
    await open_now(round_id)
    server = Server(work_dir, workers=workers, env={"DAUYS_METRICS": "on", "DAUYS_METRICS_TOKEN": TOKEN,
                                                    "DAUYS_LOG_FORMAT": "json"}).start()
    try:
        async with server.client() as live:
            assert (await live.get("/metrics")).status_code == 401
            assert (await live.get("/metrics", headers=bearer("wrong"))).status_code == 401
            before = (await live.get("/metrics", headers=bearer(TOKEN))).text
            voters = [await resident(live, outbox) for _ in range(6)]
            for voter in voters:
                cast = await live.put(f"/api/v1/rounds/{round_id}/ballot", headers=voter["headers"],
                                      json={"choices": [{"project_id": projects[0]}]})
                assert cast.status_code == 200, cast.text
            refused = await live.put(f"/api/v1/rounds/{round_id}/ballot", headers=voters[0]["headers"],
                                     json={"choices": [{"project_id": 999_999}]})
            assert refused.status_code == 422
            traced = await live.get("/api/v1/health", headers={"X-Request-Id": "lb-trace-0001-abcd"})
            assert traced.headers["x-request-id"] == "lb-trace-0001-abcd"
            made_up = await live.get("/api/v1/health", headers={"X-Request-Id": "bad id; DROP"})
            assert re.fullmatch(r"[0-9a-f]{16}", made_up.headers["x-request-id"])
            # Each scrape reaches one worker or another; every one of them reports all workers' counts.
            scrapes = [(await live.get("/metrics", headers=bearer(TOKEN))).text for _ in range(4)]
    finally:
        server.stop()

    for after in scrapes:
        assert samples(after, "dauys_ballots_total", outcome="accepted") \
            - samples(before, "dauys_ballots_total", outcome="accepted") == 6
        assert samples(after, "dauys_ballots_total", outcome="refused", reason="BallotRejected") \
            - samples(before, "dauys_ballots_total", outcome="refused", reason="BallotRejected") == 1
        assert samples(after, "dauys_otp_sent_total") - samples(before, "dauys_otp_sent_total") == 6
        ballot_route = "/api/v1/rounds/{round_id}/ballot"
        assert samples(after, "dauys_requests_total", path=ballot_route, method="PUT") >= 7
        assert samples(after, "dauys_request_duration_seconds_count", path=ballot_route) >= 7
        assert "round_id}/ballot" in after and f"/rounds/{round_id}/" not in after, "a raw address became a label"
        if POSTGRES:
            assert samples(after, "dauys_db_pool_connections") > 0
        assert "dauys_notify_queue{" in after

    lines = [line for line in server.log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message", "request_id"} <= set(entries[0])
    traced_lines = [e for e in entries if e["request_id"] == "lb-trace-0001-abcd"]
    assert traced_lines and any("/api/v1/health" in e["message"] for e in traced_lines), "no access line carries it"


def test_json_lines_carry_the_request_id_extras_and_the_exception():
    formatter, record_id = JsonFormatter(), request_id.set("req-1234abcd")
    try:
        record = logging.LogRecord("dauys.test", logging.ERROR, __file__, 1, "round %s failed", (7,), None)
        try:
            raise ValueError("boom")
        except ValueError as exc:
            record.exc_info = (type(exc), exc, exc.__traceback__)
        record.round_id = 7
        RequestIdFilter().filter(record)
        entry = json.loads(formatter.format(record))
    finally:
        request_id.reset(record_id)
    assert entry["message"] == "round 7 failed" and entry["level"] == "ERROR"
    assert entry["request_id"] == "req-1234abcd" and entry["round_id"] == 7
    assert "ValueError: boom" in entry["exception"]
    assert "\n" not in formatter.format(record)
