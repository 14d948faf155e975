"""Small closed-form cases (textbook Boolean minimization, hand-computed fit); always run."""

from __future__ import annotations

import itertools
import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest

from heritagekit.analysis import qca
from heritagekit.analysis.qca.minimize import minimal_covers, prime_implicants_open
from heritagekit.analysis.qca.terms import format_term, parse_expression
from heritagekit.errors import BadInputError


def crisp_frame(positive: list[str], negative: list[str], names: str = "ABC") -> pd.DataFrame:
    """One case per configuration (written as bit strings) with outcome Y."""
    rows = [[int(b) for b in cfg] + [1] for cfg in positive]
    rows += [[int(b) for b in cfg] + [0] for cfg in negative]
    frame = pd.DataFrame(rows, columns=[*names, "Y"])
    frame.index = [f"c{i}" for i in range(len(frame))]
    return frame


def solve(frame: pd.DataFrame, include: str = "", dir_exp=None, **kwargs) -> qca.Solution:
    tt = qca.truth_table(qca.prepare(frame, "Y"), 1.0, 1)
    return qca.minimize(tt, include, dir_exp, **kwargs)


def as_sets(solution: qca.Solution) -> list[frozenset[str]]:
    return [frozenset(m) for m in solution.expressions]


def test_cyclic_function_has_two_minimal_covers() -> None:
    # f(A,B,C) = sum m(0,1,2,5,6,7): the textbook cyclic chart with two 3-term covers
    frame = crisp_frame(["000", "001", "010", "101", "110", "111"], ["011", "100"])
    for include in ("", "?"):  # no remainders: complex == parsimonious
        got = set(as_sets(solve(frame, include)))
        assert got == {
            frozenset({"~A*~B", "B*~C", "A*C"}),
            frozenset({"~A*~C", "~B*C", "A*B"}),
        }


def test_remainders_simplify_and_can_be_excluded() -> None:
    frame = crisp_frame(["001", "011"], ["000", "010", "100"])  # 101 and 111 unobserved
    assert solve(frame).expressions == [["~A*C"]]
    pars = solve(frame, "?")
    assert pars.expressions == [["C"]]
    assert pars.configs_frame(pars.simplifying_assumptions[0]).index.tolist() == [6, 8]
    assert solve(frame, "?", exclude="A").expressions == [["~A*C"]]  # untenable: A = 1
    assert solve(frame, "?", exclude="8").expressions == [["~A*C"]]  # row 8 = 111


def test_multi_value_condition() -> None:
    frame = pd.DataFrame(
        {"A": [0, 1, 2, 2, 0, 1], "B": [1, 1, 1, 0, 0, 0], "Y": [1, 1, 1, 0, 0, 0]},
        index=list("abcdef"),
    )
    tt = qca.truth_table(qca.prepare(frame, "Y"), 1.0)
    assert tt.levels == [3, 2]
    assert qca.minimize(tt).expressions == [["B"]]  # all three levels of A merge
    frame.loc["d", "Y"] = 1
    tt = qca.truth_table(qca.prepare(frame, "Y"), 1.0)
    assert set(as_sets(qca.minimize(tt))) == {frozenset({"B", "A[2]"})}


def test_open_world_primes_equal_brute_force() -> None:
    rng = np.random.default_rng(0)
    levels = [2, 2, 3, 2, 2]
    configs = np.array(np.meshgrid(*[range(n) for n in levels], indexing="ij")).reshape(5, -1).T
    rng.shuffle(configs)
    positive, forbidden = configs[:12], configs[12:30]
    mine = {tuple(t) for t in prime_implicants_open(positive, forbidden, levels).tolist()}
    # brute force over every term
    axes = [[-1, *range(n)] for n in levels]
    terms = np.array(np.meshgrid(*axes, indexing="ij")).reshape(5, -1).T

    def covers(term: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.all((term == -1) | (rows == term), axis=1)

    valid = [t for t in terms if not covers(t, forbidden).any() and covers(t, positive).any()]
    valid_set = {tuple(t) for t in valid}
    primes = set()
    for t in valid:
        general = [tuple(np.where(np.arange(5) == j, -1, t)) for j in range(5) if t[j] != -1]
        if not any(g in valid_set for g in general):
            primes.add(tuple(int(v) for v in t))
    assert mine == primes


def test_minimal_covers_are_all_and_minimal() -> None:
    chart = np.array(
        [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1], [1, 0, 1, 0]], dtype=bool
    )
    models, _, truncated = minimal_covers(chart)
    assert models == [(0, 2), (1, 3)] and not truncated


