"""Time our rules, parse included, next to pabutools on the same files in the same run.

    .venv/bin/python bench/rules_bench.py [--rules R ...] [--files F ...] [--pabutools-timeout S]

Each pabutools run happens in a subprocess killed after the time limit ("> limit" in the table);
"n/a" marks rules pabutools does not have (greedy-no-skip, mes-add1-greedy). Without --files,
every file of the Pabulib dev folder (DAUYS_PABULIB_DIR or shared/pabulib/dev) is timed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from budgets.pabulib import load, to_election  # noqa: E402
from budgets.rules import RULES, tally  # noqa: E402

PABUTOOLS_RULES = ("greedy", "greedy-threshold", "mes", "mes-add1")


def data_dir() -> Path:
    if os.environ.get("DAUYS_PABULIB_DIR"):
        return Path(os.environ["DAUYS_PABULIB_DIR"])
    for parent in HERE.parents:
        for candidate in (parent / "shared/pabulib/dev", parent.parent / "shared/pabulib/dev"):
            if candidate.is_dir():
                return candidate
    raise SystemExit("no Pabulib dev folder found: set DAUYS_PABULIB_DIR or pass --files")


def ours(path: Path, rule: str) -> tuple[float, int]:
    start = time.perf_counter()
    outcome = tally(rule, to_election(load(path)))
    return time.perf_counter() - start, len(outcome.winners)


def theirs(path: Path, rule: str, limit: float) -> str:
    if rule not in PABUTOOLS_RULES:
        return "n/a"
    command = [sys.executable, str(Path(__file__).resolve()), "--pabutools-worker", str(path), rule]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return f"> {limit:g} s"
    if done.returncode != 0:
        return "error: " + (done.stderr.strip().splitlines() or ["?"])[-1][:60]
    return f"{float(done.stdout.split()[0]):.2f} s"


def worker(path: str, rule: str) -> None:
    sys.path.insert(0, str(HERE))
    import pabutools_rules

    start = time.perf_counter()
    winners = pabutools_rules.run(path, rule)
    print(f"{time.perf_counter() - start:.3f} {len(winners)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", nargs="+", default=list(RULES), choices=RULES)
    parser.add_argument("--files", nargs="+", type=Path)
    parser.add_argument("--pabutools-timeout", type=float, default=120.0)
    parser.add_argument("--no-pabutools", action="store_true", help="time our rules only")
    parser.add_argument("--pabutools-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pabutools_worker:
        worker(*args.pabutools_worker)
        return
    files = args.files or sorted(data_dir().glob("*.pb"))
    print(f"{'instance':<56} {'rule':<16} {'ours':>9} {'winners':>7} {'pabutools':>12}", flush=True)
    for path in files:
        for rule in args.rules:
            seconds, winners = ours(path, rule)
            other = "-" if args.no_pabutools else theirs(path, rule, args.pabutools_timeout)
            print(f"{path.name:<56} {rule:<16} {seconds:>7.2f} s {winners:>7} {other:>12}", flush=True)


if __name__ == "__main__":
    main()
