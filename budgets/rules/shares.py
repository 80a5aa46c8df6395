"""The Method of Equal Shares for a given per-voter budget ("share"), fast and exact.

Utilities are points * cost: a supporter with w points for a project pays min(what it has left,
w * q), where q = rho * cost is the project's price per point (per voter for approval ballots).
Each step buys the affordable project with the smallest rho; ties go to the contract's order.

Budget classes. A voter's remaining budget depends only on which of the projects bought so far
it supports (and with how many points), never on anything else. So voters are counted by class,
and each project keeps how many of its supporters are in each class. Those counts do not depend
on the share either: they are kept in a trie keyed by the sequence of purchases, and runs for
other shares that buy in the same order reuse them; only the class budgets are per run.

Exactness. `run_exact` uses Fractions throughout. `run_float` does the same with floats and gives
up (returns None) whenever a decision is closer than a relative margin of 1e-9: two prices that
close, or supporters' money that close to the cost. Float errors here are around 1e-13 relative,
far inside that margin, so a float run that does not give up decides exactly as the exact run
would; callers confirm the final outcome with an exact run anyway.

Monotonicity (used by `holds_until`). For a fixed sequence of purchases, every budget is a
non-decreasing function of the share: a richer electorate pays lower prices, and a voter's budget
after paying is max(0, b - q * w), which grows with b and shrinks with q. Hence every price is
non-increasing in the share and affordability only improves. If at share a the project bought at
each step is cheaper than every other project's price at share b > a (or they are unaffordable at
b), MES buys the same sequence for every share in [a, b].
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import compress
from operator import mul

from .model import Election, Money

MARGIN = 1e-9


@dataclass
class Run:
    winners: list[int]  # candidate indices, in order of purchase
    prices: list  # each winner's price per point, q = rho * cost (Fractions from run_exact)


class _Node:
    """Supporter counts by class after buying the sequence of projects that leads here."""

    __slots__ = ("hist", "moves", "children", "bought", "arrays")

    def __init__(self, hist, moves, bought):
        self.hist = hist  # per candidate: {class * K + points: voters}; None once bought
        self.moves = moves  # [(new class, old class, points)] created by the last purchase
        self.children: dict[int, _Node] = {}
        self.bought = bought
        self.arrays: dict[int, tuple] = {}  # hist as parallel lists, built on first float use


class SharesEngine:
    def __init__(self, election: Election, candidates: list[str], rank_key):
        index = {pid: i for i, pid in enumerate(candidates)}
        self.costs = [election.costs[pid] for pid in candidates]
        self.keys = [rank_key(pid) for pid in candidates]
        # Voters with the same ballot (restricted to candidates) behave identically: one type.
        types = Counter()
        for ballot in election.ballots:
            kept = tuple(sorted((index[p], w) for p, w in ballot.items() if p in index))
            if kept:
                types[kept] += 1
        self.ballots = list(types)
        self.mult = list(types.values())
        self.supporters: list[list[tuple[int, int]]] = [[] for _ in candidates]
        for t, ballot in enumerate(self.ballots):
            for p, w in ballot:
                self.supporters[p].append((t, w))
        self.K = 1 + max((w for ballot in self.ballots for _, w in ballot), default=1)
        self.approval = self.K == 2
        # Class 0 is "paid for nothing yet"; every other class is its parent class after paying
        # for one more project with a given number of points for it.
        self.class_parent = [0]
        self.transitions: dict[tuple[int, int, int], int] = {}
        # The class of each voter type at the trie node the cursor is on.
        self.cls = [0] * len(self.ballots)
        self.cursor: list[int] = []
        root_hist = []
        for p in range(len(candidates)):
            counts = Counter()
            for t, w in self.supporters[p]:
                counts[w] += self.mult[t]
            root_hist.append(dict(counts))
        self.root = _Node(root_hist, [], frozenset())

    # -- the trie -------------------------------------------------------------------------

    def _move_cursor(self, path: list[int]) -> None:
        cursor, cls, parent = self.cursor, self.cls, self.class_parent
        common = 0
        while common < min(len(cursor), len(path)) and cursor[common] == path[common]:
            common += 1
        while len(cursor) > common:
            for t, _ in self.supporters[cursor.pop()]:
                cls[t] = parent[cls[t]]
        transitions = self.transitions
        for j in path[common:]:
            for t, w in self.supporters[j]:
                cls[t] = transitions[cls[t], j, w]
            cursor.append(j)

    def _child(self, node: _Node, path: list[int], j: int) -> _Node:
        child = node.children.get(j)
        if child is not None:
            return child
        self._move_cursor(path)
        cls, mult, K = self.cls, self.mult, self.K
        transitions, parent = self.transitions, self.class_parent
        bought = node.bought | {j}
        hist = list(node.hist)
        hist[j] = None
        copied = set()
        moves = {}
        for t, w in self.supporters[j]:
            old = cls[t]
            new = transitions.get((old, j, w))
            if new is None:
                new = transitions[old, j, w] = len(parent)
                parent.append(old)
            moves[new] = (new, old, w)
            cls[t] = new
            m = mult[t]
            for p, wp in self.ballots[t]:
                if p in bought:
                    continue
                h = hist[p]
                if p not in copied:
                    h = hist[p] = dict(h)
                    copied.add(p)
                key = old * K + wp
                left = h[key] - m
                if left:
                    h[key] = left
                else:
                    del h[key]
                key = new * K + wp
                h[key] = h.get(key, 0) + m
        self.cursor.append(j)
        child = _Node(hist, list(moves.values()), bought)
        # Shares only grow during Add1, so branches left behind are rarely taken again; keeping
        # one child bounds memory by the length of a run.
        node.children = {j: child}
        return child

    # -- exact runs -----------------------------------------------------------------------

    def run_exact(self, share: Money) -> Run:
        budgets: dict[int, Fraction] = {0: Fraction(share)}
        return self._run(budgets, self._price_exact, lambda b, q, w: max(b - q * w, 0), exact=True)

    def _price_exact(self, node: _Node, p: int, budgets) -> Fraction | None:
        """The price q of candidate p, or None when its supporters cannot pay for it."""
        cost, K = self.costs[p], self.K
        entries = []
        total = 0
        weight = 0
        for key, count in node.hist[p].items():
            cls, w = divmod(key, K)
            b = budgets[cls]
            if b:
                total += count * b
                weight += count * w
                entries.append((b / w if w != 1 else b, count, w))
        if total < cost:
            return None
        entries.sort()
        # Supporters with less than q per point pay all they have; the rest share what is left.
        paid = 0
        for ratio, count, w in entries:
            q = Fraction(cost - paid) / weight
            if q <= ratio:
                return q
            paid += count * ratio * w
            weight -= count * w
        raise AssertionError("an affordable project always has a price")

    # -- float runs -----------------------------------------------------------------------

    def run_float(self, share: Money) -> Run | None:
        return self._run(
            {0: float(share)}, self._price_float, lambda b, q, w: max(b - q * w, 0.0), exact=False
        )

    def _arrays(self, node: _Node, p: int) -> tuple:
        arrays = node.arrays.get(p)
        if arrays is None:
            K = self.K
            keys = list(node.hist[p])
            counts = list(node.hist[p].values())
            if self.approval:
                arrays = ([k // K for k in keys], None, counts, sum(counts))
            else:
                weights = [k % K for k in keys]
                arrays = ([k // K for k in keys], weights, counts, sum(map(mul, weights, counts)))
            node.arrays[p] = arrays
        return arrays

    def _price_float(self, node: _Node, p: int, budgets):
        """The price q of p as a float, None if unaffordable, or _CLOSE if too close to call."""
        cost = self.costs[p]
        classes, weights, counts, weight = self._arrays(node, p)
        get = budgets.get
        b = [get(c, 0.0) for c in classes]
        total = sum(map(mul, b, counts))
        if total < cost * (1 + MARGIN):
            return _CLOSE if total > cost * (1 - MARGIN) else None
        # Poor/rich fixed point: q only rises as more supporters turn out to be poor.
        q = cost / weight
        poor_count = -1
        while True:
            if weights is None:
                poor = [x < q for x in b]
                paid = sum(map(mul, compress(b, poor), compress(counts, poor)))
                count = sum(compress(counts, poor))
                rest = weight - count
            else:
                poor = [x < q * w for x, w in zip(b, weights)]
                paid = sum(map(mul, compress(b, poor), compress(counts, poor)))
                count = sum(compress(counts, poor))
                rest = weight - sum(map(mul, compress(weights, poor), compress(counts, poor)))
            if count == poor_count:
                return q
            poor_count = count
            q = (cost - paid) / rest

    # -- the MES loop, shared by both arithmetics -------------------------------------------

    def _run(self, budgets, price, pay, exact: bool) -> Run | None:
        node, path = self.root, []
        costs, keys = self.costs, self.keys
        heap = []
        for p in range(len(costs)):
            q = price(node, p, budgets)
            if q is _CLOSE:
                return None
            if q is not None:
                heap.append((q / costs[p], keys[p], p, 0, q))
        heapq.heapify(heap)
        winners, prices = [], []
        while heap:
            entry = heapq.heappop(heap)
            rho, key, p, step, q = entry
            if step != len(winners):
                q = price(node, p, budgets)
                if q is _CLOSE:
                    return None
                if q is not None:
                    heapq.heappush(heap, (q / costs[p], key, p, len(winners), q))
                continue
            # p's rho is current and every other candidate's rho is at least its stale value.
            if not exact and heap and heap[0][0] <= rho * (1 + MARGIN):
                if heap[0][3] != len(winners):
                    heapq.heappush(heap, entry)  # refresh the close one first
                    continue
                return None
            winners.append(p)
            prices.append(q)
            node = self._child(node, path, p)
            path.append(p)
            for new, old, w in node.moves:
                budgets[new] = pay(budgets[old], q, w)
        return Run(winners, prices)

    def holds_until(self, run: Run, low: Money, high: Money) -> Run | None:
        """The run at `high` if MES buys run.winners, in that order, for every share in [low, high].

        `run` is the run at share `low`. The check replays its purchases at `high` and compares,
        step by step, the winner's rho at `low` with every other candidate's rho at `high`, as
        explained in the module docstring. None means "not shown", not "different".
        """
        prices = []
        budgets = {0: float(high)}
        node, path = self.root, []
        costs, keys = self.costs, self.keys
        heap = []
        for p in range(len(costs)):
            q = self._price_float(node, p, budgets)
            if q is _CLOSE:
                return None
            if q is not None:
                heap.append((q / costs[p], keys[p], p, 0))
        heapq.heapify(heap)
        for step, (j, q_low) in enumerate(zip(run.winners, run.prices)):
            bar = float(q_low) / costs[j] * (1 + MARGIN)
            while heap and (heap[0][2] in node.bought or heap[0][2] == j or heap[0][0] <= bar):
                rho, key, p, seen = heapq.heappop(heap)
                if p == j or p in node.bought:
                    continue
                if seen == step:
                    return None
                q = self._price_float(node, p, budgets)
                if q is _CLOSE:
                    return None
                if q is not None:
                    heapq.heappush(heap, (q / costs[p], key, p, step))
            q = self._price_float(node, j, budgets)
            if q is None or q is _CLOSE:
                return None
            prices.append(q)
            node = self._child(node, path, j)
            path.append(j)
            for new, old, w in node.moves:
                budgets[new] = max(budgets[old] - q * w, 0.0)
        # Nothing else may be affordable at `high` once the sequence is bought.
        while heap:
            rho, key, p, seen = heapq.heappop(heap)
            if p in node.bought:
                continue
            if seen == len(run.winners):
                return None
            q = self._price_float(node, p, budgets)
            if q is not None:
                return None
        return Run(list(run.winners), prices)


_CLOSE = object()
