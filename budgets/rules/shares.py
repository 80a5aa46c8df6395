"""The Method of Equal Shares as a function of the per-voter budget, exactly and with reuse.

`SharesEngine.run(share)` computes MES with every voter starting at `share` and also returns
`stable_until`: MES gives the same winners, in the same order, for every share in
[share, stable_until). That is what lets Add1 jump from one change of outcome to the next instead
of rerunning MES for every unit of currency.

Why it works. Fix the sequence of decisions a run makes. Every amount the run computes (a
voter's remaining budget, a project's price) is then a linear function of the share: voters start
with `share`, pay either a linear price or everything they have left, and a price solves a linear
equation over the voters who pay it in full. Every decision is a comparison of two such amounts.
So each amount is carried as a germ (value at `share`, slope), each comparison records where its
two lines cross, and the nearest crossing bounds the interval where all decisions stay the same.
Decisions at `share` itself use exact values and the contract's tie-break; a tie whose lines part
the wrong way just after `share` ends the interval at `share`.

Utilities: a supporter's utility for a project is points * cost (cost utilities for approval,
where points are 1). Paying rho per unit of utility, a supporter with w points pays
min(budget, q * w) where q = rho * cost is the project's price per point; `price` is that q.

Reuse. Which class of budget a voter is in depends only on which of the projects bought so far it
supports, not on the share. The per-project counts of supporters by class are kept in a trie keyed
by the sequence of projects bought, so consecutive runs that start the same way share that work;
only the budgets of the classes are recomputed for each share.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from .model import Election, Money

# A germ: (value at the run's share, derivative with respect to the share). Plain tuples compare
# lexicographically, which is exactly "smaller just to the right of the share".
Germ = tuple
ZERO = Fraction(0)


@dataclass
class Run:
    winners: list[int]  # candidate indices in order of purchase
    prices: list[Fraction]  # price per point of each winner (rho * cost)
    stable_until: Fraction | None  # None: the same outcome for every larger share


class _Node:
    """Supporter counts by budget class after buying `path`; `moves` says how classes split."""

    __slots__ = ("hist", "moves", "children", "bought")

    def __init__(self, hist, moves, bought):
        self.hist = hist  # per candidate: {class * K + points: voters}, None once bought
        self.moves = moves  # {new class: (old class, points)} for the last purchase
        self.children: dict[int, _Node] = {}
        self.bought = bought  # frozenset of candidate indices


class SharesEngine:
    def __init__(self, election: Election, candidates: list[str], rank_key):
        self.ids = candidates
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
        # Budget classes: 0 is "bought nothing I support yet"; every other class is its parent
        # class after paying for one more project, with a given number of points for it.
        self.class_parent = [0]
        self.transitions: dict[tuple[int, int, int], int] = {}
        # The class of each voter type at the node the cursor is on.
        self.cls = [0] * len(self.ballots)
        self.cursor: list[int] = []
        root_hist = []
        for p in range(len(candidates)):
            counts = Counter()
            for t, w in self.supporters[p]:
                counts[w] += self.mult[t]
            root_hist.append({w: c for w, c in counts.items()})
        self.root = _Node(root_hist, {}, frozenset())

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
            moves[new] = (old, w)
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
        child = _Node(hist, moves, bought)
        node.children[j] = child
        return child

    # -- one run --------------------------------------------------------------------------

    def run(self, share: Money) -> Run:
        share = Fraction(share)
        limit = _Limit()
        budgets: dict[int, Germ] = {0: (share, Fraction(1))}
        node, path = self.root, []
        latest: dict[int, Germ] = {}  # last computed rho germ of each live candidate
        heap = []
        for p in range(len(self.ids)):
            rho = self._rho(p, node.hist[p], budgets, limit)
            if rho is not None:
                latest[p] = rho
                heap.append((rho[0], self.keys[p], p, 0))
        heapq.heapify(heap)
        winners, prices = [], []
        while heap:
            _, key, p, step = heapq.heappop(heap)
            if step != len(winners):
                rho = self._rho(p, node.hist[p], budgets, limit)
                if rho is not None:
                    latest[p] = rho
                    heapq.heappush(heap, (rho[0], key, p, len(winners)))
                else:
                    del latest[p]
                continue
            # p's rho is current and no other candidate's lower bound beats it.
            rho = latest.pop(p)
            for other, bound in latest.items():
                gap_v, gap_d = bound[0] - rho[0], bound[1] - rho[1]
                if gap_v == 0 and gap_d < 0:
                    limit.now()
                else:
                    limit.keep_sign(gap_v, gap_d)
            cost = self.costs[p]
            price = (rho[0] * cost, rho[1] * cost)
            winners.append(p)
            prices.append(price[0])
            child = node.children.get(p) or self._child(node, path, p)
            for new, (old, w) in child.moves.items():
                bv, bd = budgets[old]
                left = (bv - price[0] * w, bd - price[1] * w)
                limit.keep_sign(*left)
                budgets[new] = left if left > (0, 0) else (0, 0)
            node = child
            path.append(p)
        return Run(winners, prices, limit.at(share))

    def _rho(self, p: int, hist: dict[int, int], budgets, limit: _Limit) -> Germ | None:
        """The germ of rho for candidate p, or None when its supporters cannot pay for it."""
        cost, K = self.costs[p], self.K
        entries = []
        total_v = total_d = ZERO
        weight = 0
        for key, count in hist.items():
            cls, w = divmod(key, K)
            bv, bd = budgets[cls]
            if not bv and not bd:
                continue
            total_v += count * bv
            total_d += count * bd
            weight += count * w
            entries.append((bv / w, bd / w, count, w) if w != 1 else (bv, bd, count, 1))
        short = total_v - cost
        if short < 0 or (short == 0 and total_d < 0):
            # Unaffordable now (or just after the share): it stays so for the rest of this run.
            if short == 0:
                limit.now()
            else:
                limit.keep_sign(short, total_d)
            return None
        limit.keep_sign(short, total_d)
        entries.sort()
        # Voters whose budget per point is below the price pay all they have (the "poor"); the
        # price is then set by the rest. Walk up from the poorest until the price fits.
        paid_v = paid_d = ZERO
        for rv, rd, count, w in entries:
            qv, qd = (cost - paid_v) / weight, -paid_d / weight
            if (qv, qd) <= (rv, rd):
                break
            paid_v += count * rv * w
            paid_d += count * rd * w
            weight -= count * w
        for rv, rd, _, _ in entries:
            limit.keep_sign(rv - qv, rd - qd)
        return (qv / cost, qd / cost)


class _Limit:
    """The nearest share offset at which a recorded comparison may change its answer."""

    __slots__ = ("offset",)

    def __init__(self):
        self.offset: Fraction | None = None

    def now(self) -> None:
        self.offset = Fraction(0)

    def keep_sign(self, value, slope) -> None:
        # value + slope * x keeps the sign of its germ until it crosses zero at x = -value/slope.
        if (value > 0 and slope < 0) or (value < 0 and slope > 0):
            x = Fraction(-value) / slope
            if self.offset is None or x < self.offset:
                self.offset = x

    def at(self, share: Fraction) -> Fraction | None:
        return None if self.offset is None else share + self.offset
