"""Our rules as pabutools 1.2.3 computes them: a second, independent count for `dauys verify --pabutools`,
the oracle tests and the rules benchmark.

pabutools is optional (the `test` extra): only those three import this module, and nothing under
budgets/. Utilities match ours: points * cost (pabutools' Cost_Sat for approval), with points from the
ballot for cumulative and scoring files and Borda-like max_length..1 by position for ordinal files
(Krakow's 3/2/1). Ties use the contract's order: more points, more votes, lower cost, project id.
Projects nobody voted for are removed first, since our rules never fund them (pabutools' greedy would)."""

from __future__ import annotations

from pabutools.election import AdditiveSatisfaction, Cost_Sat, parse_pabulib
from pabutools.rules import exhaustion_by_budget_increase, greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule

RULES = ("greedy", "greedy-threshold", "mes", "mes-add1")


def _points_function(instance, profile):
    vote_type = instance.meta["vote_type"]
    if vote_type in ("approval", "choose-1"):
        return None
    if vote_type in ("cumulative", "scoring"):
        return lambda ballot, project: int(ballot[project]) if project in ballot else 0
    top = int(instance.meta.get("max_length") or max(len(ballot) for ballot in profile))
    return lambda ballot, project: top - ballot.index(project) if project in ballot else 0


def run(path: str, rule: str) -> set[str]:
    """The winners (project ids) of `rule` for the Pabulib file at `path`, by pabutools."""
    instance, profile = parse_pabulib(path)
    points = _points_function(instance, profile)
    if points is None:
        sat_class = Cost_Sat
        points = lambda ballot, project: 1 if project in ballot else 0  # noqa: E731

    else:

        class sat_class(AdditiveSatisfaction):  # noqa: N801 - pabutools wants a class
            def __init__(self, instance, profile, ballot):
                super().__init__(
                    instance, profile, ballot, lambda i, p, b, project, pre: points(b, project) * project.cost
                )

    votes = {p: 0 for p in instance}
    score = {p: 0 for p in instance}
    for ballot in profile:
        for project in instance:
            given = points(ballot, project)
            if given:
                votes[project] += 1
                score[project] += given
    tie = TieBreakingRule(lambda inst, prof, p: (-score[p], -votes[p], p.cost, p.name))
    for project in [p for p in instance if not votes[p]]:
        instance.remove(project)
    if rule == "greedy-threshold":
        threshold = instance.meta.get("min_project_score_threshold")
        for project in [p for p in instance if threshold and score[p] < float(threshold)]:
            instance.remove(project)
    if rule in ("greedy", "greedy-threshold"):
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=sat_class, tie_breaking=tie)
    elif rule == "mes":
        outcome = method_of_equal_shares(instance, profile, sat_class=sat_class, tie_breaking=tie)
    elif rule == "mes-add1":
        outcome = exhaustion_by_budget_increase(
            instance,
            profile,
            method_of_equal_shares,
            {"sat_class": sat_class, "tie_breaking": tie},
            exhaustive_stop=False,
            budget_step=profile.num_ballots(),
        )
    else:
        raise ValueError(f"pabutools has no {rule}")
    return {p.name for p in outcome}
