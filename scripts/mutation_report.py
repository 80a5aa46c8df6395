"""Per-module mutation score and the survivors, from one or more mutmut working copies.

Each argument is a project copy that ran `mutmut run` (it holds ./mutants): the embedded (SQLite) pass and,
when one was made, the PostgreSQL pass. A mutant counts as killed when any pass killed it (or timed out on
it), since each pass reaches code the other cannot; it survives when a pass ran tests on it and none failed.

    python scripts/mutation_report.py DIR [DIR ...] [--markdown]
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

MUTMUT = str(Path(sys.executable).with_name("mutmut"))
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
# The better verdict wins when two passes disagree.
RANK = ["killed", "timeout", "segfault", "caught by type check", "survived", "suspicious", "no tests",
        "skipped", "not checked"]


def statuses(directory: Path) -> dict[str, str]:
    out = subprocess.run([MUTMUT, "results", "--all", "true"], cwd=directory, capture_output=True, text=True,
                         check=True).stdout
    found = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found[name] = status
    return found


def one_line_diff(directory: Path, name: str) -> str:
    out = subprocess.run([MUTMUT, "show", name], cwd=directory, capture_output=True, text=True).stdout
    removed = [line[1:].strip() for line in out.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in out.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return f"`{' / '.join(removed)}` → `{' / '.join(added)}`".replace("|", "\\|")


def main(argv: list[str]) -> int:
    markdown = "--markdown" in argv
    directories = [Path(a) for a in argv if not a.startswith("--")] or [Path(".")]
    merged: dict[str, tuple[str, Path]] = {}
    for directory in directories:
        for name, status in statuses(directory).items():
            if name not in merged or RANK.index(status) < RANK.index(merged[name][0]):
                merged[name] = (status, directory)
    by_module: dict[str, list[tuple[str, str, Path]]] = defaultdict(list)
    for name, (status, directory) in merged.items():
        by_module[name.rsplit(".", 1)[0]].append((name, status, directory))
    print("| module | killed | total | score | survived | no tests | not checked |" if markdown else
          f"{'module':28} {'killed/total':>13} {'score':>7} {'survived':>9} {'no tests':>9} {'unchecked':>10}")
    if markdown:
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    total_killed = total = 0
    for module in sorted(by_module):
        rows = by_module[module]
        # A run stopped early leaves mutants "not checked": they count in no score.
        checked = [r for r in rows if r[1] != "not checked"]
        killed = sum(status in KILLED for _, status, _ in checked)
        survived = sum(status == "survived" for _, status, _ in checked)
        untested = sum(status == "no tests" for _, status, _ in checked)
        unchecked = len(rows) - len(checked)
        total_killed, total = total_killed + killed, total + len(checked)
        score = f"{100 * killed / len(checked):.1f}%" if checked else "-"
        print(f"| {module} | {killed} | {len(checked)} | {score} | {survived} | {untested} | {unchecked} |"
              if markdown else
              f"{module:28} {f'{killed}/{len(checked)}':>13} {score:>7} {survived:9} {untested:9} {unchecked:10}")
    if total:
        print(f"\nall checked: {total_killed}/{total} killed ({100 * total_killed / total:.1f}%)")
    order = lambda r: (r[0].split("__mutmut_")[0], int(r[0].rsplit("_", 1)[1]))  # noqa: E731
    left = [(name, status, directory) for module in sorted(by_module)
            for name, status, directory in sorted(by_module[module], key=order)
            if status not in KILLED and status not in ("not checked", "no tests")]
    if left:
        print("\nsurvivors:")
        for name, status, directory in left:
            print(f"- {name} ({status}): {one_line_diff(directory, name)}")
    untested: dict[str, int] = defaultdict(int)
    for name, (status, _) in merged.items():
        if status == "no tests":
            untested[name.split("__mutmut_")[0]] += 1
    if untested:
        print("\nno test reaches (every mutant of these functions):")
        for function in sorted(untested):
            print(f"- {function}: {untested[function]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
