"""The Method of Equal Shares for a given per-voter budget ("share"), fast and exact.

Utilities are points * cost: a supporter with w points for a project pays min(what it has left,
w * q), where q = rho * cost is the project's price per point (per voter for approval ballots).
Each step buys the affordable project with the smallest rho; ties go to the contract's order.

Budget classes. A voter's remaining budget depends only on which of the projects bought so far it
supports (and with how many points). Voters are counted by that pattern, their class, and each
project keeps how many of its supporters are in each class. Those counts depend only on the set
of projects bought, not on the share nor on the order of purchase, so they are cached per set and
reused by runs for other shares; only the budget of each class is computed per run.

Speed. The per-class work is done with numpy arrays: a class's budget lives at its index in one
float array per run, each price is a handful of vector operations over the classes of the
project's supporters, and a purchase updates the budgets of all its supporters' classes at once.
Building the counts for a new set of purchases relabels voter types in bulk and adds up their
moves per (project, old class, new class) before they are stored, so what is replayed later is
one entry per class rather than one per ballot type.

Exactness. `run` uses floats to find the cheapest project and settles in exact arithmetic (with
Fractions) every decision closer than a relative margin of 1e-9: two rhos that close, or
supporters' money that close to a cost. Float errors here are around 1e-13 relative, far inside
that margin, so the exact answer decides wherever floats could be wrong. Exact budgets are only
computed for the classes such a decision (or an exact price asked for) needs, and a class that
was clearly poor (by a wide margin) when it last paid has exactly nothing left.

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

import numpy as np

from .model import Election, Money

MARGIN = 1e-9
# How far a rich supporter's float budget must be above its payment for `_price_known` to trust
# the split: a thousand times MARGIN, relative to the share that all budgets start from.
SURE = 1e-6
# Cached class counts of sets of purchases not used by the last few runs are dropped.
KEEP_GENERATIONS = 3


@dataclass
class Run:
    winners: list[int]  # candidate indices, in order of purchase
    prices: list  # each winner's price per point, q = rho * cost


class _Node:
    """Supporter counts by class once the projects in `bought` are bought."""

    __slots__ = ("hist", "bought", "arrays", "poor", "moves", "used", "parent", "delta", "moved", "version", "cls")

    def __init__(self, hist, bought, parent=None, delta=None, moved=None, version=None, cls=None):
        # Per candidate: {class * K + points: voters}, or None until some run asks for it: a
        # run looks at a few candidates per step, so most counts are never needed.
        self.hist = hist
        self.bought = bought
        self.parent = parent
        # Since the parent: candidate -> (lo, hi), its slice of the arrays (old key, new key,
        # voters) in `moved`. Kept as arrays, as most candidates' counts are never asked for.
        self.delta = delta or {}
        self.moved = moved
        # Per candidate, a number that changes exactly when its counts do: a price computed at
        # an ancestor with the same version still holds, since none of its supporters paid since.
        self.version = version
        self.arrays: dict[int, tuple] = {}  # hist as numpy arrays, built on first float use
        # Per candidate, which of its classes were poor the last time its float price was found
        # here: runs for nearby shares have nearly the same poor, so `_solve` starts from them.
        self.poor: dict[int, object] = {}
        self.moves: dict[int, tuple] = {}  # per next purchase: arrays (new class, old class, points)
        self.used = 0
        # The class of each voter type, kept while the node is cached: a child is built from it.
        self.cls = cls


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
        self.costf = [float(c) for c in self.costs]
        # The same data as arrays, for relabelling and counting many voter types at once.
        self.sup_t = [np.array([t for t, _ in s], dtype=np.intp) for s in self.supporters]
        self.sup_w = [np.array([w for _, w in s], dtype=np.int64) for s in self.supporters]
        self.mult_arr = np.array(self.mult, dtype=np.int64)
        lengths = np.array([len(ballot) for ballot in self.ballots], dtype=np.int64)
        self.ballot_start = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        self.ballot_len = lengths
        self.ballot_p = np.array([p for ballot in self.ballots for p, _ in ballot], dtype=np.intp)
        self.ballot_w = np.array([w for ballot in self.ballots for _, w in ballot], dtype=np.int64)
        self.entries: dict[int, tuple] = {}  # per project: its supporters' ballot entries, flat
        # A class is a frozenset of (project, points) paid for; class 0 is the empty one.
        self.patterns = [frozenset()]
        self.pattern_ids = {frozenset(): 0}
        self.added: dict[tuple[int, int], int] = {}  # (class * K + points, project) -> class
        root_hist = []
        for p in range(len(candidates)):
            counts = Counter()
            for t, w in self.supporters[p]:
                counts[w] += self.mult[t]
            root_hist.append(dict(counts))
        root_cls = np.zeros(len(self.ballots), dtype=np.int64)
        self.root = _Node(root_hist, frozenset(), version=[0] * len(candidates), cls=root_cls)
        self.versions = 0
        # With approval ballots everyone starts in class 0, so a candidate's first price is
        # cost / supporters whatever the share, as long as the supporters can afford it.
        self.root_entries = None
        if self.approval:
            self.root_votes = np.array([float(sum(hist.values())) for hist in root_hist])
            self.costf_arr = np.array(self.costf)
            self.root_entries = [
                (q / cost, key, p, 0, q, None)
                for p, (q, cost, key) in enumerate(zip(self.costf_arr / self.root_votes, self.costs, self.keys))
            ]
        self.nodes = {frozenset(): self.root}
        self.generation = 0

    # -- classes and cached counts ----------------------------------------------------------

    def _class(self, pattern: frozenset) -> int:
        found = self.pattern_ids.get(pattern)
        if found is None:
            found = self.pattern_ids[pattern] = len(self.patterns)
            self.patterns.append(pattern)
        return found

    def _add(self, key: int, j: int) -> int:
        """The class of voters in class key // K once they pay for j with key % K points."""
        c, w = divmod(key, self.K)
        found = self.added[key, j] = self._class(self.patterns[c] | {(j, w)})
        return found

    def _relabel(self, node: _Node, j: int) -> tuple:
        """The supporter types of j, their classes at `node`, and their classes once j is bought.

        Sets node's moves for j on the way, as the same mapping is what a purchase of j pays by.
        """
        K, t = self.K, self.sup_t[j]
        old = node.cls[t]
        # Supporters share few classes: map each distinct (class, points) once.
        distinct, inverse = np.unique(old * K + self.sup_w[j], return_inverse=True)
        get = self.added.get
        mapped = [get((key, j)) for key in distinct.tolist()]
        if None in mapped:
            mapped = [self._add(key, j) if c is None else c for key, c in zip(distinct.tolist(), mapped)]
        mapped = np.array(mapped, dtype=np.intp)
        node.moves[j] = (mapped, (distinct // K).astype(np.intp), distinct % K)
        return t, old, mapped[inverse]

    def _moves(self, node: _Node, j: int) -> tuple:
        moves = node.moves.get(j)
        if moves is None:
            # Every node a run is on is cached and so still has its classes.
            self._relabel(node, j)
            moves = node.moves[j]
        return moves

    def _child(self, node: _Node, j: int) -> _Node:
        bought = node.bought | {j}
        child = self.nodes.get(bought)
        if child is None:
            child = self.nodes[bought] = self._build(node, j, bought)
        child.used = self.generation
        return child

    def _entries(self, j: int) -> tuple:
        """Every (supporter position, project, points) on the ballots of j's supporter types."""
        found = self.entries.get(j)
        if found is None:
            t = self.sup_t[j]
            lengths = self.ballot_len[t]
            position = np.repeat(np.arange(len(t)), lengths)
            offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            flat = np.repeat(self.ballot_start[t], lengths) + offsets
            found = self.entries[j] = (position, self.ballot_p[flat], self.ballot_w[flat])
        return found

    def _build(self, node: _Node, j: int, bought: frozenset) -> _Node:
        K = self.K
        t, old, new = self._relabel(node, j)
        cls = node.cls.copy()
        cls[t] = new
        position, p, wp = self._entries(j)
        open_ = np.ones(len(self.costs), dtype=bool)
        open_[list(bought)] = False
        keep = open_[p]
        position, p, wp = position[keep], p[keep], wp[keep]
        old_key = old[position] * K + wp
        new_key = new[position] * K + wp
        voters = self.mult_arr[t[position]]
        # One entry per (project, old key, new key), with the voters of all types that move so.
        order = np.lexsort((new_key, old_key, p))
        p, old_key, new_key, voters = p[order], old_key[order], new_key[order], voters[order]
        first = np.ones(len(p), dtype=bool)
        first[1:] = (p[1:] != p[:-1]) | (old_key[1:] != old_key[:-1]) | (new_key[1:] != new_key[:-1])
        starts = np.flatnonzero(first)
        voters = np.add.reduceat(voters, starts) if len(starts) else voters
        p, old_key, new_key = p[starts], old_key[starts], new_key[starts]
        bounds = (np.flatnonzero(np.diff(p)) + 1).tolist()
        los = [0, *bounds] if len(p) else []
        delta = dict(zip(p[los].tolist(), zip(los, [*bounds, len(p)])))
        version = list(node.version)
        for q in delta:
            self.versions += 1
            version[q] = self.versions
        return _Node([None] * len(self.costs), bought, node, delta, (old_key, new_key, voters), version, cls)

    def _hist(self, node: _Node, p: int) -> dict[int, int]:
        hist = node.hist[p]
        if hist is None:
            chain, ancestor = [], node
            while ancestor.hist[p] is None:
                chain.append(ancestor)
                ancestor = ancestor.parent
            hist = dict(ancestor.hist[p])
            for step in reversed(chain):
                span = step.delta.get(p)
                if span is None:
                    continue
                lo, hi = span
                old_key, new_key, voters = step.moved
                for old, new, m in zip(old_key[lo:hi].tolist(), new_key[lo:hi].tolist(), voters[lo:hi].tolist()):
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
            # A dropped node may live on as an ancestor, but is never built from again.
            self.nodes.pop(bought).cls = None

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
            keys = np.fromiter(hist, dtype=np.int64, count=len(hist))
            counts = np.fromiter(hist.values(), dtype=np.float64, count=len(hist))
            classes = keys // K
            if self.approval:
                arrays = (classes, None, counts, counts, float(counts.sum()))
            else:
                weights = (keys % K).astype(np.float64)
                weighted = weights * counts
                arrays = (classes, weights, counts, weighted, float(weighted.sum()))
            node.arrays[p] = arrays
        return arrays

    def _price_float(self, node: _Node, p: int, budgets):
        """The price q of p as a float, None if unaffordable, or CLOSE if too close to call."""
        cost = self.costf[p]
        classes, weights, counts, weighted, weight = self._arrays(node, p)
        b = budgets[classes]
        total = float(b @ counts)
        if total < cost * (1 + MARGIN):
            return CLOSE if total > cost * (1 - MARGIN) else None
        q, node.poor[p] = _solve(cost, b, weights, counts, weighted, weight, node.poor.get(p))
        return q

    def _price_known(self, node: _Node, p: int, floats, exact: _ExactBudgets) -> Fraction | None:
        """The exact price of p from the float run's poor/rich split, or None if not shown.

        Many close calls are exact ties between projects whose supporters are mostly untouched,
        so the full exact fixed point over every class is wasted work: floats tell who is poor,
        the price follows exactly from the poor classes' exact budgets alone, and the split is
        then confirmed (exactly for the poor, with a wide margin for the rich).
        """
        cost = self.costf[p]
        classes, weights, counts, weighted, weight = self._arrays(node, p)
        b = floats[classes]
        if float(b @ counts) < cost * (1 + MARGIN):
            return None
        q, _ = _solve(cost, b, weights, counts, weighted, weight, node.poor.get(p))
        poor = b < q if weights is None else b < q * weights
        paid, rest = 0, int(weight)
        poor_classes = [
            (cls, int(w), int(c))
            for cls, w, c in zip(
                classes[poor].tolist(),
                [1] * int(np.count_nonzero(poor)) if weights is None else weights[poor].tolist(),
                counts[poor].tolist(),
            )
        ]
        for cls, w, c in poor_classes:
            paid += exact[cls] * c
            rest -= w * c
        if rest <= 0:
            return None
        exact_q = Fraction(self.costs[p] - paid) / rest
        if any(exact[cls] >= exact_q * w for cls, w, _ in poor_classes):
            return None
        q, share, rich = float(exact_q), float(floats[0]), ~poor
        if np.any(b[rich] < (q if weights is None else q * weights[rich]) + SURE * share):
            return None
        return exact_q

    def _root(self, share: float) -> tuple[list, list]:
        """`_price_float` at the root for all candidates at once, with approval ballots.

        Returns the heap entries of those clearly affordable and the candidates too close to call.
        """
        totals = share * self.root_votes
        clear = totals >= self.costf_arr * (1 + MARGIN)
        near = ~clear & (totals > self.costf_arr * (1 - MARGIN))
        return [self.root_entries[p] for p in np.flatnonzero(clear).tolist()], np.flatnonzero(near).tolist()

    def _room(self, budgets):
        """`budgets`, grown if classes were made since it was allocated (indices stay put)."""
        if len(budgets) < len(self.patterns):
            budgets = np.concatenate((budgets, np.zeros(2 * len(self.patterns) - len(budgets))))
        return budgets

    def _pay(self, node: _Node, j: int, q: float, budgets):
        new, old, w = self._moves(node, j)
        budgets = self._room(budgets)
        budgets[new] = np.maximum(budgets[old] - q * w, 0.0)
        return budgets

    # -- runs -------------------------------------------------------------------------------

    def run(self, share: Money, exact_prices: bool = False) -> Run:
        """MES at `share`: floats where they are safe, exact arithmetic where they are not.

        Prices are floats unless `exact_prices`; the winners are exact either way.
        """
        self._next_generation()
        exact = _ExactBudgets(self, Fraction(share))
        budgets = exact.floats = np.zeros(2 * len(self.patterns))
        budgets[0] = float(share)
        node = self.root
        costs, keys = self.costs, self.keys

        # Heap entries: (rho, tie-break key, candidate, the counts' version it was computed from,
        # q, exact rho or None). A candidate whose counts have the same version has the same price
        # still: none of its supporters has paid for anything since. The heap orders by the float
        # rho, as comparing Fractions with floats is slow; exact rhos decide within the margin.
        def entry(p: int):
            q = self._price_float(node, p, budgets)
            if q is CLOSE:
                return _settled(exact, node, p, node.version[p], keys[p], costs)
            return None if q is None else (q / costs[p], keys[p], p, node.version[p], q, None)

        if self.root_entries is None:
            heap = [e for e in map(entry, range(len(costs))) if e is not None]
        else:
            heap, near = self._root(float(share))
            heap += [e for e in map(entry, near) if e is not None]
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
            if close and (settled is None or any(other[5] is None for other in close)):
                stale = [other for other in close if other[3] != node.version[other[2]]]
                if stale:
                    # Stale bounds that close say little: refresh them, then decide again.
                    close = [other for other in close if other[3] == node.version[other[2]]]
                    close += [e for e in (entry(other[2]) for other in stale) if e is not None]
                    close.append(top)
                else:
                    close = [
                        e if e[5] is not None else _settled(exact, node, e[2], e[3], e[1], costs) for e in (top, *close)
                    ]
                for other in close:
                    if other is not None:
                        heapq.heappush(heap, other)
                continue
            if close:
                # All settled: the exact rhos decide, and a stale one that wins is refreshed.
                group = [top, *close]
                top = min(group, key=_exact_order)
                close = [other for other in group if other is not top]
                rho, key, p, seen, q, settled = top
                if seen != node.version[p]:
                    fresh = entry(p)
                    if fresh is not None:
                        close.append(fresh)
                    for other in close:
                        heapq.heappush(heap, other)
                    continue
            for other in close:
                heapq.heappush(heap, other)
            winners.append(p)
            prices.append(q)
            exact.bought(node, p, float(q))
            budgets = exact.floats = self._pay(node, p, float(q), budgets)
            node = self._child(node, p)
        if exact_prices:
            prices = [exact.winner_price(j) for j in winners]
        return Run(winners, prices)

    def holds_until(self, run: Run, low: Money, high: Money) -> tuple[Run | None, float]:
        """The run at `high` if MES buys run.winners, in that order, for every share in [low, high].

        `run` is the run at share `low`. The check replays its purchases at `high` and compares,
        step by step, the winner's rho at `low` with every other candidate's rho at `high`, as
        explained in the module docstring. No run means "not shown", not "different"; it comes
        with a guess of how much of the way from `low` to `high` could be shown (see `_reach`),
        and a run with 1.0.
        """
        self._next_generation()
        budgets = np.zeros(2 * len(self.patterns))
        budgets[0] = float(high)
        below = np.zeros(2 * len(self.patterns))
        below[0] = float(low)
        # Exact budgets at both ends, for candidates within the margin of a winner: a tie that holds
        # over the whole range (two projects whose supporters pay them in full, say) is decided by the
        # tie-break at every share, and floats alone could never show it.
        exact_low, exact_high = _ExactBudgets(self, Fraction(low)), _ExactBudgets(self, Fraction(high))
        exact_low.floats, exact_high.floats = below, budgets
        path = []  # the nodes of the purchases so far, for `_below`
        node = self.root
        costs, keys = self.costs, self.keys
        if self.root_entries is None:
            heap = []
            for p in range(len(costs)):
                q = self._price_float(node, p, budgets)
                if q is CLOSE:
                    return None, 0.0
                if q is not None:
                    heap.append((q / costs[p], keys[p], p, node.version[p]))
        else:
            entries, near = self._root(float(high))
            if near:
                return None, 0.0
            heap = [e[:4] for e in entries]
        heapq.heapify(heap)
        prices = []
        for j, q_low in zip(run.winners, run.prices):
            q_low = float(q_low)
            bar = q_low / costs[j] * (1 + MARGIN)
            spared = []
            while heap and (heap[0][2] in node.bought or heap[0][2] == j or heap[0][0] <= bar):
                rho, key, p, seen = heapq.heappop(heap)
                if p == j or p in node.bought:
                    continue
                if seen == node.version[p]:
                    if self._outranked(node, j, p, exact_low, exact_high):
                        spared.append((rho, key, p, seen))
                        continue
                    return None, self._reach(node, p, self._below(path, run, low), budgets, bar * costs[p],
                                             rho * costs[p])
                q = self._price_float(node, p, budgets)
                if q is CLOSE:
                    return None, 0.0
                if q is not None:
                    heapq.heappush(heap, (q / costs[p], key, p, node.version[p]))
            for entry in spared:
                heapq.heappush(heap, entry)
            q = self._price_float(node, j, budgets)
            if q is None or q is CLOSE:
                return None, 0.0
            prices.append(q)
            path.append(node)
            exact_high.bought(node, j, q)
            exact_low.bought(node, j, q_low)
            budgets = exact_high.floats = self._pay(node, j, q, budgets)
            below = exact_low.floats = self._pay(node, j, q_low, below)
            node = self._child(node, j)
        # Nothing else may be affordable at `high` once the sequence is bought.
        while heap:
            rho, key, p, seen = heapq.heappop(heap)
            if p in node.bought:
                continue
            if seen == node.version[p] or self._price_float(node, p, budgets) is not None:
                return None, self._reach(node, p, self._below(path, run, low), budgets, float("inf"), 0.0)
        return Run(list(run.winners), prices), 1.0

    def _outranked(self, node: _Node, j: int, p: int, low: _ExactBudgets, high: _ExactBudgets) -> bool:
        """Whether j, bought at `node` at the share of `low`, beats p at every share up to `high`'s.

        Prices only fall as the share grows, so j's rho anywhere in the range is at most its rho at
        `low`, and p's at least its rho at `high` (and p, unaffordable at `high`, is so below it).
        """
        q_p = high.price(node, p)
        if q_p is None:
            return True
        q_j = low.price(node, j)
        if q_j is None:
            return False
        rho_j, rho_p = q_j / self.costs[j], q_p / self.costs[p]
        return rho_j < rho_p or (rho_j == rho_p and self.keys[j] < self.keys[p])

    def _below(self, path: list, run: Run, low: Money):
        """The float budgets of `run` at share `low` once the purchases made at `path` are."""
        budgets = np.zeros(2 * len(self.patterns))
        budgets[0] = float(low)
        for node, j, q in zip(path, run.winners, run.prices):
            budgets = self._pay(node, j, float(q), budgets)
        return budgets

    def _reach(self, node: _Node, p: int, below, above, bar: float, q_high: float) -> float:
        """A guess of how much of the way from `low` to `high` p's price stays above `bar`.

        Prices and budgets are close to straight lines in the share over short ranges, so the
        guess interpolates p's price, or its supporters' money while it cannot pay at `low`.
        """
        q_low = self._price_float(node, p, below)
        if q_low is not None and q_low is not CLOSE:
            return max(0.0, (q_low - bar) / (q_low - q_high)) if q_low > bar else 0.0
        classes, _, counts, _, _ = self._arrays(node, p)
        money_low, money_high = float(below[classes] @ counts), float(above[classes] @ counts)
        return (self.costf[p] - money_low) / (money_high - money_low) if money_high > money_low else 0.0


def _settled(exact: _ExactBudgets, node: _Node, p: int, version: int, key, costs) -> tuple | None:
    """The heap entry of p with its exact price, or None if its supporters cannot pay for it."""
    q = exact.price(node, p)
    if q is None:
        return None
    rho = q / costs[p]
    return (float(rho), key, p, version, q, rho)


def _exact_order(entry: tuple):
    return entry[5], entry[1]


class _ExactBudgets(dict):
    """Exact class budgets of one float run, computed only for the classes a close call needs."""

    def __init__(self, engine: SharesEngine, share: Fraction):
        super().__init__({0: share})
        self.engine = engine
        self.made: dict[int, tuple[int, int, int]] = {}  # new class -> (old class, project, points)
        self.before: dict[int, _Node] = {}  # bought project -> the node it was bought at
        self.prices: dict[int, Fraction] = {}
        self.paid: dict[int, float] = {}  # bought project -> its float price q in the run
        self.tol = SURE * float(share)
        # Purchases whose classes are not in `made` yet: most runs never need an exact budget,
        # so `made` is only filled in when one is asked for.
        self.pending: list[tuple[_Node, int]] = []
        self.floats = None  # the run's float budgets by class, which guide `price`

    def bought(self, node: _Node, j: int, q: float) -> None:
        self.before[j] = node
        self.paid[j] = q
        self.pending.append((node, j))

    def price(self, node: _Node, p: int) -> Fraction | None:
        q = self.engine._price_known(node, p, self.floats, self)
        return self.engine._price_exact(node, p, self) if q is None else q

    def winner_price(self, j: int) -> Fraction:
        q = self.prices.get(j)
        if q is None:
            q = self.prices[j] = self.price(self.before[j], j)
        return q

    def __missing__(self, cls: int) -> Fraction:
        for node, j in self.pending:
            new, old, w = self.engine._moves(node, j)
            for made, source, points in zip(new.tolist(), old.tolist(), w.tolist()):
                self.made[made] = (source, j, points)
        self.pending.clear()
        old, j, w = self.made[cls]
        if self.floats[old] < self.paid[j] * w - self.tol:
            # Clearly poor when j was bought, so it paid all it had: no exact price needed. Most
            # poor classes a close call meets are such, and their exact budgets would otherwise
            # ask for the exact prices of every purchase before.
            b = 0
        else:
            b = self[old] - self.winner_price(j) * w
        self[cls] = b = b if b > 0 else 0
        return b


def _solve(cost: float, b, weights, counts, weighted, weight: float, guess) -> tuple[float, object]:
    """The float price q per point for supporters with float budgets b, whose total exceeds cost.

    Supporters with b < q * w pay b, the others q * w, and together they pay the cost. Returns
    q and which supporters are poor, as a 0/1 float array (None if none is), starting from a
    guess of them in the same form if one is given.
    """
    q = cost / weight
    r = b if weights is None else b / weights
    poor = r < q
    if not poor.any():  # the common case: nobody runs out
        return q, None
    # Poor/rich fixed point. Whoever is taken as poor, q = (cost - what they have) / (the rest's
    # points) is at most the price, so the supporters poor at that q are poor at the price: from
    # there q only rises as more supporters turn out to be poor, and it has settled once their
    # points stop growing. Rounding can lower q by an ulp when a supporter has exactly q * w, so
    # the poor are only ever added to: it pays all it has either way, and the loop must end.
    # Sums over the poor are dot products with a 0/1 mask, cheaper than selecting them.
    have = b * counts
    if guess is not None:
        points = float(guess @ weighted)
        if points < weight:
            poor = r < max(q, (cost - float(guess @ have)) / (weight - points))
    before = -1.0
    while True:
        mask = poor.astype(np.float64)
        points = float(mask @ weighted)
        if points == before:
            return q, mask
        before = points
        q = (cost - float(mask @ have)) / (weight - points)
        poor |= r < q


CLOSE = object()
