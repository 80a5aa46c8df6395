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
# MUTATION_TESTS="tests/unit/core tests/integration/test_x.py" narrows the tests of this run: each mutant pays
# the collection and set-up of every test file that reaches it, which for a module reached by the whole
# integration suite (an IIN helper, the residency) is most of an hour on 2 shared cores. The selection is
# replaced in a copy of the project, .mutation-narrow/<its checksum>/, which keeps its own ./mutants.
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

copy_project() {  # $1: directory; the project as it is now, with this run's test selection
  mkdir -p "$1/mutants"
  # Without the virtualenv, git or other passes' results; the copy keeps its own ./mutants, so a second run
  # there retests only what changed.
  tar --exclude=./.venv --exclude=./mutants --exclude=./.mutation-postgres --exclude=./.mutation-narrow \
    --exclude=./.git -cf - . | tar -xf - -C "$1"
  if [[ -n ${MUTATION_TESTS:-} ]]; then
    "$PYTHON" - "$1/pyproject.toml" $MUTATION_TESTS <<'PY'
import re, sys
from pathlib import Path
path = Path(sys.argv[1])
tests = ", ".join(f'"{test}"' for test in sys.argv[2:])
text, found = re.subn(r"^pytest_add_cli_args_test_selection = \[.*?\]$", f"pytest_add_cli_args_test_selection = [{tests}]",
                      path.read_text(encoding="utf-8"), count=1, flags=re.S | re.M)
assert found == 1, "no pytest_add_cli_args_test_selection in pyproject.toml"
path.write_text(text, encoding="utf-8")
PY
  fi
}

FIRST=$ROOT
SUFFIX=""
if [[ -n ${MUTATION_TESTS:-} ]]; then
  SUFFIX=$(printf '%s' "$MUTATION_TESTS" | cksum | cut -d' ' -f1)
  FIRST=$ROOT/.mutation-narrow/$SUFFIX
  echo "== tests narrowed to: $MUTATION_TESTS ($FIRST)"
  copy_project "$FIRST"
fi
mkdir -p "$FIRST/mutants"
echo "== embedded pass (SQLite, in-process stores)"
(unset DAUYS_DATABASE_URL DAUYS_REDIS_URL; run_pass "$FIRST" "$FIRST/mutants/embedded.log" "$@")
DIRS=("$FIRST")

if [[ ${DAUYS_DATABASE_URL:-} == postgres* ]]; then
  echo "== PostgreSQL pass ($DAUYS_DATABASE_URL, Redis ${DAUYS_REDIS_URL:-none})"
  COPY=$ROOT/.mutation-postgres
  [[ -z $SUFFIX ]] || COPY=$ROOT/.mutation-narrow/$SUFFIX-postgres
  copy_project "$COPY"
  run_pass "$COPY" "$COPY/mutants/postgres.log" "$@"
  DIRS+=("$COPY")
fi

echo "== score per module"
"$PYTHON" scripts/mutation_report.py "${DIRS[@]}"
