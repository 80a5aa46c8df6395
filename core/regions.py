"""The KATO tree: loading the reference list and answering "is this region inside that one"."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from core import audit
from core.tables import Region
from infra.database import write_transaction
from infra.errors import NotFound, RuleBroken


def reference_regions() -> list[dict]:
    """Kazakhstan's regions shipped with Dauys, parents before children."""
    return json.loads(resources.files("core").joinpath("data/regions.json").read_text(encoding="utf-8"))


async def load_regions(regions: list[dict]) -> int:
    """Insert or update regions (parents first); returns how many were written."""
    paths: dict[str, str] = {
        row["kato"]: row["path"] for row in await Region.select(Region.kato, Region.path)
    }
    for item in regions:
        parent = item.get("parent")
        path = (paths[parent] if parent else "") + item["kato"] + "/"
        paths[item["kato"]] = path
        values = {Region.parent: parent, Region.path: path, Region.name: item["name"]}
        # A figure staff or an import set is kept when the reference list has none.
        if item.get("population") is not None:
            values[Region.population] = item["population"]
        if await Region.exists().where(Region.kato == item["kato"]):
            await Region.update(values).where(Region.kato == item["kato"])
        else:
            await Region.insert(Region(kato=item["kato"], parent=parent, path=path, name=item["name"],
                                       population=item.get("population")))
    forget_names()
    return len(regions)


# KATO paths change only when the reference list is reloaded; a minute of staleness is harmless.
_paths: dict[str, tuple[float, str]] = {}
PATH_TTL = 60.0


async def region_path(kato: str) -> str:
    cached = _paths.get(kato)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    row = await Region.select(Region.path).where(Region.kato == kato).first()
    if row is None:
        raise NotFound("There is no region with KATO code {kato}; GET /api/v1/regions lists them.", kato=kato)
    _paths[kato] = (time.monotonic() + PATH_TTL, row["path"])
    return row["path"]


async def region_paths(katos: set[str]) -> dict[str, str]:
    if not katos:
        return {}
    rows = await Region.select(Region.kato, Region.path).where(Region.kato.is_in(list(katos)))
    return {row["kato"]: row["path"] for row in rows}


def contains(ancestor_path: str, path: str) -> bool:
    return path.startswith(ancestor_path)


async def all_regions() -> list[dict]:
    return await Region.select().order_by(Region.path).output(load_json=True)


# Names are read on every console page; like paths they change only when the reference list is reloaded.
_names: tuple[float, dict[str, dict]] = (0.0, {})


async def region_names() -> dict[str, dict]:
    """Every region's {kk, ru, en} name by KATO code, read again at most once a minute per process."""
    global _names
    if _names[0] <= time.monotonic():
        rows = await Region.select(Region.kato, Region.name).output(load_json=True)
        _names = (time.monotonic() + PATH_TTL, {row["kato"]: row["name"] or {} for row in rows})
    return _names[1]


async def region_name(kato: str | None) -> dict[str, str]:
    """One region's {kk, ru, en} name, as messages name it (a value `infra.i18n.shown` reads in the reader's
    language); a code that names no region reads as the code."""
    return ((await region_names()).get(kato) if kato else None) or {"en": kato or "—"}


def forget_names() -> None:
    global _names
    _names = (0.0, {})


# --- The official classifier file (KATO as the Bureau of National Statistics publishes it) ---------------------
#
# Columns: te (the 9-digit code), ab, cd, ef, hij (its digit groups: region, district, rural district,
# settlement), k, name_kaz, name_rus, nn; an optional `population` column of our own. The tree comes from
# the code alone: a region's parent is the nearest code in the file that it reduces to when its trailing
# groups are zeroed (hij's last two digits, then hij, ef and cd). The cities of republican significance
# show why "nearest present" rather than "one group up": Almaty's districts are 7511 10 000 and the
# classifier has no 751100000, so their parent is 750000000.

