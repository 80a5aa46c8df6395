#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian machine and runs the whole suite:
# first the embedded default (SQLite, in-process stores), then PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${DAUYS_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
REDIS_URL=${DAUYS_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}

say() { printf '\n== %s\n' "$*"; }

say "python environment (.venv)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e '.[test,browser]'

say "lint: ruff, and the layers' import contracts (ARCHITECTURE.md)"
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache

say "Chromium for the console's browser tests"
# Debian's own browser: Playwright drives it through executable_path and never downloads one.
if [ ! -x /usr/bin/chromium ]; then
  apt-get update && apt-get install -y chromium
fi

say "PostgreSQL and Redis"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  else
    echo "PostgreSQL is not running on 127.0.0.1:5432 and is not installed: apt-get install -y postgresql" >&2
    exit 1
  fi
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  else
    echo "Redis is not running on 127.0.0.1:6379 and is not installed: apt-get install -y redis-server" >&2
    exit 1
  fi
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
redis-cli -h 127.0.0.1 -p 6379 ping

say "tests on the embedded default (SQLite, in-process stores): domain, HTTP loop, scheduler processes"
env -u DAUYS_DATABASE_URL -u DAUYS_REDIS_URL .venv/bin/python -m pytest -q -m "not postgres" \
  tests/unit tests/property tests/integration "$@"

say "tests on PostgreSQL and Redis: HTTP loop, several processes, the console in Chromium, schemathesis"
DAUYS_DATABASE_URL="$PG_URL" DAUYS_REDIS_URL="$REDIS_URL" .venv/bin/python -m pytest -q \
  tests/integration tests/browser tests/fuzz "$@"

say "results engine against pabutools and the cities' own selections (no database)"
.venv/bin/python -m pytest -q tests/oracle "$@"

say "fault tests (private PostgreSQL and Redis that the tests stop, kill and restart)"
# They never touch the shared servers above; the URLs only tell the suite's set-up that PostgreSQL is there.
DAUYS_DATABASE_URL="$PG_URL" DAUYS_REDIS_URL="$REDIS_URL" .venv/bin/python -m pytest -q tests/faults "$@"