def test_intermediate_simple_and_conjunctural_expectations() -> None:
    frame = crisp_frame(["110"], ["000", "001", "011"])
    pars = solve(frame, "?")
    assert pars.expressions == [["A"], ["B*~C"]]
    inter = solve(frame, "?", "A=1,B=1,C=1")
    c1p1 = inter.branches[0]
    assert inter.configs_frame(c1p1.easy).index.tolist() == [8]  # 111
    assert [[inter.name(t) for t in m] for m in c1p1.models] == [["A*B"]]
    # simple expectations B absent and C present make 100, 101 and 111 easy ...
    simple = solve(frame, "?", "B=0,C=1").branches[0]
    assert inter.configs_frame(simple.easy).index.tolist() == [5, 6, 8]
    # ... the conjunctural expectation ~B*C only the remainder that satisfies both: 101
    conj = solve(frame, "?", "~B*C").branches[0]
    assert inter.configs_frame(conj.easy).index.tolist() == [6]
    assert inter.configs_frame(solve(frame, "?", "B*C").branches[0].easy).index.tolist() == [8]


def test_fit_by_hand() -> None:
    x, y = np.array([0.2, 0.8, 0.6]), np.array([0.4, 0.9, 0.3])
    fit = qca.sufficiency(x, y)
    assert fit["inclS"] == pytest.approx(1.3 / 1.6)
    assert fit["covS"] == pytest.approx(1.3 / 1.6)
    assert fit["PRI"] == pytest.approx((1.3 - 0.6) / (1.6 - 0.6))
    nec = qca.necessity_fit(x, y)
    assert nec["RoN"] == pytest.approx(1.4 / 1.7)
    assert nec["inclN"] == pytest.approx(1.3 / 1.6)
    cov_u = qca.unique_coverage([x, np.array([0.1, 0.9, 0.0])], y)
    assert cov_u[0] == pytest.approx((1.3 - 0.9) / 1.6)


def test_calibration_closed_form() -> None:
    x = np.array([2.0, 5.0, 9.0, 1.0, 12.0])
    got = qca.calibrate(x, "e=2, c=5, i=9")
    assert got[:3] == pytest.approx([1 - qca.FSQCA_IDM, 0.5, qca.FSQCA_IDM])
    assert pytest.approx(math.exp(3) / (1 + math.exp(3))) == qca.FSQCA_IDM
    assert qca.calibrate(x, [2, 5, 9], idm=0.95)[2] == pytest.approx(0.95)
    dec = qca.calibrate(x, "i=2, c=5, e=9")
    assert dec[:3] == pytest.approx([qca.FSQCA_IDM, 0.5, 1 - qca.FSQCA_IDM])
    assert qca.calibrate(x, [2, 5, 9], logistic=False).tolist() == [0, 0.5, 1, 0, 1]
    assert qca.calibrate(x, [5], method="crisp").tolist() == [0, 1, 1, 0, 1]
    assert qca.calibrate(x, [5, 10], method="crisp").tolist() == [0, 1, 1, 0, 2]
    with pytest.raises(BadInputError, match="crossover"):
        qca.calibrate(x, [5, 2, 9])
    ind = qca.calibrate(np.linspace(0, 100, 30), [20, 40, 60, 80], method="indirect")
    assert np.all(np.diff(ind) > 0) and ind[0] < 0.1 and ind[-1] > 0.9


def test_truth_table_rows_and_half_membership() -> None:
    frame = pd.DataFrame(
        {"A": [0.9, 0.8, 0.2, 0.5], "B": [0.7, 0.6, 0.1, 0.9], "Y": [0.9, 0.7, 0.1, 0.8]},
        index=["p", "q", "r", "s"],
    )
    with pytest.warns(qca.QCAWarning, match="exactly 0.5"):
        tt = qca.truth_table(qca.prepare(frame, "Y"), 0.8)
    assert tt.excluded_cases == ["s"]
    assert tt.rows.loc[4, "cases"] == "p,q" and tt.rows.loc[4, "OUT"] == "1"
    assert tt.rows.loc[1, "OUT"] == "0"
    x = np.minimum(frame["A"], frame["B"]).to_numpy()
    assert tt.rows.loc[4, "incl"] == pytest.approx(np.minimum(x, frame["Y"]).sum() / x.sum())


