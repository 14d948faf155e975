"""Exact Boolean minimization: prime implicants and every minimal cover of the PI chart.

Two ways to get prime implicants, both exact:

- **Open world** (remainders allowed, the parsimonious solution): a term is an implicant iff
  it covers no forbidden configuration (observed negative rows, contradictions, excluded
  remainders). Remainders are never enumerated. A prime implicant that covers the positive
  row ``p`` is ``p`` restricted to a set ``S`` of conditions that is a *minimal transversal*
  of the sets ``D(p, f)`` of conditions on which ``p`` differs from each forbidden row
  ``f``. For each positive row all minimal transversals are found at once, bit-parallel
  over the 2^k subsets of conditions (a superset-closure "zeta" transform in numpy), so the
  work is (positive rows) x 2^k x k array operations whatever the number of remainders.
- **Closed world** (complex and intermediate solutions): the on-set is an explicit list of
  configurations (positive rows, plus easy counterfactuals); Quine-McCluskey merging,
  generalised to multi-value conditions, gives its prime implicants.

The prime-implicant chart (positive rows x prime implicants) is then solved exactly: every
cover with the smallest number of prime implicants is returned (R's QCA reports all of
them as models M1, M2, ...): small charts by a plain branch and bound with a packing lower
bound; hard ones (noisy fuzzy data) on their cyclic core (classes of interchangeable
implicants, dominated classes and rows removed until nothing changes), where HiGHS proves
the optimal size and an LP-guided search lists the covers of that size, mapped back to
every implicant that can stand in their place.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import math
import os
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from heritagekit.analysis.qca.terms import DONT_CARE, Term, sort_terms, term_covers
from heritagekit.errors import BadInputError

# The open-world search holds 2^k booleans per positive row: fine up to 20 conditions.
MAX_OPEN_WORLD_CONDITIONS = 20


def _minimal_transversals(edge_masks: np.ndarray, k: int) -> np.ndarray:
    """All minimal subsets of {0..k-1} (as bit masks) that meet every edge mask."""
    size = 1 << k
    contains_edge = np.zeros(size, dtype=bool)
    contains_edge[edge_masks] = True
    # superset closure: contains_edge[T] = T contains some edge
    for j in range(k):
        view = contains_edge.reshape(-1, 2, 1 << j)
        view[:, 1, :] |= view[:, 0, :]
    # S meets every edge iff its complement contains no edge; complement(S) = size-1-S
    hitting = ~contains_edge[::-1]
    minimal = hitting.copy()
    for j in range(k):
        hv = hitting.reshape(-1, 2, 1 << j)
        mv = minimal.reshape(-1, 2, 1 << j)
        mv[:, 1, :] &= ~hv[:, 0, :]
    return np.flatnonzero(minimal)


def prime_implicants_open(
    positive: np.ndarray, forbidden: np.ndarray, levels: Sequence[int]
) -> np.ndarray:
    """Prime implicants that cover at least one positive row and no forbidden row."""
    k = len(levels)
    if k > MAX_OPEN_WORLD_CONDITIONS:
        raise BadInputError(
            f"{k} conditions: the exact search supports at most {MAX_OPEN_WORLD_CONDITIONS}"
        )
    weights = (1 << np.arange(k)).astype(np.int64)
    found: list[np.ndarray] = []
    for p in positive:
        if forbidden.shape[0]:
            masks = (forbidden != p) @ weights
            if np.any(masks == 0):
                raise BadInputError("a configuration is both positive and forbidden")
            masks = np.unique(masks)
        else:
            masks = np.zeros(0, dtype=np.int64)
        transversals = _minimal_transversals(masks, k)
        chosen = ((transversals[:, None] >> np.arange(k)) & 1).astype(bool)
        found.append(np.where(chosen, p[None, :], DONT_CARE))
    if not found:
        return np.zeros((0, k), dtype=np.int64)
    return sort_terms(np.vstack(found).astype(np.int64))


def prime_implicants_closed(onset: np.ndarray, levels: Sequence[int]) -> np.ndarray:
    """All prime implicants of an explicit on-set (Quine-McCluskey, multi-value aware)."""
    current: set[Term] = {tuple(int(v) for v in row) for row in onset}
    primes: set[Term] = set()
    while current:
        merged: set[Term] = set()
        used: set[Term] = set()
        groups: dict[tuple[Term, int], set[int]] = {}
        for term in current:
            for j, value in enumerate(term):
                if value == DONT_CARE:
                    continue
                key = ((*term[:j], DONT_CARE, *term[j + 1 :]), j)
                groups.setdefault(key, set()).add(value)
        for (general, j), values in groups.items():
            if len(values) == levels[j]:
                merged.add(general)
                for value in values:
                    used.add((*general[:j], value, *general[j + 1 :]))
        primes.update(current - used)
        current = merged
    return sort_terms(np.array(sorted(primes), dtype=np.int64).reshape(-1, len(levels)))


@dataclass
class ChartSolution:
    """Prime implicants, what each covers, and every minimal cover (as PI indices)."""

    implicants: list[Term]  # only those covering some positive row, in R's order
    coverage: np.ndarray  # bool, implicants x positive rows
    models: list[tuple[int, ...]]
    essential: list[int]
    truncated: bool = False  # True when the search stopped at max_models covers


def _onehot_codes(configs: np.ndarray, levels: Sequence[int]) -> np.ndarray:
    """Each configuration as a uint64 with one bit per (condition, level)."""
    offsets = np.concatenate([[0], np.cumsum(levels)[:-1]]).astype(np.uint64)
    bits = np.left_shift(np.uint64(1), offsets[None, :] + configs.astype(np.uint64))
    return np.bitwise_or.reduce(bits, axis=1) if configs.shape[1] else np.zeros(0, np.uint64)


def _allowed_bits(terms: np.ndarray, levels: Sequence[int]) -> np.ndarray:
    """Each term as a uint64 of the (condition, level) bits it allows."""
    offsets = np.concatenate([[0], np.cumsum(levels)[:-1]]).astype(np.uint64)
    full = np.array([(1 << n) - 1 for n in levels], dtype=np.uint64) << offsets
    care = terms != DONT_CARE
    single = np.left_shift(
        np.uint64(1), offsets[None, :] + np.where(care, terms, 0).astype(np.uint64)
    )
    return np.bitwise_or.reduce(np.where(care, single, full[None, :]), axis=1)


def coverage_matrix(
    implicants: np.ndarray, positive: np.ndarray, levels: Sequence[int]
) -> np.ndarray:
    """Boolean implicants x positive rows: which row lies inside which implicant."""
    terms = np.asarray(implicants, dtype=np.int64).reshape(-1, len(levels))
    if terms.shape[0] == 0:
        return np.zeros((0, positive.shape[0]), dtype=bool)
    if sum(levels) <= 64:
        rows = _onehot_codes(positive, levels)
        allowed = _allowed_bits(terms, levels)
        out = np.empty((terms.shape[0], rows.shape[0]), dtype=bool)
        step = max(1, 2_000_000 // max(1, rows.shape[0]))
        for start in range(0, terms.shape[0], step):
            block = ~allowed[start : start + step, None]
            out[start : start + step] = (rows[None, :] & block) == 0
        return out
    return np.array([term_covers(t, positive) for t in terms], dtype=bool)


def _lower_bound(
    uncovered: int, row_options: Sequence[int], order: Sequence[int], allowed: int
) -> int:
    """Number of uncovered rows that no allowed implicant covers two of (a packing bound)."""
    used = 0
    bound = 0
    for r in order:
        if uncovered >> r & 1:
            options = row_options[r] & allowed
            if not options & used:
                used |= options
                bound += 1
    return bound


def _bitsets(matrix: np.ndarray) -> list[int]:
    """Each row of a boolean matrix as a Python int (bit j = column j)."""
    if matrix.shape[1] == 0:
        return [0] * matrix.shape[0]
    packed = np.packbits(matrix, axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in packed]


def _undominated_rows(coverage: np.ndarray) -> np.ndarray:
    """Rows (columns of ``coverage``) to keep: a row whose implicants include all those of
    another row is covered whenever that row is, so dropping it changes no cover."""
    from scipy.sparse import csr_array

    # shared[r, s] = implicants covering both rows; row s contains row r's options exactly
    # when that equals r's own count (a sparse product: the bit-parallel test of every
    # row against every other took seconds on 16-condition charts)
    matrix = csr_array(coverage).astype(np.int32)
    shared = (matrix.T @ matrix).tocsr()
    counts = shared.diagonal()  # the implicants covering each row
    keep = np.ones(coverage.shape[1], dtype=bool)
    for r in np.argsort(counts, kind="stable"):
        if not keep[r]:
            continue
        span = slice(shared.indptr[r], shared.indptr[r + 1])
        supersets = shared.indices[span][shared.data[span] == counts[r]]
        keep[supersets[supersets != r]] = False
    return np.flatnonzero(keep)


class _Stop(Exception):
    """Internal: enough covers of the proven optimal size were listed."""


class _OverBudget(Exception):
    """Internal: the plain branch and bound is taking long; switch to the LP-guided route."""


class _SmallerCover(Exception):
    """Internal: the LP-guided search met a cover below the size it was asked for."""

    def __init__(self, cover: tuple[int, ...]) -> None:
        super().__init__()
        self.cover = cover


DFS_CPU_BUDGET = 1.0  # CPU seconds of plain branch and bound before the LP-guided route
# Wall seconds the LP-guided route may spend on one hard chart (HiGHS's proof of the
# minimal size, then the listing of covers): ``time_limit`` of the public functions.
DEFAULT_TIME_LIMIT = 50.0
_LP_EPS = 1e-7
_PRODUCT_ENTRIES = 1 << 24  # largest class-by-class product _classes_inside builds at once


def _row_keys(chart: np.ndarray) -> np.ndarray:
    """One hashable, sortable key per row of a boolean matrix (its packed bytes)."""
    packed = np.ascontiguousarray(np.packbits(chart, axis=1))
    return packed.view(np.dtype((np.void, packed.shape[1]))).ravel()


def _column_classes(chart: np.ndarray) -> tuple[np.ndarray, list[list[int]]]:
    """Distinct implicant rows of ``chart`` and, for each, the implicants that share it.

    Implicants covering exactly the same rows are interchangeable in every cover (and two
    of them are never in the same minimal one), so the search runs over the classes and
    the models are their products.
    """
    _, first, inverse = np.unique(_row_keys(chart), return_index=True, return_inverse=True)
    members: list[list[int]] = [[] for _ in first]
    for column, cls in enumerate(inverse.ravel()):
        members[cls].append(column)
    return chart[first], members


def _distinct_rows(chart: np.ndarray) -> np.ndarray:
    """The distinct rows of a boolean matrix (in no particular order)."""
    _, first = np.unique(_row_keys(chart), return_index=True)
    return chart[first]


def _classes_inside(chart: np.ndarray) -> tuple[np.ndarray, dict[int, list[int]]]:
    """(maximal classes, {maximal class: the classes whose rows are a strict subset of its}).

    ``chart`` is distinct classes x rows. A class inside another is never needed for the
    smallest cover size (its superset does at least as much); it can still appear in a
    minimal model in place of a superset, so the map is kept to list those models.
    """
    n_classes = chart.shape[0]
    # Each superset of class c covers c's rarest row, so for every row the classes whose
    # rarest row it is are tested against the (few hundred) classes covering it, on the
    # columns they use, with one small matrix product (a Python loop over tens of thousands
    # of classes and bit sets as wide as the chart took seconds on 16-condition charts).
    degree = chart.sum(axis=0)
    class_of, row_of = np.nonzero(chart)
    sizes = np.bincount(class_of, minlength=n_classes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rank = degree[row_of].astype(np.int64) * chart.shape[1] + row_of
    rarest = np.minimum.reduceat(rank, starts) % chart.shape[1]
    covering = [np.flatnonzero(column) for column in chart.T]
    pairs_inner, pairs_outer = [], []
    order = np.argsort(rarest, kind="stable")
    bounds = np.searchsorted(rarest[order], np.arange(chart.shape[1] + 1))
    for row in range(chart.shape[1]):
        outer = covering[row]
        # blocks bound each product's size on charts with busy rows
        block = max(1, _PRODUCT_ENTRIES // max(1, outer.size))
        for start in range(bounds[row], bounds[row + 1], block):
            inner = order[start : min(start + block, bounds[row + 1])]
            used = np.flatnonzero(chart[inner].any(axis=0))
            shared = chart[np.ix_(inner, used)].astype(np.float32) @ (
                chart[np.ix_(outer, used)].astype(np.float32).T
            )
            i, j = np.nonzero(shared == sizes[inner][:, None])
            keep = inner[i] != outer[j]  # classes are distinct: equal means itself
            pairs_inner.append(inner[i][keep])
            pairs_outer.append(outer[j][keep])
    inner_all = np.concatenate(pairs_inner) if pairs_inner else np.zeros(0, np.int64)
    outer_all = np.concatenate(pairs_outer) if pairs_outer else np.zeros(0, np.int64)
    maximal = np.ones(n_classes, dtype=bool)
    maximal[inner_all] = False
    to_maximal = maximal[outer_all]
    outer_all, inner_all = outer_all[to_maximal], inner_all[to_maximal]
    by_outer = np.lexsort([inner_all, outer_all])
    outer_all, inner_all = outer_all[by_outer], inner_all[by_outer]
    keys, first = np.unique(outer_all, return_index=True)
    parts = np.split(inner_all, first[1:]) if keys.size else []
    inside = dict(zip(keys.tolist(), (part.tolist() for part in parts), strict=True))
    return np.flatnonzero(maximal), inside


@dataclass
class _CyclicCore:
    """The class chart reduced for the search: maximal classes, undominated rows, and the
    classes equal on those rows merged into one column."""

    chart: np.ndarray  # core columns x core rows
    candidates: list[list[int]]  # per core column: the classes that may stand in its place


def _cyclic_core(classes: np.ndarray) -> _CyclicCore:
    """Every minimum cover of ``classes`` maps to one of the core (replace each class by a
    maximal superset, then by its core column); ``candidates`` undoes that map. Dropping
    columns can make more rows dominated and the other way round, so the two reductions
    repeat until neither changes the chart (the "cyclic core" of the set-cover literature)."""
    chart = classes
    candidates = [[c] for c in range(classes.shape[0])]
    while True:
        maximal, inside = _classes_inside(chart)
        merged = [
            sorted({*candidates[m], *(c for d in inside.get(int(m), []) for c in candidates[d])})
            for m in maximal
        ]
        reduced = chart[maximal]
        reduced = reduced[:, _undominated_rows(reduced)]
        core, groups = _column_classes(reduced)
        candidates = [sorted({c for g in group for c in merged[g]}) for group in groups]
        if core.shape == chart.shape:
            return _CyclicCore(core, candidates)
        chart = core


def _expand_core_cover(
    bits: Sequence[int],
    n_rows: int,
    candidates: Sequence[Sequence[int]],
    found: set[tuple[int, ...]],
    limit: int,
) -> None:
    """Add to ``found`` every cover of the ``n_rows`` rows that picks one class per
    candidate list (``bits``: each class's rows as a bitset), until ``found`` holds
    ``limit`` covers.

    A class is tried in a list only if it covers every row that the lists after it cannot
    reach (their unions), which prunes the product to the covers almost at once.
    """
    full = (1 << n_rows) - 1
    unions = []
    for options in candidates:
        union = 0
        for c in options:
            union |= bits[c]
        unions.append(union)
    lists = []
    for i, options in enumerate(candidates):  # rows no other list can reach
        others = 0
        for j, union in enumerate(unions):
            if j != i:
                others |= union
        private = full & ~others
        lists.append([c for c in options if bits[c] & private == private])
    reach = [0] * (len(lists) + 1)
    for i in range(len(lists) - 1, -1, -1):
        reach[i] = reach[i + 1] | unions[i]

    def pick(i: int, covered: int, chosen: tuple[int, ...]) -> None:
        if i == len(lists):
            cover = tuple(sorted(chosen))
            if len(set(cover)) == len(cover):
                found.add(cover)
                if len(found) >= limit:
                    raise _Stop
            return
        need = full & ~covered & ~reach[i + 1]
        for c in lists[i]:
            if bits[c] & need == need:
                pick(i + 1, covered | bits[c], (*chosen, c))

    pick(0, 0, ())


def _lp_relaxation(chart: np.ndarray) -> tuple[float, np.ndarray | None]:
    """(optimum, row duals) of the covering LP min sum x, chart.T x >= 1, 0 <= x <= 1."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    if chart.shape[0] == 0 or np.any(~chart.any(axis=0)):
        return math.inf, None
    result = linprog(
        np.ones(chart.shape[0]),
        A_ub=-csr_array(chart.T.astype(np.float64)),
        b_ub=-np.ones(chart.shape[1]),
        bounds=(0, 1),
        method="highs",
    )
    if result.status != 0:
        return math.inf, None
    return float(result.fun), -np.asarray(result.ineqlin.marginals)


def _greedy_cover(chart: np.ndarray) -> list[int]:
    """A cover of the rows of ``chart`` (columns x rows), largest new coverage first."""
    from scipy.sparse import csr_array

    uncovered = np.ones(chart.shape[1], dtype=bool)
    weights = csr_array(chart).astype(np.float32)
    cover: list[int] = []
    while uncovered.any():
        best = int(np.argmax(weights @ uncovered.astype(np.float32)))
        cover.append(best)
        uncovered &= ~chart[best]
    return cover


def _usable_cores() -> int:
    """CPU cores this process may run on (the affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _highs_solver(chart: np.ndarray, time_limit: float, seed: int, start_cover: list[int]) -> Any:
    """A HiGHS solver holding the covering MILP of ``chart`` (columns x rows) and a
    starting cover, set up for these charts (see ``_milp_optimum``)."""
    import highspy
    from scipy.sparse import csc_array

    n_columns, n_rows = chart.shape
    matrix = csc_array(chart.T.astype(np.float64))
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = n_columns, n_rows
    model.col_cost_ = np.ones(n_columns)
    model.col_lower_, model.col_upper_ = np.zeros(n_columns), np.ones(n_columns)
    model.row_lower_, model.row_upper_ = np.ones(n_rows), np.full(n_rows, highspy.kHighsInf)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = matrix.indptr
    model.a_matrix_.index_ = matrix.indices
    model.a_matrix_.value_ = matrix.data
    model.integrality_ = [highspy.HighsVarType.kInteger] * n_columns
    solver = highspy.Highs()
    for option, value in {
        "output_flag": False,
        "time_limit": max(0.1, time_limit),  # a spent budget still gets its first LP
        "random_seed": seed,
        "mip_pscost_minreliable": 0,
        "mip_heuristic_effort": 0.0,  # the greedy start and the node LPs find covers enough
        "threads": 1,
    }.items():
        solver.setOptionValue(option, value)
    solver.passModel(model)
    start = np.zeros(n_columns)
    start[start_cover] = 1.0
    initial = highspy.HighsSolution()
    initial.col_value, initial.value_valid = start.tolist(), True
    solver.setSolution(initial)
    return solver


def _milp_optimum(chart: np.ndarray, time_limit: float) -> tuple[tuple[int, ...] | None, bool]:
    """(a smallest cover HiGHS found, proven optimal?) within ``time_limit`` seconds.

    highspy rather than ``scipy.optimize.milp`` for options scipy does not pass on: a
    starting cover, ``mip_pscost_minreliable = 0`` and a way to stop a solve. On these charts
    (tens of thousands of small, overlapping implicants) HiGHS's default reliability
    branching spends most of its time in strong-branching LPs: pseudo-costs from the first
    branch proved the 16-condition fuzzy speed set in 41 s instead of 69 s. HiGHS's
    branch and bound is serial and its time varies with the random seed (39 to 70 s on that
    set), so with two or more cores two seeds race and the first proof stops the other.
    """
    import highspy

    n_solvers = 2 if _usable_cores() >= 2 else 1
    greedy = _greedy_cover(chart)
    solvers = [_highs_solver(chart, time_limit, seed, greedy) for seed in range(n_solvers)]
    finished = threading.Event()

    def stop_when_finished(event: Any) -> None:
        if finished.is_set():
            event.interrupt()

    def run(solver: Any) -> None:
        solver.run()
        if solver.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            finished.set()

    if n_solvers > 1:
        for solver in solvers:
            solver.cbMipInterrupt += stop_when_finished
        threads = [threading.Thread(target=run, args=(solver,)) for solver in solvers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        run(solvers[0])
    best: tuple[tuple[int, ...] | None, bool] = (None, False)
    for solver in solvers:
        solution = solver.getSolution()
        if not solution.value_valid:
            continue
        values = np.asarray(solution.col_value)
        cover = tuple(int(i) for i in np.flatnonzero(values > 0.5))
        proven = solver.getModelStatus() == highspy.HighsModelStatus.kOptimal
        if best[0] is None or (proven, -len(cover)) > (best[1], -len(best[0])):
            best = (cover, proven)
    return best


def _lp_guided_covers(
    chart: np.ndarray, size: int, limit: int, deadline: float
) -> tuple[list[tuple[int, ...]], bool]:
    """Every cover of ``chart`` (classes x rows) with exactly ``size`` classes, up to ``limit``.

    Depth-first over the uncovered row with the fewest candidate classes; at every node the
    covering LP of what is left is solved: its value bounds the classes still needed, and
    its duals (a fractional row packing) rule out each class whose choice would leave more
    rows than ``size`` can pay for (reduced-cost fixing). Returns (covers, complete); raises
    ``_SmallerCover`` on meeting a cover below ``size``.
    """
    n_classes, n_rows = chart.shape
    weights = chart.astype(np.float64)
    packed = np.packbits(chart, axis=1, bitorder="little")
    found: list[tuple[int, ...]] = []

    def record(cover: tuple[int, ...]) -> None:
        if len(cover) < size:
            raise _SmallerCover(cover)
        found.append(cover)
        if len(found) >= limit:
            raise _Stop

    def last_one(uncovered: np.ndarray, allowed: np.ndarray, chosen: tuple[int, ...]) -> None:
        """One class left to choose: those covering every uncovered row (no LP needed)."""
        for last in np.flatnonzero(allowed & chart[:, uncovered].all(axis=1)):
            record((*chosen, int(last)))

    def scarcest_row_options(uncovered: np.ndarray, allowed: np.ndarray) -> np.ndarray | None:
        """The allowed classes covering the uncovered row with the fewest of them (the row
        to branch on); None when some uncovered row has none left."""
        rows = np.flatnonzero(uncovered)
        counts = chart[allowed][:, rows].sum(axis=0)
        if counts.min() == 0:
            return None
        return np.flatnonzero(allowed & chart[:, rows[int(np.argmin(counts))]])

    def last_two(uncovered: np.ndarray, allowed: np.ndarray, chosen: tuple[int, ...]) -> None:
        """Two classes left: for each option ``a`` of the scarcest row, every allowed ``b``
        covering what ``a`` leaves, all at once on packed bits (no LP needed)."""
        options = scarcest_row_options(uncovered, allowed)
        if options is None:
            return
        words = packed[allowed]
        candidates = np.flatnonzero(allowed)
        rank = np.full(n_classes, len(options))
        rank[options] = np.arange(len(options))
        wanted = np.packbits(uncovered, bitorder="little")
        for index, first in enumerate(options):
            need = wanted & ~packed[first]
            if not need.any():
                record((*chosen, int(first)))
                continue
            fits = np.all((need[None, :] & ~words) == 0, axis=1)
            for second in candidates[fits & (rank[candidates] > index)]:
                record((*chosen, int(first), int(second)))

    def search(uncovered: np.ndarray, allowed: np.ndarray, chosen: tuple[int, ...]) -> None:
        if time.monotonic() > deadline:
            raise _OverBudget
        if not uncovered.any():
            record(chosen)
            return
        slack = size - len(chosen)
        if slack <= 0:
            return
        if slack == 1:
            last_one(uncovered, allowed, chosen)
            return
        if slack == 2:
            last_two(uncovered, allowed, chosen)
            return
        rows = np.flatnonzero(uncovered)
        columns = np.flatnonzero(allowed & chart[:, uncovered].any(axis=1))
        # classes equal on the uncovered rows are one LP column (same value, same duals)
        value, duals = _lp_relaxation(_distinct_rows(chart[np.ix_(columns, rows)]))
        if duals is None or math.ceil(value - _LP_EPS) > slack:
            return
        row_duals = np.zeros(n_rows)
        row_duals[rows] = duals
        gain = weights @ row_duals
        # choosing a class leaves rows worth at least (value - gain) to cover
        allowed = allowed & (np.ceil(value - gain - _LP_EPS) <= slack - 1)
        options = scarcest_row_options(uncovered, allowed)
        if options is None:
            return
        options = options[np.argsort(-gain[options], kind="stable")]
        allowed = allowed.copy()
        for option in options:
            search(uncovered & ~chart[option], allowed, (*chosen, int(option)))
            allowed[option] = False  # covers with it were all listed in its branch

    try:
        search(np.ones(n_rows, dtype=bool), np.ones(n_classes, dtype=bool), ())
    except (_Stop, _OverBudget):  # the model cap or the time budget: the list is partial
        return found, False
    return found, True


def _one_swap_covers(
    chart: np.ndarray, start: tuple[int, ...], deadline: float
) -> Iterator[tuple[int, ...]]:
    """Covers of ``chart`` (columns x rows) of the size of ``start``, reached from it by
    swapping one column at a time (breadth first, each cover once, ``start`` first).

    A column may replace column ``i`` of a cover when it covers the rows only ``i``
    covers there. Cheap (a packed-bit test of the columns covering one of those rows) and,
    on charts with many minimum covers, a fast way to list many of them; it does not reach
    every one, so it only fills a list that the model cap cuts short anyway.
    """
    missing = ~np.packbits(chart, axis=1, bitorder="little")  # the rows each column lacks
    covering = [np.flatnonzero(row) for row in chart.T]  # the columns covering each row
    seen = {start}
    queue = collections.deque([start])
    while queue and time.monotonic() < deadline:
        cover = queue.popleft()
        yield cover
        count = chart[list(cover)].sum(axis=0)
        for i in cover:
            private = chart[i] & (count == 1)
            options = covering[int(np.argmax(private))]  # a replacement covers this one
            fits = ~(np.packbits(private, bitorder="little") & missing[options]).any(axis=1)
            for j in options[fits]:
                swapped = tuple(sorted({*cover, int(j)} - {i}))
                if len(swapped) == len(cover) and swapped not in seen:
                    seen.add(swapped)
                    queue.append(swapped)


def _hard_chart_covers(
    chart: np.ndarray, greedy_size: int, max_models: int, time_limit: float
) -> tuple[list[tuple[int, ...]], bool, bool]:
    """(minimal covers as implicant indices, optimum proven, every cover listed)."""
    deadline = time.monotonic() + time_limit
    classes, members = _column_classes(chart)
    core = _cyclic_core(classes)
    milp_budget = deadline - time.monotonic() - 1.0
    incumbent, proven = _milp_optimum(core.chart, milp_budget)
    size = len(incumbent) if incumbent is not None else greedy_size
    class_covers: set[tuple[int, ...]] = set()
    class_bits = _bitsets(classes)
    n_models = 0  # the models the class covers stand for, kept as they are added

    def expand(core_covers: Sequence[tuple[int, ...]]) -> None:
        nonlocal n_models
        for core_cover in core_covers:
            found: set[tuple[int, ...]] = set()
            lists = [core.candidates[q] for q in core_cover]
            with contextlib.suppress(_Stop):
                _expand_core_cover(class_bits, classes.shape[1], lists, found, max_models + 1)
            for cover in found - class_covers:
                n_models += math.prod(len(members[c]) for c in cover)
            class_covers.update(found)
            if n_models > max_models:
                return

    complete = False
    if incumbent is not None:
        expand([incumbent])
    if proven and incumbent is not None and n_models <= max_models:
        # Charts with more minimum covers than asked for are common in noisy data: the
        # covers one swap apart from HiGHS's reach the cap in seconds where the complete
        # search below could not finish (fuzzy_k16_n2000 of the speed sets).
        for core_cover in _one_swap_covers(core.chart, tuple(sorted(incumbent)), deadline):
            expand([core_cover])
            if n_models > max_models:
                break
    # a proven size with more models than asked needs no search for the rest
    if not (proven and n_models > max_models):
        while True:
            try:
                core_covers, complete = _lp_guided_covers(
                    core.chart, size, max_models + 1, deadline
                )
                break
            except _SmallerCover as smaller:  # only possible when the MILP proved nothing
                size, incumbent = len(smaller.cover), smaller.cover
                class_covers.clear()
                n_models = 0
        expand(core_covers if core_covers else [incumbent] if incumbent else [])
    covers: list[tuple[int, ...]] = []
    for class_cover in sorted(class_covers):
        for combination in itertools.product(*(members[c] for c in class_cover)):
            covers.append(tuple(sorted(combination)))
            if len(covers) > max_models:
                return sorted(covers), proven or complete, False
    return sorted(covers), proven or complete, complete


def minimal_covers(
    coverage: np.ndarray,
    *,
    max_models: int = 10_000,
    dfs_budget: float = DFS_CPU_BUDGET,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> tuple[list[tuple[int, ...]], list[int], bool]:
    """Every cover of all columns (rows of the chart) with the fewest implicants.

    ``coverage`` is implicants x rows. Returns (covers as sorted index tuples, essential
    implicants, truncated): the search stops after ``max_models`` covers of the minimal size
    (some real noisy data sets have millions) and then says so. Small charts are solved by a
    plain branch and bound; one that takes over ``dfs_budget`` CPU seconds goes to an
    LP-guided search (HiGHS proves the optimal size, LP bounds and reduced-cost fixing
    enumerate the covers of that size) that stops after ``time_limit`` wall seconds: a
    size not proven by then is reported in a warning and the smallest covers found are
    returned.
    """
    check_time_limit(time_limit)
    if coverage.shape[1] == 0:
        return [()], [], False
    if np.any(~coverage.any(axis=0)):
        raise BadInputError("a positive row is covered by no prime implicant")
    coverage = coverage[:, _undominated_rows(coverage)]
    n_rows = coverage.shape[1]
    pi_rows = _bitsets(coverage)
    row_options = _bitsets(coverage.T)
    counts = coverage.sum(axis=0)
    essential = sorted({int(np.argmax(coverage[:, r])) for r in np.flatnonzero(counts == 1)})
    full = (1 << n_rows) - 1
    covered = 0
    for i in essential:
        covered |= pi_rows[i]
    order = sorted(range(n_rows), key=lambda r: (row_options[r]).bit_count())
    remaining = full & ~covered
    base = tuple(essential)
    if remaining == 0:
        return [base], essential, False

    # Upper bound from a greedy cover; then depth-first branch and bound over the row with
    # the fewest allowed implicants. In the branch of its i-th implicant the implicants
    # before it are disallowed, so every cover is generated once.
    greedy_cover = _greedy_cover(coverage[:, [r for r in range(n_rows) if remaining >> r & 1]])
    greedy = len(greedy_cover)
    started = time.process_time()
    state = {"best": greedy, "saturated": False, "nodes": 0}
    found: set[tuple[int, ...]] = set()

    def search(uncovered: int, chosen: tuple[int, ...], depth: int, allowed: int) -> None:
        state["nodes"] += 1
        if (dfs_budget <= 0 or state["nodes"] % 256 == 0) and (
            time.process_time() - started >= dfs_budget
        ):
            raise _OverBudget
        best = state["best"]
        if uncovered == 0:
            if depth < best:
                state["best"], state["saturated"] = depth, False
                found.clear()
            if len(found) < max_models:
                found.add(tuple(sorted(chosen)))
            else:
                state["saturated"] = True
            return
        # a saturated list only wants strictly smaller covers
        limit = best - 1 if state["saturated"] else best
        if depth + 1 > limit:
            return
        best_row, best_count = -1, 1 << 30
        for r in order:
            if uncovered >> r & 1:
                count = (row_options[r] & allowed).bit_count()
                if count < best_count:
                    best_row, best_count = r, count
                    if count <= 1:
                        break
        if best_count == 0:
            return
        if depth + _lower_bound(uncovered, row_options, order, allowed) > limit:
            return
        options = row_options[best_row] & allowed
        while options:
            low = options & -options
            options ^= low
            i = low.bit_length() - 1
            search(uncovered & ~pi_rows[i], (*chosen, i), depth + 1, allowed)
            allowed &= ~low
            limit = state["best"] - 1 if state["saturated"] else state["best"]
            if depth + 1 > limit:
                return

    everything = (1 << len(pi_rows)) - 1
    try:
        search(remaining, base, 0, everything)
    except _OverBudget:
        return _hard_chart(coverage, remaining, base, greedy_cover, max_models, time_limit)
    return sorted(found), essential, state["saturated"]


def check_time_limit(time_limit: float) -> None:
    if not time_limit > 0:  # also NaN
        raise BadInputError(f"--time-limit must be a positive number of seconds, got {time_limit}")


def _hard_chart(
    coverage: np.ndarray,
    remaining: int,
    base: tuple[int, ...],
    greedy_cover: list[int],
    max_models: int,
    time_limit: float,
) -> tuple[list[tuple[int, ...]], list[int], bool]:
    """The LP-guided route on the rows the essential implicants leave uncovered."""
    n_rows = coverage.shape[1]
    rows = [r for r in range(n_rows) if remaining >> r & 1]
    chart = coverage[:, rows]
    useful = np.flatnonzero(chart.any(axis=1))
    covers, proven, complete = _hard_chart_covers(
        chart[useful], len(greedy_cover), max_models, time_limit
    )
    models = [tuple(sorted((*base, *(int(useful[i]) for i in c)))) for c in covers]
    if not models:  # nothing better found in time: the greedy cover, flagged below
        models = [tuple(sorted((*base, *greedy_cover)))]
    if not complete:
        what = (
            "the minimal size is proven, but not every minimal model may be listed"
            if proven
            else f"minimality is not proven in the time limit of {time_limit:g} s; the "
            "smallest covers found are listed (give it more time: time_limit, --time-limit)"
        )
        if not (proven and len(models) > max_models):  # a full list is not a failure
            warnings.warn(
                f"prime-implicant chart with {coverage.shape[0]} implicants and {n_rows} rows: "
                f"{what}",
                UserWarning,
                stacklevel=3,
            )
    return sorted(models)[:max_models], list(base), not complete


def solve_chart(
    implicants: np.ndarray,
    positive: np.ndarray,
    levels: Sequence[int],
    *,
    max_models: int = 10_000,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> ChartSolution:
    """Keep the implicants that cover a positive row, then find all minimal covers
    (``time_limit``: see ``minimal_covers``)."""
    terms = sort_terms(np.asarray(implicants, dtype=np.int64).reshape(-1, len(levels)))
    coverage = coverage_matrix(terms, positive, levels)
    useful = coverage.any(axis=1)
    implicants = [tuple(t) for t in terms[useful].tolist()]
    coverage = coverage[useful]
    models, essential, truncated = minimal_covers(
        coverage, max_models=max_models, time_limit=time_limit
    )
    return ChartSolution(implicants, coverage, models, essential, truncated)
