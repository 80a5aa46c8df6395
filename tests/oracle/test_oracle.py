"""Our rules against pabutools and against the cities' own `selected` columns, on real files.

pabutools is slow: its greedy and MES run on every file (the largest marked slow), its MES-Add1
only on the files where it finishes in seconds (one more, Swiecie, marked slow).
"""

import sys
from pathlib import Path

import pytest

from budgets.pabulib import load, to_election
from budgets.rules import tally
from tests.pabulib_data import import_or_missing, pabulib_folder

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
DATA = pabulib_folder()
# pabutools is a test dependency: away from CI a machine without it skips the oracle, in CI that fails.
pabutools_rules = import_or_missing("pabutools_rules", "install pabutools: pip install -e '.[test]'")

# Files where pabutools needs more than about ten seconds for greedy or MES.
LARGE = {
    "Hungary_Budapest_2024.pb",
    "Poland_Krakow_2024.pb",
    "Poland_Lodz_2022.pb",
    "Poland_Warszawa_2026.pb",
    "Poland_Wroclaw_2017.pb",
    "Poland_Wroclaw_2024.pb",
    "Poland_Gdynia_2020.pb",
    "Netherlands_Amsterdam_252.pb",
}
ADD1_FAST = [
    "Netherlands_Assen_2024.pb",
    "Poland_Czestochowa_2025_Lisiniec.pb",
    "Poland_Gdynia_2020_Babie_Doly__small.pb",
    "Poland_Katowice_2023_Koszutka.pb",
    "Poland_Zabrze_2021_Centrum_Polnoc.pb",
    "Worldwide_Mechanical_Turk_Knapsack_3.pb",
    "Netherlands_Amsterdam_522.pb",
]
ADD1_SLOW = ["Poland_Swiecie_2023.pb"]

# META rule -> our rule whose winners must equal the file's `selected == 1` projects.
SELECTED = {
    "Poland_Warszawa_2023_Wesola.pb": "greedy",
    "Poland_Warszawa_2023_Mokotow.pb": "greedy",
    "Poland_Krakow_2022_Podgorze.pb": "greedy",
    "Poland_Krakow_2023_Debniki.pb": "greedy",
    "Poland_Krakow_2024.pb": "greedy",
    "Poland_Warszawa_2026_Mokotow.pb": "greedy-threshold",
    "Poland_Warszawa_2026.pb": "greedy-threshold",
    "Poland_Lodz_2022.pb": "greedy-threshold",
    "Poland_Czestochowa_2025_Lisiniec.pb": "greedy-threshold",
    "Poland_Katowice_2023_Koszutka.pb": "greedy-threshold",
    "Poland_Gdynia_2020.pb": "greedy-no-skip",
    "Poland_Wroclaw_2017.pb": "greedy-no-skip",
    "Poland_Wroclaw_2024.pb": "greedy-no-skip",
    "Netherlands_Assen_2024.pb": "mes-add1",
    "Poland_Swiecie_2023.pb": "mes-add1",
    # equalshares/add1-comparison: the comparison with greedy kept MES (README).
    "Poland_Wieliczka_2023_Green_Budget.pb": "mes-add1",
}


def files(names):
    for name in names:
        marks = [pytest.mark.slow] if name in LARGE or name in ADD1_SLOW else []
        yield pytest.param(name, marks=marks, id=name)


ALL = sorted(p.name for p in DATA.glob("*.pb"))


def ours(name: str, rule: str) -> set[str]:
    return set(tally(rule, to_election(load(DATA / name))).winners)


@pytest.mark.parametrize("rule", ["greedy", "greedy-threshold", "mes"])
@pytest.mark.parametrize("name", list(files(ALL)))
def test_same_winners_as_pabutools(name, rule):
    assert ours(name, rule) == pabutools_rules.run(str(DATA / name), rule)


@pytest.mark.parametrize("name", list(files(ADD1_FAST + ADD1_SLOW)))
def test_add1_same_winners_as_pabutools(name):
    assert ours(name, "mes-add1") == pabutools_rules.run(str(DATA / name), "mes-add1")


@pytest.mark.parametrize("name", list(files(SELECTED)))
def test_same_winners_as_the_city(name):
    instance = load(DATA / name)
    selected = {pid for pid, row in instance.projects.items() if row.get("selected") == "1"}
    assert ours(name, SELECTED[name]) == selected