def test_two_cut_offs_mark_contradictions() -> None:
    frame = crisp_frame(["11", "11", "10"], ["11", "00"], names="AB")
    tt = qca.truth_table(qca.prepare(frame, "Y"), [0.9, 0.6])
    assert tt.rows["OUT"].to_dict() == {1: "0", 3: "1", 4: "C"}
    assert solve(frame, "?").expressions  # contradictions are not used as remainders
    pars = qca.minimize(tt, "?")
    assert pars.expressions == [["A*~B"]]


def test_terms_round_trip() -> None:
    conditions, levels = ["A", "B", "C"], [2, 2, 3]
    terms = parse_expression("A*~B + C[2]", conditions, levels)
    assert [format_term(t, conditions, levels) for t in terms] == ["A*~B", "C[2]"]
    with pytest.raises(BadInputError, match="unknown condition 'D'"):
        parse_expression("D", conditions, levels)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"A": [0.2, 1.3], "B": [0, 1], "Y": [0, 1]}), "'A'.*outside"),
        (pd.DataFrame({"A": [0.2, None], "B": [0, 1], "Y": [0, 1]}), "'A' has a missing"),
        (pd.DataFrame({"A": [0.3, 0.3], "B": [0, 1], "Y": [0, 1]}), "'A' does not vary"),
    ],
)
def test_bad_data(frame: pd.DataFrame, message: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(BadInputError, match=message):
            qca.prepare(frame, "Y")


def test_no_positive_rows() -> None:
    frame = crisp_frame([], ["00", "01", "10"], names="AB")
    tt = qca.truth_table(qca.prepare(frame, "Y"), 0.8)
    with pytest.raises(BadInputError, match="no truth-table row has OUT = 1"):
        qca.minimize(tt)


def _brute_force_minimum_covers(chart: np.ndarray) -> list[tuple[int, ...]]:
    """The independent reference: every set of implicants (rows of ``chart``) of the
    smallest size that covers all columns, by trying every combination."""
    import itertools

    for size in range(1, chart.shape[0] + 1):
        covers = [
            c
            for c in itertools.combinations(range(chart.shape[0]), size)
            if chart[list(c)].any(0).all()
        ]
        if covers:
            return covers
    return []


def test_minimal_covers_match_brute_force_on_random_charts() -> None:

    rng = np.random.default_rng(1)
    for _ in range(60):
        n_pi, n_rows = int(rng.integers(3, 10)), int(rng.integers(2, 9))
        chart = rng.random((n_pi, n_rows)) < 0.35
        chart[rng.integers(0, n_pi, n_rows), np.arange(n_rows)] = True  # every row coverable
        expected = _brute_force_minimum_covers(chart)
        models, _, truncated = minimal_covers(chart)
        assert models == expected and not truncated
        capped, _, truncated = minimal_covers(chart, max_models=1)
        assert len(capped) == 1 and capped[0] in expected and truncated == (len(expected) > 1)


@pytest.mark.parametrize(("max_models", "cores"), [(10_000, 2), (3, 2), (10_000, 1)])
def test_lp_guided_route_matches_brute_force(
    max_models: int, cores: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The route for hard charts (classes of equal implicants, the cyclic core, HiGHS
    racing two seeds or running one, LP bounds, reduced-cost fixing) lists exactly the
    minimum covers a brute force finds, duplicated implicants and the model cap included."""
    import importlib

    # the package's ``minimize`` is the function; the module is reached by its full name
    minimize_module = importlib.import_module("heritagekit.analysis.qca.minimize")
    monkeypatch.setattr(minimize_module, "_usable_cores", lambda: cores)

    rng = np.random.default_rng(7)
    for _ in range(25):
        n_pi, n_rows = int(rng.integers(5, 11)), int(rng.integers(4, 10))
        chart = rng.random((n_pi, n_rows)) < 0.3
        chart[rng.integers(0, n_pi, n_rows), np.arange(n_rows)] = True
        chart = np.vstack([chart, chart[rng.integers(0, n_pi, 3)]])  # interchangeable copies
        expected = _brute_force_minimum_covers(chart)
        models, _, truncated = minimal_covers(chart, max_models=max_models, dfs_budget=0)
        if len(expected) <= max_models:
            assert models == expected and not truncated
        else:
            assert truncated and len(models) == max_models and set(models) <= set(expected)


def test_one_swap_covers_are_minimum_covers_and_reach_a_product_chart() -> None:
    """Swapping one column at a time keeps a cover of the same size: every cover listed is
    a minimum cover (brute force), listed once, the start first; on a chart whose rows
    have disjoint options (a product: 2 x 3 x 2 x 2 = 24 minimum covers) all are reached."""
    import importlib
    import itertools
    import time

    minimize_module = importlib.import_module("heritagekit.analysis.qca.minimize")
    swaps = minimize_module._one_swap_covers
    options = [[0, 1], [2, 3, 4], [5, 6], [7, 8]]
    chart = np.zeros((9, 4), dtype=bool)
    for row, columns in enumerate(options):
        chart[columns, row] = True
    listed = list(swaps(chart, (0, 2, 5, 7), time.monotonic() + 60))
    assert listed[0] == (0, 2, 5, 7) and len(set(listed)) == len(listed) == 24
    assert set(listed) == {tuple(sorted(c)) for c in itertools.product(*options)}

    rng = np.random.default_rng(3)
    for _ in range(20):
        n_pi, n_rows = int(rng.integers(5, 11)), int(rng.integers(4, 10))
        chart = rng.random((n_pi, n_rows)) < 0.35
        chart[rng.integers(0, n_pi, n_rows), np.arange(n_rows)] = True
        minimum = _brute_force_minimum_covers(chart)
        listed = list(swaps(chart, minimum[-1], time.monotonic() + 60))
        assert listed[0] == minimum[-1] and len(set(listed)) == len(listed)
        assert set(listed) <= set(minimum)


def test_hard_route_stops_at_the_model_cap_on_a_chart_with_thousands_of_minimum_covers() -> None:
    """Six rows with five interchangeable options each: 5**6 = 15 625 minimum covers of six
    implicants from a single core cover. The hard route returns exactly ``max_models``
    distinct minimum covers and says the list is truncated."""
    chart = np.zeros((30, 6), dtype=bool)
    for column in range(30):
        chart[column, column // 5] = True
    models, _, truncated = minimal_covers(chart, max_models=10_000, dfs_budget=0)
    assert truncated and len(models) == len(set(models)) == 10_000
    assert all(len(m) == 6 and chart[list(m)].any(0).all() for m in models)


def affine_space_lines(dim: int) -> np.ndarray:
    """Points x lines of the affine space AG(dim, 3) (a Steiner triple system): covering
    every line with points is a classic hard set cover (for dim 4, 81 points and 1080
    lines: LP bound 27, optimum 61 = 81 minus the largest cap of AG(4, 3), 20; a proof of
    that optimum by branch and bound takes far longer than this test allows)."""
    points = list(itertools.product(range(3), repeat=dim))
    index = {p: i for i, p in enumerate(points)}
    lines = {
        frozenset(
            (index[a], index[b], index[tuple((-x - y) % 3 for x, y in zip(a, b, strict=True))])
        )
        for a, b in itertools.combinations(points, 2)
    }
    chart = np.zeros((len(points), len(lines)), dtype=bool)
    for r, line in enumerate(sorted(sorted(line) for line in lines)):
        chart[line, r] = True
    return chart


def test_hard_route_stops_at_the_time_limit_and_says_so() -> None:
    chart = affine_space_lines(4)
    assert chart.shape == (81, 1080) and (chart.sum(axis=0) == 3).all()
    started = time.monotonic()
    with pytest.warns(UserWarning, match=r"not proven in the time limit of 0.5 s.*--time-limit"):
        models, _, truncated = minimal_covers(chart, dfs_budget=0, time_limit=0.5)
    assert time.monotonic() - started < 10  # the search stopped instead of proving
    assert truncated and models
    assert all(chart[list(m)].any(axis=0).all() for m in models)  # still covers
    assert all(len(m) >= 61 for m in models)  # the known optimum bounds every cover


@pytest.mark.parametrize("limit", [0.0, -1.0, float("nan")])
def test_time_limit_must_be_positive(limit: float) -> None:
    with pytest.raises(BadInputError, match="--time-limit"):
        minimal_covers(np.eye(3, dtype=bool), time_limit=limit)
    tt = qca.truth_table(qca.prepare(crisp_frame(["11"], ["00"], "AB"), "Y"), 1.0, 1)
    with pytest.raises(BadInputError, match="--time-limit"):
        qca.minimize(tt, "?", time_limit=limit)


def test_lp_guided_route_lists_models_with_implicants_inside_others() -> None:
    """The hard-chart route searches only maximal implicants (the cyclic core) but must
    still list the models that use an implicant covering a subset of another's rows."""
    # rows 0..3; A = {0, 1}, B = {0} (inside A), C = {1, 2, 3}, D = {2, 3}
    chart = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 1], [0, 0, 1, 1]], dtype=bool)
    models, _, truncated = minimal_covers(chart, dfs_budget=0)
    assert models == [(0, 2), (0, 3), (1, 2)] and not truncated