KATO_COLUMNS = ("te", "ab", "cd", "ef", "hij", "k", "name_kaz", "name_rus", "nn")
POSITIONS = {"te": 0, "name_kaz": 6, "name_rus": 7}


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class KatoFile:
    """Regions read from a classifier file, parents before children, and the rows that were skipped."""

    regions: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Every well-formed code in the file at any depth, so a region deeper than --levels is not "missing".
    codes: set[str] = field(default_factory=set)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class KatoFileError(Exception):
    """The file cannot be read at all (as opposed to single bad rows, which are reported and skipped)."""


def _table_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a CSV (UTF-8, comma, semicolon or tab) or XLSX file's first sheet."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            from openpyxl import load_workbook
        except ImportError as exc:  # pragma: no cover - the extra is part of the test install
            raise KatoFileError("reading XLSX needs openpyxl: pip install 'dauys[xlsx]', or save the sheet as CSV") \
                from exc
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises zip, XML and its own errors for a file that is not a workbook
            raise KatoFileError(f"{path.name}: not a readable XLSX workbook ({exc})") from exc
        try:
            for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
                yield number, [_cell(value) for value in row]
        finally:
            workbook.close()
        return
    if suffix not in (".csv", ".txt"):
        raise KatoFileError(f"{path.name}: expected a .csv or .xlsx file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        # Excel on a Russian-language Windows saves "CSV" in Windows-1251, which has no ә, ғ, қ, ң, ө, ұ, ү, і:
        # reading it would rename every Kazakh name.
        raise KatoFileError(f"{path.name} is not UTF-8: save it as \"CSV UTF-8\" (or import the XLSX)") from exc
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        yield number, [cell.strip() for cell in row]


def _columns(header: list[str]) -> dict[str, int] | None:
    names = [cell.strip().lower() for cell in header]
    if "te" in names and "name_kaz" in names and "name_rus" in names:
        return {name: index for index, name in enumerate(names) if name}
    return None


def parent_candidates(kato: str) -> list[str]:
    """The codes `kato` reduces to, nearest first: xxxxxxx00, xxxxxx000, xxxx00000, xx0000000."""
    candidates = []
    for keep in (7, 6, 4, 2):
        candidate = kato[:keep] + "0" * (9 - keep)
        if candidate != kato and candidate not in candidates:
            candidates.append(candidate)
    return candidates


def parse_kato_rows(rows: Iterable[tuple[int, list[str]]], levels: int = 2) -> KatoFile:
    """Build the tree from a classifier's rows (line number, cells); keep regions `levels` deep."""
    result = KatoFile()
    columns: dict[str, int] | None = None
    candidates: list[tuple[int, str, str, str, str]] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        if not any(cells):
            continue
        if columns is None and (found := _columns(cells)):
            columns = found
            continue
        where = columns or POSITIONS

        def get(name: str, cells: list[str] = cells, where: dict[str, int] = where) -> str:
            index = where.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        kato = get("te")
        if not kato.isdigit():
            result.problems.append(Problem(number, f"the code {kato!r} is not digits"))
            continue
        if len(kato) != 9:
            result.problems.append(Problem(number, f"the code {kato} has {len(kato)} digits, not 9"))
            continue
        kk, ru = get("name_kaz"), get("name_rus")
        if not kk or not ru:
            missing = " and ".join(name for name, value in (("name_kaz", kk), ("name_rus", ru)) if not value)
            result.problems.append(Problem(number, f"{kato} has no {missing}"))
            continue
        if kato in seen:
            result.problems.append(Problem(number, f"{kato} appears again (first on line {seen[kato]})"))
            continue
        seen[kato] = number
        candidates.append((number, kato, kk, ru, get("population")))
    result.codes = set(seen)
    depth: dict[str, int] = {}
    rejected: set[str] = set()
    # A parent's code is its children's with trailing groups zeroed, so it sorts first.
    for number, kato, kk, ru, population in sorted(candidates, key=lambda row: row[1]):
        parent = None
        if kato[2:] != "0000000":
            parent = next((code for code in parent_candidates(kato) if code in seen), None)
            if parent is None:
                result.problems.append(Problem(number, f"{kato}: no parent in the file (none of "
                                                       f"{', '.join(parent_candidates(kato))})"))
                rejected.add(kato)
                continue
            if parent in rejected:
                result.problems.append(Problem(number, f"{kato}: its parent {parent} was skipped"))
                rejected.add(kato)
                continue
        count = None
        if population:
            if not population.isdigit():
                result.problems.append(Problem(number, f"{kato}: population {population!r} is not a whole number"))
                rejected.add(kato)
                continue
            count = int(population)
        depth[kato] = 1 if parent is None else depth[parent] + 1
        if depth[kato] <= levels:
            region = {"kato": kato, "parent": parent, "name": {"kk": kk, "ru": ru}, "level": depth[kato]}
            if count is not None:
                region["population"] = count
            result.regions.append(region)
    result.problems.sort(key=lambda problem: problem.line)
    return result


def read_kato_file(path: str | Path, levels: int = 2) -> KatoFile:
    return parse_kato_rows(_table_rows(Path(path)), levels)


@dataclass
class ImportReport:
    added: list[dict] = field(default_factory=list)
    renamed: list[tuple[dict, dict]] = field(default_factory=list)  # (before, after)
    moved: list[tuple[dict, str | None]] = field(default_factory=list)  # (region, old parent)
    population: list[tuple[str, int | None, int]] = field(default_factory=list)
    unchanged: int = 0
    not_in_file: list[dict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.renamed or self.moved or self.population)


async def import_regions(actor: str, kato_file: KatoFile) -> ImportReport:
    """Upsert the file's regions; regions missing from the file are reported, never deleted (rounds and
    residents point at them). One audit entry records what changed."""
    report = ImportReport()
    async with write_transaction():
        existing = {row["kato"]: row for row in await Region.select().output(load_json=True)}
        paths = {kato: row["path"] for kato, row in existing.items()}
        for region in kato_file.regions:
            kato, parent = region["kato"], region["parent"]
            path = (paths[parent] if parent else "") + kato + "/"
            paths[kato] = path
            old = existing.get(kato)
            if old is None:
                name = region["name"]
                await Region.insert(Region(kato=kato, parent=parent, path=path, name=name,
                                           population=region.get("population")))
                report.added.append(region)
                continue
            values: dict = {}
            old_name = old["name"] or {}
            if (old_name.get("kk"), old_name.get("ru")) != (region["name"]["kk"], region["name"]["ru"]):
                # English is not in the classifier: keep ours.
                values[Region.name] = {**old_name, **region["name"]}
                report.renamed.append((old, region))
            if old["parent"] != parent or old["path"] != path:
                values[Region.parent] = parent
                values[Region.path] = path
                report.moved.append((region, old["parent"]))
            if "population" in region and region["population"] != old["population"]:
                values[Region.population] = region["population"]
                report.population.append((kato, old["population"], region["population"]))
            if values:
                await Region.update(values).where(Region.kato == kato)
            else:
                report.unchanged += 1
        report.not_in_file = sorted((row for kato, row in existing.items() if kato not in kato_file.codes),
                                    key=lambda row: row["kato"])
        if report.changed:
            await audit.record(actor, "regions.import", "regions", "", None, {
                "added": [r["kato"] for r in report.added],
                "renamed": [after["kato"] for _, after in report.renamed],
                "moved": [r["kato"] for r, _ in report.moved],
                "population": [kato for kato, _, _ in report.population],
            })
    _paths.clear()
    forget_names()
    return report


async def set_population(actor: str, kato: str, population: int) -> int | None:
    """Set one region's population (eligibility thresholds depend on it); returns the previous figure."""
    if population < 0:
        raise RuleBroken("A population cannot be negative.")
    async with write_transaction():
        row = await Region.select(Region.population, Region.path).where(Region.kato == kato).first()
        if row is None:
            raise NotFound("There is no region with KATO code {kato}; GET /api/v1/regions lists them.", kato=kato)
        if row["population"] != population:
            await Region.update({Region.population: population}).where(Region.kato == kato)
            await audit.record(actor, "region.population", f"region:{kato}", row["path"],
                               {"population": row["population"]}, {"population": population})
    return row["population"]
