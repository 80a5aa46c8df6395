"""Region scope: the KATO tree's paths, "is this region inside that one", and the lookups staff and
casting use to decide it (see tests/mutation_survivors.md).
"""

from __future__ import annotations

import pytest

from core import regions
from core.tables import Region
from infra.errors import NotFound

ALMATY, ALMALY, ALATAU = "750000000", "751110000", "751210000"


def test_a_region_contains_itself_and_its_subtree_only():
    almaty, almaly = f"{ALMATY}/", f"{ALMATY}/{ALMALY}/"
    assert regions.contains(almaty, almaly)
    assert regions.contains(almaly, almaly)
    assert not regions.contains(almaly, almaty)
    assert not regions.contains(f"{ALMATY}/{ALATAU}/", almaly)
    # A path ends with "/", so a code that begins like another is not inside it.
    assert not regions.contains("75/", "750000000/")


def test_the_reference_list_is_shipped_parents_first():
    reference = regions.reference_regions()
    seen = set()
    for item in reference:
        assert item["parent"] is None or item["parent"] in seen, item
        seen.add(item["kato"])
    almaty = next(item for item in reference if item["kato"] == ALMATY)
    assert almaty == {"kato": ALMATY, "parent": None, "population": 2332397,
                      "name": {"kk": "Алматы", "ru": "Алматы", "en": "Almaty"}}


async def test_loading_writes_paths_from_the_root_and_updates_what_exists(client):
    new = [
        {"kato": "990000000", "name": {"ru": "Тест", "kk": "Тест"}, "population": 10},
        {"kato": "991000000", "parent": "990000000", "name": {"ru": "Тест-1", "kk": "Тест-1"}},
        {"kato": "991100000", "parent": "991000000", "name": {"ru": "Тест-1-1", "kk": "Тест-1-1"},
         "population": 3},
    ]
    assert await regions.load_regions(new) == 3
    rows = {r["kato"]: r for r in await Region.select().where(Region.kato.like("99%")).output(load_json=True)}
    assert rows["990000000"] == {"kato": "990000000", "parent": None, "path": "990000000/",
                                 "name": {"ru": "Тест", "kk": "Тест"}, "population": 10}
    assert rows["991000000"]["path"] == "990000000/991000000/" and rows["991000000"]["population"] is None
    assert rows["991100000"]["path"] == "990000000/991000000/991100000/"
    assert rows["991100000"]["parent"] == "991000000" and rows["991100000"]["population"] == 3

    # A reload with a child alone reads its parent's path from the table, and updates in place.
    renamed = {"kato": "991100000", "parent": "991000000", "name": {"ru": "Новое", "kk": "Жаңа"}, "population": 4}
    assert await regions.load_regions([renamed]) == 1
    row = await Region.select().where(Region.kato == "991100000").first().output(load_json=True)
    assert row == {**renamed, "path": "990000000/991000000/991100000/"}
    assert await Region.count().where(Region.kato.like("99%")) == 3


async def test_a_region_path_is_remembered_for_path_ttl_seconds_and_no_longer(client, monkeypatch):
    regions._paths.clear()
    now = [1000.0]
    monkeypatch.setattr(regions.time, "monotonic", lambda: now[0])
    assert regions.PATH_TTL == 60.0
    assert await regions.region_path(ALMALY) == f"{ALMATY}/{ALMALY}/"
    assert regions._paths[ALMALY] == (1060.0, f"{ALMATY}/{ALMALY}/")
    await Region.update({Region.path: "changed/"}).where(Region.kato == ALMALY)
    try:
        now[0] = 1059.5  # still fresh: answered from memory although the table changed
        assert await regions.region_path(ALMALY) == f"{ALMATY}/{ALMALY}/"
        now[0] = 1060.0  # expired at its deadline: read again and remembered anew
        assert await regions.region_path(ALMALY) == "changed/"
        assert regions._paths[ALMALY] == (1120.0, "changed/")
    finally:
        await Region.update({Region.path: f"{ALMATY}/{ALMALY}/"}).where(Region.kato == ALMALY)
        regions._paths.clear()


async def test_an_unknown_region_is_not_found_and_not_remembered(client):
    regions._paths.clear()
    with pytest.raises(NotFound) as missing:
        await regions.region_path("123456789")
    assert missing.value.args[0] == "There is no region with KATO code 123456789; GET /api/v1/regions lists them."
    assert "123456789" not in regions._paths


async def test_paths_of_several_regions(client):
    assert await regions.region_paths(set()) == {}
    assert await regions.region_paths({ALMALY, ALATAU, "123456789"}) == {
        ALMALY: f"{ALMATY}/{ALMALY}/", ALATAU: f"{ALMATY}/{ALATAU}/"}


async def test_all_regions_come_in_tree_order_with_their_names(client):
    listed = await regions.all_regions()
    paths = [r["path"] for r in listed]
    assert paths == sorted(paths)
    almaly = next(r for r in listed if r["kato"] == ALMALY)
    assert almaly["name"]["en"] == "Almaly District" and almaly["parent"] == ALMATY