def test_robustness_fit_hand_computed() -> None:
    """Oana & Schneider's parameters on memberships small enough to add up by hand."""
    from heritagekit.analysis.qca.robustness import robustness_fit

    initial = np.array([1.0, 0.8, 0.2, 0.0])
    tests = [np.array([1.0, 0.6, 0.4, 0.0]), np.array([0.5, 0.8, 0.0, 0.3])]
    y = np.array([1.0, 0.7, 0.3, 0.2])
    fit = robustness_fit(initial, tests, y)
    # minTS = (.5 .6 0 0) = robust core; maxTS = (1 .8 .4 .3)
    assert fit["IS_inclS"] == pytest.approx(1.9 / 2.0)
    assert fit["RC_inclS"] == pytest.approx(1.0)
    assert fit["RF_cons"] == pytest.approx(0.95)
    assert fit["RF_cov"] == pytest.approx((1.1 / 2.2) / (1.9 / 2.2))
    assert fit["RF_SC_minTS"] == pytest.approx(1.1 / 2.0)
    assert fit["RF_SC_maxTS"] == pytest.approx(2.0 / 2.5)
    same = robustness_fit(initial, [initial], y)
    assert all(same[k] == pytest.approx(1.0) for k in same if k.startswith("RF_"))
    with pytest.raises(BadInputError, match="at least one test solution"):
        robustness_fit(initial, [], y)


