"""`mes`, `mes-add1` and `mes-add1-greedy` (Peters and Skowron's Method of Equal Shares).

Utilities are points * cost: cost utilities for approval and knapsack ballots, as the contract
says, and for points ballots each point a voter gives a project is worth its cost to that voter.
A supporter with w points for a project pays min(what it has left, w * price), where the price is
rho * cost; `ProjectOutcome.price_per_voter` is that price (what each supporter paid in full for
approval ballots, the price per point for points ballots).

Projects that cost nothing and have a supporter are bought first, free. Projects that nobody
supports are never bought.

Add1: every voter's budget is budget/n, then budget/n + 1, + 2, ... (n voters); the result is the
last outcome that costs at most the budget; when every supported project fits the budget, all
of them are selected. Runs for consecutive units share most of their work (see shares.py), and
stretches over which the outcome provably stays the same are jumped over; the answer is the one
a run for every single unit would give.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from .greedy import greedy_pass
from .model import Election, Outcome, ProjectOutcome, Support
from .shares import Run, SharesEngine


def equal_shares(election: Election, rule: str, progress: Callable[[float], None] | None = None) -> Outcome:
    support = Support.of(election)
    rank = support.rank_key(election)
    supported = sorted((pid for pid in election.costs if support.votes[pid]), key=rank)
    free = [pid for pid in supported if election.costs[pid] == 0]
    candidates = [pid for pid in supported if election.costs[pid] > 0]
    n = len(election.ballots)
    budget = election.budget
    if n == 0:
        winners, prices, share = [], [], None
    elif rule != "mes" and sum(election.costs[pid] for pid in candidates) <= budget:
        # Add1 would raise the share until every supported project is bought; say so directly.
        winners, share = candidates, None
        prices = [None] * len(candidates)
    else:
        engine = SharesEngine(election, candidates, rank)
        if rule == "mes":
            share = Fraction(budget, n)
            run = engine.run(share, exact_prices=True)
        else:
            share, run = _add1(engine, election, n, progress)
        winners = [candidates[i] for i in run.winners]
        prices = run.prices
    price_of = dict(zip(winners, prices))
    projects = [_outcome(election, support, pid, True, None, price_of.get(pid, Fraction(0))) for pid in free + winners]
    winners = free + winners
    spent = sum(election.costs[pid] for pid in winners)
    rest = [pid for pid in sorted(election.costs, key=rank) if pid not in price_of and pid not in free]
    if rule == "mes-add1-greedy":
        extra, left = greedy_pass(election, support, rest, budget - spent)
        projects += extra
        winners += [p.project_id for p in extra if p.selected]
        spent = budget - left
    else:
        for pid in rest:
            reason = "supporters_cannot_pay" if support.votes[pid] else "no_votes"
            projects.append(_outcome(election, support, pid, False, reason, None))
    return Outcome(rule=rule, winners=winners, spent=spent, projects=projects, voter_budget=share)


def _outcome(election, support, pid, selected, reason, price) -> ProjectOutcome:
    outcome = support.outcome(election, pid, selected, reason)
    outcome.price_per_voter = price
    return outcome


def _add1(engine: SharesEngine, election: Election, n: int, progress) -> tuple[Fraction, Run]:
    """The last outcome that fits, raising each voter's budget by one unit at a time.

    Every whole unit is looked at, except across stretches where `holds_until` shows that the
    outcome stays the same (see shares.py).
    """
    budget = election.budget
    start = Fraction(budget, n)
    # pabutools gives up at a total budget of budget * (n + 1); nothing changes beyond it anyway
    # once any one supporter can pay for any project.
    last_step = (budget * (n + 1) - budget) // n

    def cost(run: Run):
        return sum(engine.costs[i] for i in run.winners)

    # How far a jump can be shown shrinks near a change of outcome (or of its order), so a
    # failed jump guesses how far it could have gone and the next try aims a little short of
    # that, keeping its stride after a success; a stride doubles only after two successes in a
    # row. Below two units a plain run is as cheap as a try and always decides: there the next
    # `wait` units are run, with patience doubling each time a try falls that short (a failed
    # try costs about a run). After a run that changed the outcome the next unit is run too:
    # changes come in bursts.
    step, run, stride, grow, patience, wait = 0, engine.run(start), 2, 2, 1, 0
    best = (0, run)
    while cost(run) <= budget:
        best = (step, run)
        if progress is not None and budget:
            progress(min(0.99, float(cost(run) / budget)))
        if step >= last_step:
            break
        if stride >= 2 and not wait:
            target = min(step + stride, last_step)
            jumped, reach = engine.holds_until(run, start + step, start + target)
            if jumped is not None:
                step, run, stride, grow, patience = target, jumped, stride * grow, 2, 1
                continue
            stride, grow = min(int((target - step) * reach * 0.9), (target - step) // 2), 1
            if stride < 2:
                wait, patience = patience, patience * 2
            continue
        following = engine.run(start + step + 1)
        stride, wait = (2 if following.winners == run.winners else 1), max(wait - 1, 0)
        step, run = step + 1, following
    step, run = best
    return start + step, engine.run(start + step, exact_prices=True)
