"""`dauys regions import`: the official classifier into a real database, run again, renamed, and through the
executable. The file is made here; its oblast 98 does not exist (no real KATO code starts with 98), so the
shipped regions other tests use are never touched."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.regions import import_regions, read_kato_file, reference_regions, set_population
from core.tables import AuditEntry, Region
from infra.errors import NotFound

HEADER = ["te", "ab", "cd", "ef", "hij", "k", "name_kaz", "name_rus", "nn", "population"]
ROWS = [
    ["980000000", "98", "00", "00", "000", "0", "Сынақ облысы", "Тестовая область", "1", "500000"],
    ["981000000", "98", "10", "00", "000", "0", "Сынақ Қ.Ә.", "Тест Г.А.", "2", ""],
    ["983200000", "98", "32", "00", "000", "0", "Бірінші ауданы", "Первый район", "3", "40000"],
    ["983230100", "98", "32", "30", "100", "0", "Ауыл", "Село", "4", ""],
]
DAUYS = Path(sys.executable).parent / "dauys"


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


async def test_import_adds_then_changes_nothing_then_reports_a_rename(client, tmp_path):
    path = write(tmp_path / "kato.csv", ROWS)
    first = await import_regions("test", read_kato_file(path, levels=2))
    assert [r["kato"] for r in first.added] == ["980000000", "981000000", "983200000"]
    assert not first.renamed and first.unchanged == 0
    # The shipped regions are not in this file: reported, never deleted.
    assert "750000000" in {r["kato"] for r in first.not_in_file}
    assert await Region.exists().where(Region.kato == "750000000")
    row = await Region.select().where(Region.kato == "983200000").first().output(load_json=True)
    assert row["parent"] == "980000000" and row["path"] == "980000000/983200000/" and row["population"] == 40000

    audit_entries = await AuditEntry.count().where(AuditEntry.action == "regions.import")
    again = await import_regions("test", read_kato_file(path, levels=2))
    assert not again.changed and again.unchanged == 3
    assert await AuditEntry.count().where(AuditEntry.action == "regions.import") == audit_entries

    renamed = [list(r) for r in ROWS]
    renamed[2][6:8] = ["Жаңа ауданы", "Новый район"]
    renamed[0][9] = "510000"
    third = await import_regions("test", read_kato_file(write(tmp_path / "renamed.csv", renamed), levels=2))
    assert [(before["kato"], after["name"]["ru"]) for before, after in third.renamed] == [("983200000", "Новый район")]
    assert third.population == [("980000000", 500000, 510000)] and third.unchanged == 1
    row = await Region.select().where(Region.kato == "983200000").first().output(load_json=True)
    assert row["name"] == {"kk": "Жаңа ауданы", "ru": "Новый район"}
    assert await AuditEntry.count().where(AuditEntry.action == "regions.import") == audit_entries + 1


async def test_set_population(client, tmp_path):
    await import_regions("test", read_kato_file(write(tmp_path / "kato.csv", ROWS[:1]), levels=1))
    await set_population("test", "980000000", 600000)
    assert (await Region.select(Region.population).where(Region.kato == "980000000").first())["population"] == 600000
    with pytest.raises(NotFound):
        await set_population("test", "989999999", 1)


def dauys(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(DAUYS), *args], capture_output=True, text=True, timeout=120, env=os.environ.copy())


async def test_the_command(client, tmp_path):
    bad = [["98320000", "", "", "", "", "", "Қате", "Ошибка", "", ""],
           ["983300000", "", "", "", "", "", "", "Нет", "", ""]]
    path = write(tmp_path / "kato.csv", [*ROWS, *bad])
    done = dauys("regions", "import", str(path), "--levels", "3")
    assert done.returncode == 0, done.stderr
    assert "skipped line 6: the code 98320000 has 8 digits, not 9" in done.stderr
    assert "skipped line 7: 983300000 has no name_kaz" in done.stderr
    assert "added 983230100 Село / Ауыл (level 3)" in done.stdout
    assert "rows skipped" in done.stdout.splitlines()[-1]
    again = dauys("regions", "import", str(path), "--levels", "3")
    assert again.returncode == 0
    assert again.stdout.splitlines()[-1].startswith("0 added, 0 renamed, 0 moved, 0 population changes")

    nothing = dauys("regions", "import", str(write(tmp_path / "bad.csv", bad)))
    assert nothing.returncode != 0 and "no valid region" in nothing.stderr

    population = dauys("regions", "set-population", "983200000", "41000")
    assert population.returncode == 0 and population.stdout.strip().endswith("-> 41000")
    assert dauys("regions", "set-population", "989999999", "1").returncode != 0


async def test_the_api_lists_every_oblast_and_city_of_republican_significance(client):
    regions = (await client.get("/api/v1/regions", headers={"Accept-Language": "kk"})).json()
    top = {region["kato"]: region for region in regions if region["parent"] is None}
    shipped = {region["kato"] for region in reference_regions() if region["parent"] is None}
    assert len(shipped) == 20 and shipped <= set(top)
    assert top["620000000"]["name"] == "Ұлытау облысы"
    english = (await client.get("/api/v1/regions", headers={"Accept-Language": "en"})).json()
    assert next(r for r in english if r["kato"] == "100000000")["name"] == "Abai Region"
