"""The Method of Equal Shares for a given per-voter budget ("share"), fast and exact.

Utilities are points * cost: a supporter with w points for a project pays min(what it has left,
w * q), where q = rho * cost is the project's price per point (per voter for approval ballots).
Each step buys the affordable project with the smallest rho; ties go to the contract's order.

Budget classes. A voter's remaining budget depends only on which of the projects bought so far it
supports (and with how many points). Voters are counted by that pattern, their class, and each
project keeps how many of its supporters are in each class. Those counts depend only on the set
of projects bought, not on the share nor on the order of purchase, so they are cached per set and
reused by runs for other shares; only the budget of each class is computed per run.

Exactness. `run` uses floats to find the cheapest project and settles in exact arithmetic (with
Fractions) every decision closer than a relative margin of 1e-9: two rhos that close, or
supporters' money that close to a cost. Float errors here are around 1e-13 relative, far inside
that margin, so the exact answer decides wherever floats could be wrong. Exact budgets are only
computed for the classes such a decision (or an exact price asked for) needs.

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
# Cached class counts of sets of purchases not used by the last few runs are dropped.
KEEP_GENERATIONS = 3


@dataclass
class Run:
    winners: list[int]  # candidate indices, in order of purchase
    prices: list  # each winner's price per point, q = rho * cost


class _Node:
    """Supporter counts by class once the projects in `bought` are bought."""

    __slots__ = ("hist", "bought", "arrays", "moves", "used", "parent", "delta", "version")

    def __init__(self, hist, bought, parent=None, delta=None, version=None):
        # Per candidate: {class * K + points: voters}, or None until some run asks for it: a
        # run looks at a few candidates per step, so most counts are never needed.
        self.hist = hist
        self.bought = bought
        self.parent = parent
        self.delta = delta or {}  # candidate -> [(old key, new key, voters)] since the parent
        # Per candidate, a number that changes exactly when its counts do: a price computed at
        # an ancestor with the same version still holds, since none of its supporters paid since.
        self.version = version
        self.arrays: dict[int, tuple] = {}  # hist as parallel lists, built on first float use
        self.moves: dict[int, list] = {}  # per next purchase: [(new class, old class, points)]
        self.used = 0


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
        # A class is a frozenset of (project, points) paid for; class 0 is the empty one.
        self.patterns = [frozenset()]
        self.pattern_ids = {frozenset(): 0}
        self.added: dict[tuple[int, int, int], int] = {}
        self.removed: dict[tuple[int, int, int], int] = {}
        # The class of each voter type given the set of purchases the cursor is on.
        self.cls = [0] * len(self.ballots)
        self.cursor: set[int] = set()
        root_hist = []
        for p in range(len(candidates)):
            counts = Counter()
            for t, w in self.supporters[p]:
                counts[w] += self.mult[t]
            root_hist.append(dict(counts))
        self.root = _Node(root_hist, frozenset(), version=[0] * len(candidates))
        self.versions = 0
        self.nodes = {frozenset(): self.root}
        self.generation = 0

    # -- classes and cached counts ----------------------------------------------------------

    def _class(self, pattern: frozenset) -> int:
        found = self.pattern_ids.get(pattern)
        if found is None:
            found = self.pattern_ids[pattern] = len(self.patterns)
            self.patterns.append(pattern)
        return found

    def _add(self, c: int, j: int, w: int) -> int:
        found = self.added.get((c, j, w))
        if found is None:
            found = self.added[c, j, w] = self._class(self.patterns[c] | {(j, w)})
        return found

    def _remove(self, c: int, j: int, w: int) -> int:
        found = self.removed.get((c, j, w))
        if found is None:
            found = self.removed[c, j, w] = self._class(self.patterns[c] - {(j, w)})
        return found

    def _move_cursor(self, bought: frozenset) -> None:
        cls = self.cls
        for j in self.cursor - bought:
            for t, w in self.supporters[j]:
                cls[t] = self._remove(cls[t], j, w)
        for j in bought - self.cursor:
            for t, w in self.supporters[j]:
                cls[t] = self._add(cls[t], j, w)
        self.cursor = set(bought)

    def _moves(self, node: _Node, j: int) -> list:
        moves = node.moves.get(j)
        if moves is None:
            K = self.K
            moves = node.moves[j] = [
                (self._add(old, j, w), old, w) for old, w in (divmod(key, K) for key in self._hist(node, j))
            ]
        return moves

    def _child(self, node: _Node, j: int) -> _Node:
        bought = node.bought | {j}
        child = self.nodes.get(bought)
        if child is None:
            child = self.nodes[bought] = self._build(node, j, bought)
        child.used = self.generation
        return child

    def _build(self, node: _Node, j: int, bought: frozenset) -> _Node:
        self._move_cursor(node.bought)
        cls, mult, K = self.cls, self.mult, self.K
        delta: dict[int, list] = {}
        for t, w in self.supporters[j]:
            old = cls[t]
            new = cls[t] = self._add(old, j, w)
            m = mult[t]
            for p, wp in self.ballots[t]:
                if p not in bought:
                    change = (old * K + wp, new * K + wp, m)
                    if p in delta:
                        delta[p].append(change)
                    else:
                        delta[p] = [change]
        self.cursor.add(j)
        version = list(node.version)
        for p in delta:
            self.versions += 1
            version[p] = self.versions
        return _Node([None] * len(self.costs), bought, node, delta, version)

    def _hist(self, node: _Node, p: int) -> dict[int, int]:
        hist = node.hist[p]
        if hist is None:
            chain, ancestor = [], node
            while ancestor.hist[p] is None:
                chain.append(ancestor)
                ancestor = ancestor.parent
            hist = dict(ancestor.hist[p])
            for step in reversed(chain):
                for old, new, m in step.delta.get(p, ()):
                    left = hist[old] - m
                    if left:
                        hist[old] = left
                    else:
                        del hist[old]
                    hist[new] = hist.get(new, 0) + m
            node.hist[p] = hist
        return hist

    def _next_generation(self) -> None:
        self.generation += 1
        old = self.generation - KEEP_GENERATIONS
        for bought in [b for b, n in self.nodes.items() if n.used < old and b]:
            del self.nodes[bought]

    # -- prices -----------------------------------------------------------------------------

    def _price_exact(self, node: _Node, p: int, budgets) -> Fraction | None:
        """The price q of candidate p, or None when its supporters cannot pay for it."""
        cost, K = self.costs[p], self.K
        entries = []
        total = 0
        weight = 0
        for key, count in self._hist(node, p).items():
            cls, w = divmod(key, K)
            b = budgets[cls]
            if b:
                total += count * b
                weight += count * w
                entries.append((b, count, w))
        if total < cost:
            return None
        # Supporters with less than q per point pay all they have, the rest pay q per point.
        # Start from "nobody is poor"; q only rises as more turn out to be poor, so repeat
        # until the poor stay the same.
        q = Fraction(cost, weight)
        poor_count = -1
        while True:
            poor = [(b, count, w) for b, count, w in entries if b < q * w]
            if len(poor) == poor_count:
                return q
            poor_count = len(poor)
            paid = sum(b * count for b, count, _ in poor)
            rest = weight - sum(count * w for _, count, w in poor)
            if not rest:  # the supporters have exactly the cost: all pay everything
                return max(Fraction(b) / w for b, _, w in entries)
            q = Fraction(cost - paid) / rest

    def _arrays(self, node: _Node, p: int) -> tuple:
        arrays = node.arrays.get(p)
        if arrays is None:
            K = self.K
            hist = self._hist(node, p)
            keys = list(hist)
            counts = list(hist.values())
            if self.approval:
                arrays = ([k // K for k in keys], None, counts, sum(counts))
            else:
                weights = [k % K for k in keys]
                arrays = ([k // K for k in keys], weights, counts, sum(map(mul, weights, counts)))
            node.arrays[p] = arrays
        return arrays

    def _price_float(self, node: _Node, p: int, budgets):
        """The price q of p as a float, None if unaffordable, or CLOSE if too close to call."""
        cost = self.costs[p]
        classes, weights, counts, weight = self._arrays(node, p)
        b = [budgets[c] for c in classes]
        total = sum(map(mul, b, counts))
        if total < cost * (1 + MARGIN):
            return CLOSE if total > cost * (1 - MARGIN) else None
        # Poor/rich fixed point: q only rises as more supporters turn out to be poor.
        q = cost / weight
        poor_count = -1
        while True:
            if weights is None:
                poor = [x < q for x in b]
                rest = weight - sum(compress(counts, poor))
            else:
                poor = [x < q * w for x, w in zip(b, weights)]
                rest = weight - sum(map(mul, compress(weights, poor), compress(counts, poor)))
            count = sum(poor)
            if count == poor_count:
                return q
            poor_count = count
            q = (cost - sum(map(mul, compress(b, poor), compress(counts, poor)))) / rest

    # -- runs -------------------------------------------------------------------------------

    def run(self, share: Money, exact_prices: bool = False) -> Run:
        """MES at `share`: floats where they are safe, exact arithmetic where they are not.

        Prices are floats unless `exact_prices`; the winners are exact either way.
        """
        self._next_generation()
        exact = _ExactBudgets(self, Fraction(share))
        budgets = {0: float(share)}
        node = self.root
        costs, keys = self.costs, self.keys

        # Heap entries: (rho, tie-break key, candidate, the counts it was computed from, q, exact).
        # A candidate whose counts are the same object as then has the same price still: none
        # of its supporters has paid for anything since.
        def entry(p: int):
            q = self._price_float(node, p, budgets)
            if q is CLOSE:
                q = exact.price(node, p)
                return None if q is None else (q / costs[p], keys[p], p, node.version[p], q, True)
            return None if q is None else (q / costs[p], keys[p], p, node.version[p], q, False)

        heap = [e for e in map(entry, range(len(costs))) if e is not None]
        heapq.heapify(heap)
        winners, prices = [], []
        while heap:
            rho, key, p, seen, q, settled = top = heapq.heappop(heap)
            if seen != node.version[p]:
                fresh = entry(p)
                if fresh is not None:
                    heapq.heappush(heap, fresh)
                continue
            # p's rho is current and every other candidate's rho is at least its stale value;
            # candidates within the margin are refreshed, and then settled exactly if need be.
            close = []
            while heap and heap[0][0] <= rho * (1 + MARGIN):
                close.append(heapq.heappop(heap))
            if close and not (settled and all(other[5] for other in close)):
                stale = [other for other in close if other[3] != node.version[other[2]]]
                if stale:
                    # Stale bounds that close say little: refresh them, then decide again.
                    close = [other for other in close if other[3] == node.version[other[2]]]
                    close += [e for e in (entry(other[2]) for other in stale) if e is not None]
                    close.append(top)
                else:
                    close = [_settle(exact, node, e, costs) if not e[5] else e for e in (top, *close)]
                for other in close:
                    if other is not None:
                        heapq.heappush(heap, other)
                continue
            for other in close:
                heapq.heappush(heap, other)
            winners.append(p)
            prices.append(q)
            exact.bought(node, p)
            qf = float(q)
            for new, old, w in self._moves(node, p):
                b = budgets[old] - qf * w
                budgets[new] = b if b > 0 else 0.0
            node = self._child(node, p)
        if exact_prices:
            prices = [exact.winner_price(j) for j in winners]
        return Run(winners, prices)

    def holds_until(self, run: Run, low: Money, high: Money) -> Run | None:
        """The run at `high` if MES buys run.winners, in that order, for every share in [low, high].

        `run` is the run at share `low`. The check replays its purchases at `high` and compares,
        step by step, the winner's rho at `low` with every other candidate's rho at `high`, as
        explained in the module docstring. None means "not shown", not "different".
        """
        self._next_generation()
        budgets = {0: float(high)}
        node = self.root
        costs, keys = self.costs, self.keys
        heap = []
        for p in range(len(costs)):
            q = self._price_float(node, p, budgets)
            if q is CLOSE:
                return None
            if q is not None:
                heap.append((q / costs[p], keys[p], p, node.version[p]))
        heapq.heapify(heap)
        prices = []
        for j, q_low in zip(run.winners, run.prices):
            bar = float(q_low) / costs[j] * (1 + MARGIN)
            while heap and (heap[0][2] in node.bought or heap[0][2] == j or heap[0][0] <= bar):
                rho, key, p, seen = heapq.heappop(heap)
                if p == j or p in node.bought:
                    continue
                if seen == node.version[p]:
                    return None
                q = self._price_float(node, p, budgets)
                if q is CLOSE:
                    return None
                if q is not None:
                    heapq.heappush(heap, (q / costs[p], key, p, node.version[p]))
            q = self._price_float(node, j, budgets)
            if q is None or q is CLOSE:
                return None
            prices.append(q)
            for new, old, w in self._moves(node, j):
                b = budgets[old] - q * w
                budgets[new] = b if b > 0 else 0.0
            node = self._child(node, j)
        # Nothing else may be affordable at `high` once the sequence is bought.
        while heap:
            rho, key, p, seen = heapq.heappop(heap)
            if p in node.bought:
                continue
            if seen == node.version[p] or self._price_float(node, p, budgets) is not None:
                return None
        return Run(list(run.winners), prices)


def _settle(exact: _ExactBudgets, node: _Node, entry: tuple, costs) -> tuple | None:
    q = exact.price(node, entry[2])
    return None if q is None else (q / costs[entry[2]], entry[1], entry[2], entry[3], q, True)


class _ExactBudgets(dict):
    """Exact class budgets of one float run, computed only for the classes a close call needs."""

    def __init__(self, engine: SharesEngine, share: Fraction):
        super().__init__({0: share})
        self.engine = engine
        self.made: dict[int, tuple[int, int, int]] = {}  # new class -> (old class, project, points)
        self.before: dict[int, _Node] = {}  # bought project -> the node it was bought at
        self.prices: dict[int, Fraction] = {}

    def bought(self, node: _Node, j: int) -> None:
        self.before[j] = node
        for new, old, w in self.engine._moves(node, j):
            self.made[new] = (old, j, w)

    def price(self, node: _Node, p: int) -> Fraction | None:
        return self.engine._price_exact(node, p, self)

    def winner_price(self, j: int) -> Fraction:
        q = self.prices.get(j)
        if q is None:
            q = self.prices[j] = self.price(self.before[j], j)
        return q

    def __missing__(self, cls: int) -> Fraction:
        old, j, w = self.made[cls]
        b = self[old] - self.winner_price(j) * w
        self[cls] = b = b if b > 0 else 0
        return b


CLOSE = object()
