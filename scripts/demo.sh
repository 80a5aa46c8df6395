#!/usr/bin/env bash
# Sets Dauys up on the embedded default (SQLite, in-process stores), loads the demo and serves it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet .
.venv/bin/dauys demo
cat <<'MSG'

Dauys is starting on http://127.0.0.1:8000
  API page:      http://127.0.0.1:8000/schema      (sign-in codes are printed below as "[dauys sms]")
  OpenAPI JSON:  http://127.0.0.1:8000/schema/openapi.json
  Walk-through:  README.md, "Vote in the demo round"

MSG
exec .venv/bin/dauys serve --host "${DAUYS_HOST:-127.0.0.1}" --port "${DAUYS_PORT:-8000}"
