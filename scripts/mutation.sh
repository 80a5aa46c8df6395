#!/usr/bin/env bash
# Mutation testing of the integrity core with mutmut (issue 17). Not part of CI: it runs the core's tests
# once per mutant, which takes the better part of an hour on 2 cores for the whole set.
#
#   scripts/mutation.sh                     every module in [tool.mutmut] only_mutate (pyproject.toml)
#   scripts/mutation.sh 'infra.tokens.*'   only the mutants whose names match (mutmut's globs)
#
# The embedded pass always runs: SQLite and in-process stores, the tests in [tool.mutmut]
# pytest_add_cli_args_test_selection. When DAUYS_DATABASE_URL names PostgreSQL (with DAUYS_REDIS_URL), a
# second pass runs the same tests on PostgreSQL and Redis in a copy of the project, reaching what only
# runs there (the batched cast statement); a mutant counts as killed when either pass kills it.
# Results stay in ./mutants (and .mutation-postgres/mutants): `mutmut results`, `mutmut show NAME` there.
# MUTATION_CHILDREN (default 2) sets how many mutants run at once.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
MUTMUT=$(dirname "$PYTHON")/mutmut
CHILDREN=${MUTATION_CHILDREN:-2}
export TERM=dumb  # mutmut's progress line redraws itself; keep the logs readable

"$PYTHON" -m pip install -q -e ".[test,mutation]"

run_pass() {  # $1: directory, $2: log file, rest: mutant globs; the caller's environment picks the database
  local dir=$1 log=$2
  shift 2
  local started=$SECONDS
  if ! (cd "$dir" && "$MUTMUT" run --max-children "$CHILDREN" "$@") >"$log" 2>&1; then
    tr '\r' '\n' <"$log" | tail -40
    echo "mutmut failed in $dir (log: $log)" >&2
    return 1
  fi
  echo "pass in $dir took $((SECONDS - started)) s (log: $log)"
}

mkdir -p mutants
echo "== embedded pass (SQLite, in-process stores)"
(unset DAUYS_DATABASE_URL DAUYS_REDIS_URL; run_pass "$ROOT" "$ROOT/mutants/embedded.log" "$@")
DIRS=("$ROOT")

if [[ ${DAUYS_DATABASE_URL:-} == postgres* ]]; then
  echo "== PostgreSQL pass ($DAUYS_DATABASE_URL, Redis ${DAUYS_REDIS_URL:-none})"
  COPY=$ROOT/.mutation-postgres
  mkdir -p "$COPY"
  # The project as it is now, without the virtualenv, git or the first pass's results; the copy keeps its
  # own ./mutants, so a second run there retests only what changed.
  tar --exclude=./.venv --exclude=./mutants --exclude=./.mutation-postgres --exclude=./.git -cf - . \
    | tar -xf - -C "$COPY"
  mkdir -p "$COPY/mutants"
  run_pass "$COPY" "$COPY/mutants/postgres.log" "$@"
  DIRS+=("$COPY")
fi

echo "== score per module"
"$PYTHON" scripts/mutation_report.py "${DIRS[@]}"
