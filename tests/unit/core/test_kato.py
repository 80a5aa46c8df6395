"""Reading the KATO classifier as the statistics bureau publishes it, and the regions Dauys ships."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook

from core.regions import KatoFileError, parent_candidates, parse_kato_rows, read_kato_file, reference_regions

HEADER = ["te", "ab", "cd", "ef", "hij", "k", "name_kaz", "name_rus", "nn"]
# Rows shaped as the classifier's: a city of republican significance whose districts skip a level in the code,
# an oblast with a city administration, its city and a village. The codes and Russian names are the
# classifier's (core/data/README.md); the Kazakh names of the administration and the village stand in.
GOOD = [
    ["750000000", "75", "00", "00", "000", "0", "Алматы қ.", "г.Алматы", "1"],
    ["751110000", "75", "11", "10", "000", "1", "Алмалы ауданы", "Алмалинский район", "2"],
    ["110000000", "11", "00", "00", "000", "0", "Ақмола облысы", "Акмолинская область", "3"],
    ["111000000", "11", "10", "00", "000", "0", "Көкшетау Қ.Ә.", "Кокшетау Г.А.", "4"],
    ["111010000", "11", "10", "10", "000", "0", "Көкшетау қ.", "г.Кокшетау", "5"],
    ["111033100", "11", "10", "33", "100", "0", "Қызыл Яр а.", "с.Красный Яр", "6"],
]


def write_csv(path, rows, delimiter=";"):
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        # The bureau's sheet holds codes as numbers; the reader must not care.
        sheet.append([int(cell) if cell.isdigit() and len(cell) == 9 else cell for cell in row])
    book.save(path)
    return path


def by_code(parsed):
    return {region["kato"]: region for region in parsed.regions}


@pytest.mark.parametrize("kind", ["csv", "csv-comma", "xlsx"])
def test_a_good_file_builds_the_tree_from_the_codes(tmp_path, kind):
    rows = [HEADER, *GOOD]
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "kato.xlsx", rows)
    else:
        path = write_csv(tmp_path / "kato.csv", rows, ";" if kind == "csv" else ",")
    parsed = read_kato_file(path, levels=2)
    assert parsed.problems == []
    regions = by_code(parsed)
    assert list(regions) == ["110000000", "111000000", "750000000", "751110000"]  # parents first
    assert regions["750000000"]["parent"] is None and regions["110000000"]["parent"] is None
    # Almaty's districts are 7511 10 000; the classifier has no 751100000, so the city is the parent.
    assert regions["751110000"]["parent"] == "750000000" and regions["751110000"]["level"] == 2
    assert regions["111000000"]["parent"] == "110000000"
    assert regions["751110000"]["name"] == {"kk": "Алмалы ауданы", "ru": "Алмалинский район"}
    assert "population" not in regions["751110000"]
    assert parsed.codes == {row[0] for row in GOOD}


def test_levels_limit_the_depth(tmp_path):
    path = write_csv(tmp_path / "kato.csv", [HEADER, *GOOD])
    assert set(by_code(read_kato_file(path, levels=1))) == {"110000000", "750000000"}
    deep = by_code(read_kato_file(path, levels=4))
    assert deep["111010000"]["parent"] == "111000000" and deep["111010000"]["level"] == 3
    assert deep["111033100"]["parent"] == "111000000" and deep["111033100"]["level"] == 3


def test_parents_are_the_nearest_code_with_trailing_groups_zeroed():
    assert parent_candidates("613639180") == ["613639100", "613639000", "613600000", "610000000"]
    assert parent_candidates("751110000") == ["751100000", "750000000"]
    assert parent_candidates("110000000") == []


def test_bad_rows_are_reported_with_their_line_and_skipped(tmp_path):
    rows = [
        HEADER,
        *GOOD[:2],
        ["7511200", "75", "12", "", "", "", "Алатау ауданы", "Алатауский район", ""],   # line 4: 7 digits
        ["75121000X", "", "", "", "", "", "Алатау ауданы", "Алатауский район", ""],     # line 5: not digits
        ["751310000", "", "", "", "", "", "", "Ауэзовский район", ""],                  # line 6: no kk
        ["751410000", "", "", "", "", "", "Бостандық ауданы", "", ""],                  # line 7: no ru
        ["981010000", "", "", "", "", "", "Жоқ", "Нет", ""],                            # line 8: no parent
        ["981010100", "", "", "", "", "", "Жоқ", "Нет", ""],                            # line 9: parent skipped
        ["751110000", "", "", "", "", "", "Алмалы", "Алмалинский", ""],                 # line 10: repeated
        [],
        ["751510000", "", "", "", "", "", "Жетісу ауданы", "Жетысуский район", ""],     # line 12: good
    ]
    parsed = read_kato_file(write_csv(tmp_path / "kato.csv", rows), levels=3)
    assert [problem.line for problem in parsed.problems] == [4, 5, 6, 7, 8, 9, 10]
    assert "7 digits" in parsed.problems[0].message and "not digits" in parsed.problems[1].message
    assert "name_kaz" in parsed.problems[2].message and "name_rus" in parsed.problems[3].message
    assert "no parent" in parsed.problems[4].message and "981010000 was skipped" in parsed.problems[5].message
    assert "first on line 3" in parsed.problems[6].message
    assert set(by_code(parsed)) == {"750000000", "751110000", "751510000"}


def test_a_file_without_the_header_is_read_by_position(tmp_path):
    parsed = read_kato_file(write_xlsx(tmp_path / "kato.xlsx", [["Код", "", "", "", "", "", "Атауы", "Наименование"],
                                                                *GOOD]))
    assert [problem.line for problem in parsed.problems] == [1]  # the title row is not a region
    assert set(by_code(parsed)) == {"110000000", "111000000", "750000000", "751110000"}


def test_a_population_column_is_read_when_present(tmp_path):
    rows = [[*HEADER, "population"], [*GOOD[0], "2332397"], [*GOOD[1], ""], [*GOOD[2], "lots"]]
    parsed = read_kato_file(write_csv(tmp_path / "kato.csv", rows))
    regions = by_code(parsed)
    assert regions["750000000"]["population"] == 2332397 and "population" not in regions["751110000"]
    assert [problem.line for problem in parsed.problems] == [4]


def test_other_formats_and_broken_workbooks_are_refused(tmp_path):
    path = tmp_path / "kato.json"
    path.write_text("[]")
    with pytest.raises(KatoFileError):
        read_kato_file(path)
    broken = tmp_path / "kato.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(KatoFileError, match="not a readable XLSX"):
        read_kato_file(broken)


def test_a_csv_not_in_utf8_is_refused_rather_than_misread(tmp_path):
    # Windows-1251, as Excel saves "CSV" on a Russian Windows, cannot even hold the Kazakh letters.
    path = tmp_path / "kato.csv"
    path.write_bytes("te;name_kaz;name_rus\n750000000;Алматы;г.Алматы\n".encode("cp1251"))
    with pytest.raises(KatoFileError, match="not UTF-8"):
        read_kato_file(path)


def test_nothing_valid_is_an_empty_result():
    parsed = parse_kato_rows([(1, HEADER), (2, ["x", "", "", "", "", "", "a", "b", ""])])
    assert parsed.regions == [] and len(parsed.problems) == 1


# --- The shipped reference list ----------------------------------------------------------------------------

REPUBLICAN_CITIES = {"710000000": "Астана", "750000000": "Алматы", "790000000": "Шымкент"}
OBLASTS = {
    "100000000", "110000000", "150000000", "190000000", "230000000", "270000000", "310000000", "330000000",
    "350000000", "390000000", "430000000", "470000000", "550000000", "590000000", "610000000", "620000000",
    "630000000",
}


def test_every_shipped_code_is_nine_digits_and_unique():
    codes = [region["kato"] for region in reference_regions()]
    assert all(len(code) == 9 and code.isdigit() for code in codes)
    assert len(codes) == len(set(codes))


def test_every_shipped_parent_comes_first_and_top_level_codes_have_none():
    seen: set[str] = set()
    for region in reference_regions():
        if region["kato"][2:] == "0000000":
            assert region["parent"] is None, region
        else:
            assert region["parent"] in seen, region
            # The parent is what the code reduces to, as the import derives it.
            assert region["parent"] in parent_candidates(region["kato"])
        seen.add(region["kato"])


def test_every_shipped_region_is_named_in_kazakh_and_russian():
    for region in reference_regions():
        assert region["name"].get("kk") and region["name"].get("ru"), region


def test_the_three_cities_and_seventeen_oblasts_are_shipped():
    top = {region["kato"]: region for region in reference_regions() if region["parent"] is None}
    assert set(top) == OBLASTS | set(REPUBLICAN_CITIES)
    for kato, name in REPUBLICAN_CITIES.items():
        assert top[kato]["name"]["ru"] == name
    # The regions of 2022 as the current classifier has them.
    assert top["100000000"]["name"]["kk"] == "Абай облысы"
    assert top["330000000"]["name"]["kk"] == "Жетісу облысы"
    assert top["620000000"]["name"]["kk"] == "Ұлытау облысы"
