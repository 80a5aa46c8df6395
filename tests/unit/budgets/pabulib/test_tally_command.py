import json

from click.testing import CliRunner

from server.commands.tally import tally

FILE = """META
key;value
budget;10
vote_type;approval
PROJECTS
project_id;cost
a;6
b;5
c;4
VOTES
voter_id;vote
1;a,b
2;a
3;a
4;b,c
"""


def invoke(tmp_path, *args, text=FILE):
    path = tmp_path / "election.pb"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(tally, [str(path), *args])


def test_json_output(tmp_path):
    result = invoke(tmp_path, "--rule", "greedy", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"rule": "greedy", "winners": ["a", "c"], "spent": 10}


def test_table_output(tmp_path):
    result = invoke(tmp_path, "--rule", "mes-add1")
    assert result.exit_code == 0
    assert "winners" in result.output and "supporters_cannot_pay" in result.output


def test_fractional_spending_is_a_number(tmp_path):
    result = invoke(tmp_path, "--rule", "greedy", "--json", text=FILE.replace("c;4", "c;3.5"))
    assert json.loads(result.output)["spent"] == 9.5


def test_unknown_rule_and_broken_file_exit_2(tmp_path):
    result = invoke(tmp_path, "--rule", "plurality")
    assert result.exit_code == 2 and "unknown rule" in result.output
    result = invoke(tmp_path, "--rule", "greedy", text=FILE.replace("1;a,b", "1;a,z"))
    assert result.exit_code == 2 and "line 12" in result.output and "unknown project 'z'" in result.output
    result = CliRunner().invoke(tally, [str(tmp_path / "missing.pb"), "--rule", "greedy"])
    assert result.exit_code == 2 and "cannot read" in result.output