@pytest.mark.parametrize(("k", "levels"), [(16, 2), (4, 5), (17, 2), (3, 16)])
def test_sort_terms_is_unique_rows_in_r_order(k: int, levels: int) -> None:
    # 16 binary conditions take the packed-key route; 17, or a level above 14, the general
    # one: both must give Python's sort by term_sort_key of the distinct terms
    from heritagekit.analysis.qca.terms import sort_terms, term_sort_key

    rng = np.random.default_rng(k)
    terms = rng.integers(-1, levels, size=(3000, k))
    terms = np.vstack([terms, terms[:500]])  # duplicates
    expected = sorted({tuple(int(v) for v in t) for t in terms}, key=term_sort_key)
    assert [tuple(t) for t in sort_terms(terms).tolist()] == expected


def test_undominated_rows_match_the_definition() -> None:
    from heritagekit.analysis.qca.minimize import _undominated_rows

    rng = np.random.default_rng(5)
    for _ in range(100):
        chart = rng.random((int(rng.integers(1, 25)), int(rng.integers(1, 15)))) < 0.35
        chart[:, ~chart.any(axis=0)] = True
        keep = set(_undominated_rows(chart).tolist())
        options = [frozenset(np.flatnonzero(chart[:, r])) for r in range(chart.shape[1])]
        for s, mine in enumerate(options):
            # dropped exactly when another row's options lie inside it (of equal rows the
            # first with the fewest options stays)
            inside = [r for r, other in enumerate(options) if r != s and other <= mine]
            strictly = [r for r in inside if options[r] != mine]
            first_equal = min([s] + [r for r in inside if options[r] == mine]) == s
            assert (s in keep) == (not strictly and first_equal), (s, keep)


@pytest.mark.parametrize("product_entries", [1 << 24, 3])  # 3: one class per block
def test_classes_inside_match_the_definition(
    product_entries: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    from heritagekit.analysis.qca.minimize import _classes_inside, _column_classes

    # the package exports a function named minimize: fetch the module itself
    module = importlib.import_module("heritagekit.analysis.qca.minimize")
    monkeypatch.setattr(module, "_PRODUCT_ENTRIES", product_entries)
    rng = np.random.default_rng(6)
    for _ in range(100):
        chart = rng.random((int(rng.integers(1, 60)), int(rng.integers(1, 10)))) < 0.3
        classes, _members = _column_classes(chart[chart.any(axis=1)])
        rows = [frozenset(np.flatnonzero(c)) for c in classes]
        maximal, inside = _classes_inside(classes)
        expected_maximal = [c for c, mine in enumerate(rows) if not any(mine < o for o in rows)]
        assert maximal.tolist() == expected_maximal
        expected = {
            m: [c for c, mine in enumerate(rows) if mine < rows[m]] for m in expected_maximal
        }
        assert inside == {m: cs for m, cs in expected.items() if cs}
