"""Prometheus metrics: what an operations team watches while a vote runs.

Off unless `DAUYS_METRICS=on`; with `DAUYS_METRICS_TOKEN` set, `GET /metrics` needs it as a bearer token.
Several worker processes report as one through prometheus-client's multiprocess mode: `dauys serve` gives
them a shared `PROMETHEUS_MULTIPROC_DIR` (emptied at start), and each scrape sums every process's files.
Counters and histograms need nothing more; gauges say how they combine (`multiprocess_mode`).
"""

from __future__ import annotations

import hmac
import os
import tempfile
from datetime import datetime
from pathlib import Path

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from prometheus_client import Counter, Gauge, Histogram, multiprocess

from infra.settings import Settings

BALLOTS = Counter("dauys_ballots_total", "Ballots received, by outcome (accepted, refused) and the refusal's kind",
                  ["outcome", "reason"])
OTP_SENT = Counter("dauys_otp_sent_total", "Sign-in codes sent by SMS")
OTP_LOCKS = Counter("dauys_otp_locks_total", "Phones locked after too many wrong codes")
ROUND_TRANSITIONS = Counter("dauys_round_transitions_total", "Rounds moved by the scheduler, by new status",
                            ["status"])
TRANSITION_LAG = Histogram("dauys_round_transition_lag_seconds",
                           "How long after its deadline the scheduler moved a round", ["status"],
                           buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 900))
# Set by whichever process measured last: every process sees the same database.
NOTIFY_QUEUE = Gauge("dauys_notify_queue", "Notifications waiting: events not yet fanned out, deliveries per channel",
                     ["kind"], multiprocess_mode="mostrecent")
DB_POOL = Gauge("dauys_db_pool_connections", "PostgreSQL pool connections of each process, by state",
                ["state"], multiprocess_mode="livesum")


def prometheus_config() -> PrometheusConfig:
    # Paths as their route templates (/api/v1/rounds/{round_id:int}/ballot): one series per route, and no
    # receipt or id from an address ends up in a label.
    return PrometheusConfig(app_name="dauys", prefix="dauys", group_path=True, exclude=["/metrics"],
                            exclude_unhandled_paths=True)


def _token_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    settings: Settings = connection.app.state.settings
    if not settings.metrics_token:
        return
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), settings.metrics_token.encode()):
        raise NotAuthorizedException("Send 'Authorization: Bearer <DAUYS_METRICS_TOKEN>' to read the metrics.")


class MetricsController(PrometheusController):
    path = "/metrics"
    guards = [_token_guard]
    include_in_schema = False


def share_between_workers() -> None:
    """Before worker processes start: give them one folder for their metric files, emptied of a past run's."""
    folder = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="dauys-metrics-")))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def process_stopped() -> None:
    """A worker's live gauges (its pool) leave the sum when it stops."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(os.getpid())


def notify_queue(depth: dict[str, int]) -> None:
    for kind, waiting in depth.items():
        NOTIFY_QUEUE.labels(kind).set(waiting)


def pool_used(use: dict[str, int]) -> None:
    for state, connections in use.items():
        DB_POOL.labels(state).set(connections)


def round_moved(status: str, deadline: datetime, now: datetime) -> None:
    """A round reached `status` at `now`, for a deadline (opening or closing) at `deadline`."""
    ROUND_TRANSITIONS.labels(status).inc()
    TRANSITION_LAG.labels(status).observe(max((now - deadline).total_seconds(), 0.0))
