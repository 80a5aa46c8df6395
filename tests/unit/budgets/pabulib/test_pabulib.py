from fractions import Fraction

import pytest

from budgets.pabulib import PabulibError, PabulibInstance, dumps, load, loads, to_election
from budgets.rules import Election

SMALL = '''META
key;value
description;"A test; with ""quotes"""
num_projects;3
num_votes;2
budget;100.5
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name;selected
a;50;"Park; benches";1
b;40.25;Library;0
c;10;;1
VOTES
voter_id;vote;age
v1;a,b;30
v2;a;
'''


def test_reads_every_dev_file(pb_file):
    instance = load(pb_file)
    election = to_election(instance)
    assert len(instance.projects) == int(instance.meta["num_projects"])
    assert len(election.ballots) == len(instance.votes) == int(instance.meta["num_votes"])
    votes = dict.fromkeys(instance.projects, 0)
    score = dict.fromkeys(instance.projects, 0)
    for ballot in election.ballots:
        for pid, points in ballot.items():
            votes[pid] += 1
            score[pid] += points
    for pid, row in instance.projects.items():
        if row.get("votes"):
            assert votes[pid] == int(row["votes"]), pid
        if row.get("score"):
            assert score[pid] == int(row["score"]), pid
    assert loads(dumps(instance)) == instance


def test_small_file_values_and_numbers():
    instance = loads(SMALL)
    assert instance.meta["description"] == 'A test; with "quotes"'
    assert instance.projects["a"]["name"] == "Park; benches"
    assert instance.projects["c"]["name"] == ""
    assert instance.votes[1] == {"voter_id": "v2", "vote": "a", "age": ""}
    election = to_election(instance)
    assert election.budget == Fraction(201, 2)
    assert election.costs == {"a": 50, "b": Fraction(161, 4), "c": 10}
    assert list(election.ballots) == [{"a": 1, "b": 1}, {"a": 1}]
    assert election.min_project_score is None


def test_crlf_and_bom_read_the_same():
    assert loads("\ufeff" + SMALL.replace("\n", "\r\n")) == loads(SMALL)


def test_round_trip_keeps_quoting():
    instance = loads(SMALL)
    text = dumps(instance)
    assert '"Park; benches"' in text
    assert loads(text) == instance


def test_writer_output_is_read_by_pabutools():
    pabulib = pytest.importorskip("pabutools.election.pabulib")
    instance = loads(SMALL)
    parsed, profile = pabulib.parse_pabulib_from_string(dumps(instance))
    assert {p.name: p.cost for p in parsed} == {"a": 50, "b": Fraction(161, 4), "c": 10}
    assert parsed.budget_limit == Fraction(201, 2)
    assert parsed.meta["description"] == 'A test; with "quotes"'
    assert [sorted(p.name for p in ballot) for ballot in profile] == [["a", "b"], ["a"]]


def test_points_ballots():
    text = (
        SMALL.replace("approval", "cumulative")
        .replace("voter_id;vote;age", "voter_id;vote;points")
        .replace("v1;a,b;30", "v1;a,b;3,2")
        .replace("v2;a;", "v2;a;5")
    )
    assert list(to_election(loads(text)).ballots) == [{"a": 3, "b": 2}, {"a": 5}]


def test_ordinal_without_points_uses_borda_from_max_length():
    text = SMALL.replace("approval", "ordinal").replace("rule;greedy", "rule;greedy\nmax_length;3")
    assert list(to_election(loads(text)).ballots) == [{"a": 3, "b": 2}, {"a": 3}]
    text = SMALL.replace("approval", "ordinal")
    assert list(to_election(loads(text)).ballots) == [{"a": 2, "b": 1}, {"a": 2}]


def test_threshold_from_meta():
    text = SMALL.replace("rule;greedy", "rule;greedy\nmin_project_score_threshold;2")
    assert to_election(loads(text)).min_project_score == 2


def test_writer_takes_hand_built_instances():
    instance = PabulibInstance(
        meta={"budget": "10", "vote_type": "approval"},
        projects={"x": {"project_id": "x", "cost": "4"}},
        votes=[{"voter_id": "1", "vote": "x"}],
    )
    assert loads(dumps(instance)) == instance
    assert to_election(loads(dumps(instance))) == Election(budget=10, costs={"x": 4}, ballots=[{"x": 1}])


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (SMALL.replace("c;10;;1", "c;10;1"), 13, "3 fields but the header has 4"),
        (SMALL.replace("v2;a;", "v2;z;"), 17, "unknown project 'z'"),
        (SMALL.replace("b;40.25;", "b;forty;"), 12, "cost of project 'b' is not a number"),
        (SMALL.replace("v1;a,b;30", "v1;a,a;30"), 16, "names a project twice"),
        (SMALL.replace("project_id;cost;name", "project_id;price;name"), 10, "no 'cost' column"),
        (SMALL.replace("a;50;", "b;50;"), 12, "project 'b' appears twice"),
        (SMALL.replace('"Park; benches"', '"Park; benches'), None, "malformed CSV"),
        ("hello\n" + SMALL, 1, "expected a section title"),
        (SMALL.replace("VOTES\n", "PROJECTS\n"), 14, "PROJECTS appears twice"),
    ],
)
def test_broken_files_name_the_line(text, line, words):
    with pytest.raises(PabulibError) as caught:
        to_election(loads(text))
    assert words in str(caught.value)
    if line is not None:
        assert caught.value.line == line
        assert str(caught.value).startswith(f"line {line}:")


def test_missing_sections_and_keys():
    with pytest.raises(PabulibError, match="VOTES is missing"):
        loads(SMALL[: SMALL.index("VOTES")])
    with pytest.raises(PabulibError, match="no 'budget'"):
        loads(SMALL.replace("budget;100.5\n", ""))
    with pytest.raises(PabulibError, match="unsupported vote_type"):
        to_election(loads(SMALL.replace("approval", "plurality")))
