"""Settings read from the environment once (see the configuration table in the README)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENVIRONMENTS = ("dev", "test", "prod")
DEFAULT_DATABASE_URL = "sqlite:///./dauys.db"
MIN_SECRET_LENGTH = 32


class SettingsError(RuntimeError):
    """The environment does not describe a configuration Dauys can run with."""


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    redis_url: str | None
    secret_key: str
    # Networks (ipaddress objects); typed loosely because Litestar validates injected settings.
    trusted_proxies: tuple[Any, ...]
    sms_backend: str
    public_url: str
    access_token_ttl: int = 900
    refresh_token_ttl: int = 30 * 24 * 3600
    staff_token_ttl: int = 8 * 3600
    otp_ttl: int = 300
    scheduler_interval: float = 2.0
    tally_lease_seconds: int = 60
    # Prepended to every Redis key: several deployments, or test runs, can share one Redis server.
    redis_prefix: str = ""
    # At most one move of residency in this many days (moves are audited; eligibility follows the date).
    move_interval_days: int = 30
    # Operations: Prometheus metrics at /metrics (behind a bearer token when one is set), and the log format.
    metrics: bool = False
    metrics_token: str = ""
    log_format: str = "text"
    # Web Push: one VAPID key pair for every process and every restart (a key generated per process would
    # orphan the browsers' subscriptions); unset, residents are not offered push.
    vapid_private_key: str | None = None
    vapid_subject: str = "mailto:support@dauys.kz"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> str:
        return self.database_url.removeprefix("sqlite:///")

    @property
    def database_location(self) -> str:
        """Where the data is, to print at start: the SQLite file as an absolute path (a relative default
        names another file in another folder), or PostgreSQL's host and database without credentials."""
        if self.is_sqlite:
            return str(Path(self.sqlite_path).resolve())
        parts = urlsplit(self.database_url)
        return f"postgresql://{parts.hostname}:{parts.port or 5432}{parts.path}"


def _secret_key(env: str, database_url: str) -> str:
    key = os.environ.get("DAUYS_SECRET_KEY", "")
    if key:
        if env == "prod" and (len(key) < MIN_SECRET_LENGTH or key in {"change-me", "secret", "dev"}):
            raise SettingsError(
                f"DAUYS_SECRET_KEY is too weak for production: use at least {MIN_SECRET_LENGTH} random "
                "characters, e.g. the output of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        return key
    if env == "prod":
        raise SettingsError("DAUYS_SECRET_KEY must be set when DAUYS_ENV=prod")
    # Outside production the key lives in a file beside the data, so that restarts and every worker
    # process sign and hash with the same key.
    path = Path(os.environ.get("DAUYS_SECRET_FILE", ".dauys-secret"))
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    candidate = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(candidate)
    return candidate


def _trusted_proxies(raw: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise SettingsError(f"DAUYS_TRUSTED_PROXIES: {item!r} is not an address or CIDR") from exc
    return tuple(networks)


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name} must be a whole number, at least 1, not {raw!r}")
    return int(raw)


def load_settings() -> Settings:
    env = os.environ.get("DAUYS_ENV", "dev")
    if env not in ENVIRONMENTS:
        raise SettingsError(f"DAUYS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    database_url = os.environ.get("DAUYS_DATABASE_URL", DEFAULT_DATABASE_URL)
    if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise SettingsError(
            "DAUYS_DATABASE_URL must be postgresql://user:pass@host:port/db or sqlite:///path/file.db"
        )
    sms_backend = os.environ.get("DAUYS_SMS_BACKEND", "console")
    if env == "prod" and sms_backend == "console":
        raise SettingsError("DAUYS_SMS_BACKEND=console writes codes to the log; choose a gateway in production")
    log_format = os.environ.get("DAUYS_LOG_FORMAT", "text")
    if log_format not in ("text", "json"):
        raise SettingsError(f"DAUYS_LOG_FORMAT must be text or json, not {log_format!r}")
    metrics = os.environ.get("DAUYS_METRICS", "off").lower()
    if metrics not in ("on", "off"):
        raise SettingsError(f"DAUYS_METRICS must be on or off, not {metrics!r}")
    return Settings(
        env=env,
        database_url=database_url,
        redis_url=os.environ.get("DAUYS_REDIS_URL") or None,
        secret_key=_secret_key(env, database_url),
        trusted_proxies=_trusted_proxies(os.environ.get("DAUYS_TRUSTED_PROXIES", "")),
        sms_backend=sms_backend,
        public_url=os.environ.get("DAUYS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        scheduler_interval=float(os.environ.get("DAUYS_SCHEDULER_INTERVAL", "2")),
        tally_lease_seconds=_positive_int("DAUYS_TALLY_LEASE_SECONDS", 60),
        redis_prefix=os.environ.get("DAUYS_REDIS_PREFIX", ""),
        move_interval_days=_positive_int("DAUYS_MOVE_INTERVAL_DAYS", 30),
        metrics=metrics == "on",
        metrics_token=os.environ.get("DAUYS_METRICS_TOKEN", ""),
        log_format=log_format,
        vapid_private_key=os.environ.get("DAUYS_VAPID_PRIVATE_KEY") or None,
        vapid_subject=os.environ.get("DAUYS_VAPID_SUBJECT", "mailto:support@dauys.kz"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
