"""`dauys tally FILE.pb --rule RULE [--json]`: the winners of a Pabulib file (API.md)."""

from __future__ import annotations

import json
import sys
from fractions import Fraction

import click

from budgets.pabulib import PabulibError, load, to_election
from budgets.rules import RULES, UnknownRule
from budgets.rules import tally as run_rule


def _number(value):
    """An int when integral; otherwise a JSON number (the file's decimals are exact up to then)."""
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else float(value)
    return value


class _ProgressBar:
    """A bar on stderr, only when a person watches it: nothing is written to a pipe or a file."""

    def __init__(self, stream):
        self.stream = stream
        self.shown = False

    def __call__(self, fraction: float) -> None:
        width = 30
        filled = int(width * min(max(fraction, 0.0), 1.0))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:6.1%}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 45 + "\r")
            self.stream.flush()


def _fail(message: str) -> None:
    click.echo(f"dauys tally: {message}", err=True)
    sys.exit(2)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--rule", required=True, help=f"one of: {', '.join(RULES)}")
@click.option("--json", "as_json", is_flag=True, help='print {"rule", "winners", "spent"} as JSON')
def tally(file: str, rule: str, as_json: bool) -> None:
    """Computes the winners of a Pabulib (.pb) file."""
    if rule not in RULES:
        _fail(f"unknown rule {rule!r}; known rules: {', '.join(RULES)}")
    try:
        election = to_election(load(file))
    except OSError as error:
        _fail(f"cannot read {file}: {error.strerror or error}")
    except UnicodeDecodeError:
        _fail(f"{file} is not UTF-8 text")
    except PabulibError as error:
        _fail(f"{file}: {error}")
    stderr = click.get_text_stream("stderr")
    bar = _ProgressBar(stderr) if stderr.isatty() else None
    try:
        outcome = run_rule(rule, election, bar)
    except UnknownRule as error:
        _fail(str(error))
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        click.echo(json.dumps({"rule": rule, "winners": outcome.winners, "spent": _number(outcome.spent)}))
        return
    click.echo(
        f"rule {rule}: {len(outcome.winners)} winners, spent {_number(outcome.spent)} of {_number(election.budget)}"
    )
    if outcome.voter_budget is not None:
        click.echo(f"budget per voter in the last run: {float(outcome.voter_budget):.2f}")
    rows = [("project", "votes", "score", "cost", "selected", "price/voter", "why not")]
    for p in outcome.projects:
        price = "" if p.price_per_voter is None else f"{float(p.price_per_voter):.2f}"
        rows.append(
            (
                p.project_id,
                str(p.votes),
                str(p.score),
                str(_number(p.cost)),
                "yes" if p.selected else "no",
                price,
                p.reason or "",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
