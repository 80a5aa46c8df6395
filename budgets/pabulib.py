"""Reading and writing Pabulib `.pb` files (https://pabulib.org/format).

A file has three sections, META, PROJECTS and VOTES, each a title line, a `;`-separated header
and `;`-separated rows with CSV double-quote escaping. Values are kept as the stripped strings of
the file, so that writing an instance back gives the same instance; `to_election` turns them into
numbers.

Points of a ballot, by META `vote_type`:
- approval, choose-1: 1 for each project named;
- cumulative, scoring: the `points` column, position by position;
- ordinal: the `points` column when the file has one (Krakow's files give 3/2/1 there); otherwise
  Borda-like points, `max_length` for the first choice down to `max_length - len + 1`, where
  `max_length` is the META key or, without it, the longest ballot in the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .rules import Election

SECTIONS = ("meta", "projects", "votes")
REQUIRED_COLUMNS = {"meta": ("key", "value"), "projects": ("project_id", "cost"), "votes": ("voter_id", "vote")}


class PabulibError(ValueError):
    """A file that is not valid Pabulib; `line` is the 1-based line where the problem is, if any."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


@dataclass
class PabulibInstance:
    meta: dict[str, str] = field(default_factory=dict)
    projects: dict[str, dict[str, str]] = field(default_factory=dict)
    votes: list[dict[str, str]] = field(default_factory=list)
    # Where each vote row was read, so that to_election can point at the faulty line.
    vote_lines: list[int] = field(default_factory=list, compare=False, repr=False)


def load(path: str | Path) -> PabulibInstance:
    # utf-8-sig: some files start with a byte-order mark.
    return loads(Path(path).read_text(encoding="utf-8-sig"))


def loads(text: str) -> PabulibInstance:
    text = text.removeprefix("\ufeff")
    instance = PabulibInstance()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
    section = None
    header: list[str] | None = None
    seen: set[str] = set()
    line = 0
    try:
        for row in reader:
            # A row starts on the line after the last one read; line_num is where it ends.
            start, line = line + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            title = row[0].strip().lower()
            if len(row) == 1 and title in SECTIONS:
                if title in seen:
                    raise PabulibError(f"section {title.upper()} appears twice", start)
                seen.add(title)
                section, header = title, None
                continue
            if section is None:
                raise PabulibError(f"expected a section title (META, PROJECTS or VOTES), found {row[0]!r}", start)
            values = [value.strip() for value in row]
            if header is None:
                header = _header(section, values, start)
                continue
            if len(values) != len(header):
                raise PabulibError(
                    f"{section.upper()} row has {len(values)} fields but the header has {len(header)}", start
                )
            _add_row(instance, section, header, values, start)
    except csv.Error as error:
        raise PabulibError(f"malformed CSV ({error})", reader.line_num) from None
    for name in SECTIONS:
        if name not in seen:
            raise PabulibError(f"section {name.upper()} is missing")
    for key in ("budget", "vote_type"):
        if key not in instance.meta:
            raise PabulibError(f"META has no {key!r}")
    return instance


def _header(section: str, values: list[str], line: int) -> list[str]:
    if len(set(values)) != len(values):
        raise PabulibError(f"{section.upper()} header repeats a column", line)
    for column in REQUIRED_COLUMNS[section]:
        if column not in values:
            raise PabulibError(f"{section.upper()} header has no {column!r} column", line)
    return values


def _add_row(instance: PabulibInstance, section: str, header: list[str], values: list[str], line: int) -> None:
    if section == "meta":
        key, value = values[header.index("key")], values[header.index("value")]
        if key in instance.meta:
            raise PabulibError(f"META key {key!r} appears twice", line)
        instance.meta[key] = value
        return
    row = dict(zip(header, values))
    if section == "projects":
        pid = row["project_id"]
        if not pid:
            raise PabulibError("project without project_id", line)
        if pid in instance.projects:
            raise PabulibError(f"project {pid!r} appears twice", line)
        _number(row["cost"], f"cost of project {pid!r}", line)
        instance.projects[pid] = row
    else:
        instance.votes.append(row)
        instance.vote_lines.append(line)


def _number(text: str, what: str, line: int | None = None) -> int | Fraction:
    """A decimal number from the file, exactly; a decimal comma is accepted as some files use it."""
    try:
        value = Fraction(text.replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise PabulibError(f"{what} is not a number: {text!r}", line) from None
    return value.numerator if value.denominator == 1 else value


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")] if text else []


def to_election(instance: PabulibInstance) -> Election:
    vote_type = instance.meta["vote_type"].strip().lower()
    if vote_type not in ("approval", "choose-1", "cumulative", "scoring", "ordinal"):
        raise PabulibError(f"unsupported vote_type {vote_type!r}")
    costs = {pid: _number(row["cost"], f"cost of project {pid!r}") for pid, row in instance.projects.items()}
    lines = instance.vote_lines or [None] * len(instance.votes)
    borda_top = None
    if vote_type == "ordinal" and not any(row.get("points") for row in instance.votes):
        max_length = instance.meta.get("max_length")
        borda_top = (
            int(_number(max_length, "META max_length"))
            if max_length
            else max((len(_split(row["vote"])) for row in instance.votes), default=0)
        )
    ballots = []
    for row, line in zip(instance.votes, lines):
        ids = _split(row["vote"])
        for pid in ids:
            if pid not in costs:
                raise PabulibError(f"vote names unknown project {pid!r}", line)
        if len(set(ids)) != len(ids):
            raise PabulibError("vote names a project twice", line)
        if vote_type in ("approval", "choose-1"):
            points = [1] * len(ids)
        elif borda_top is not None:
            points = list(range(borda_top, borda_top - len(ids), -1))
            if points and points[-1] < 1:
                raise PabulibError(f"ordinal vote longer than max_length {borda_top}", line)
        else:
            points = [_points(text, line) for text in _split(row.get("points", ""))]
            if len(points) != len(ids):
                raise PabulibError(f"vote names {len(ids)} projects but points has {len(points)} entries", line)
        ballots.append(dict(zip(ids, points)))
    threshold = instance.meta.get("min_project_score_threshold")
    try:
        return Election(
            budget=_number(instance.meta["budget"], "META budget"),
            costs=costs,
            ballots=ballots,
            min_project_score=_number(threshold, "META min_project_score_threshold") if threshold else None,
        )
    except ValueError as error:
        raise PabulibError(str(error)) from None


def _points(text: str, line: int | None) -> int:
    value = _number(text, "points", line)
    if not isinstance(value, int) or value < 0:
        raise PabulibError(f"points must be whole numbers of at least 0, found {text!r}", line)
    return value


def dumps(instance: PabulibInstance) -> str:
    """The instance as Pabulib text, with LF line ends; fields are quoted only where needed.

    Values are written stripped, as the reader strips them; a value holding a line break is
    readable back by `loads` but not by readers that split the file into lines first.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(instance.meta.items())
    for title, rows, first in (
        ("PROJECTS", [{**row, "project_id": pid} for pid, row in instance.projects.items()], ["project_id", "cost"]),
        ("VOTES", instance.votes, ["voter_id", "vote"]),
    ):
        columns = list(first)
        for row in rows:
            columns.extend(key for key in row if key not in columns)
        writer.writerow([title])
        writer.writerow(columns)
        writer.writerows([str(row.get(column, "")) for column in columns] for row in rows)
    return out.getvalue()
