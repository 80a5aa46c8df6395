#!/usr/bin/env bash
# Sets Dauys up on the embedded default (SQLite, in-process stores), loads the demo and serves it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
# A plain (not editable) install, as a city would run it; done again only when the source changed.
source_hash=$(find pyproject.toml server mobile_api admin budgets core infra -type f -not -path '*/__pycache__/*' \
  -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.dauys-source 2>/dev/null)" != "$source_hash" ] || [ ! -x .venv/bin/dauys ]; then
  echo "installing Dauys into .venv (once per change of the source)"
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet .
  echo "$source_hash" > .venv/.dauys-source
fi
.venv/bin/dauys demo
cat <<'MSG'

Dauys is starting on http://127.0.0.1:8000
  API page:      http://127.0.0.1:8000/schema      (sign-in codes are printed below as "[dauys sms]")
  OpenAPI JSON:  http://127.0.0.1:8000/schema/openapi.json
  Commands:      .venv/bin/dauys --help             (or: source .venv/bin/activate)
  Walk-through:  README.md, "Vote in the demo round"

MSG
exec .venv/bin/dauys serve --host "${DAUYS_HOST:-127.0.0.1}" --port "${DAUYS_PORT:-8000}"
