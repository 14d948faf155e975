"""Complex, parsimonious and intermediate solutions of a truth table, as R's QCA gives them.

- **complex** (conservative): only the positive rows are minimized; no remainder is used.
- **parsimonious**: every remainder that helps may be used (they are listed per model as
  simplifying assumptions), except remainders the analyst excludes (untenable or
  contradictory assumptions, Enhanced Standard Analysis).
- **intermediate**: for every pair (complex model Ci, parsimonious model Pj), each complex
  term that implies a prime implicant of Pj loses the literals outside that implicant that
  contradict the directional expectations; the remainders inside such a reduced term are
  the easy counterfactuals; the positive rows plus the easy counterfactuals are minimized
  again (closed world) and every minimal cover of the positive rows is kept. The other
  simplifying assumptions of Pj are the difficult counterfactuals. R names these branches
  C1P1, C1P2, ...; the same naming is used here.

Directional expectations may be conjunctural (``C*~D``): a complex term may then move to
a remainder that differs from it on C or D only if the remainder satisfies C*~D as a whole.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from heritagekit.analysis.qca.data import QCAWarning
from heritagekit.analysis.qca.fit import sufficiency, unique_coverage
from heritagekit.analysis.qca.minimize import (
    DEFAULT_TIME_LIMIT,
    check_time_limit,
    prime_implicants_closed,
    prime_implicants_open,
    solve_chart,
)
from heritagekit.analysis.qca.terms import (
    DONT_CARE,
    Term,
    config_index,
    configs_from_index,
    cube_configs,
    format_term,
    parse_literal,
    parse_term,
    term_contains,
    term_covers,
    term_membership,
    term_sort_key,
)
from heritagekit.analysis.qca.truthtable import TruthTable
from heritagekit.errors import BadInputError

MAX_LISTED_CONFIGS = 200_000
Expectation = dict[int, int]


# ---------------------------------------------------------------------------- inputs


def parse_dir_exp(
    spec: str | Mapping[str, Any] | Sequence[str] | None,
    conditions: Sequence[str],
    levels: Sequence[int],
) -> list[Expectation]:
    """Directional expectations -> list of {condition index: expected value}.

    Accepts ``"A=1,B=0,C=-"`` (``-`` = no expectation), R's ``"A, ~B, C*~D"`` (a
    conjunction is a conjunctural expectation), a mapping ``{"A": 1, "B": "-"}`` or a list
    of such items. Every condition named must exist.
    """
    if spec is None:
        return []
    items: list[str]
    if isinstance(spec, Mapping):
        items = [f"{name}={value}" for name, value in spec.items()]
    elif isinstance(spec, str):
        items = [s for s in spec.split(",") if s.strip()]
    else:
        items = [str(s) for s in spec]
    expectations: list[Expectation] = []
    for item in items:
        item = item.strip()
        if "=" in item:
            name, value = (s.strip() for s in item.split("=", 1))
            if name not in conditions:
                raise BadInputError(
                    f"--dir-exp: unknown condition {name!r} (conditions: {', '.join(conditions)})"
                )
            if value in ("-", "dc", ""):
                continue
            index = list(conditions).index(name)
            try:
                level = int(float(value))
            except ValueError as error:
                raise BadInputError(f"--dir-exp: {item!r}: write 1, 0 or - after '='") from error
            if not 0 <= level < levels[index]:
                raise BadInputError(f"--dir-exp: {name} has no level {level}")
            expectations.append({index: level})
        else:
            try:
                term = parse_term(item, conditions, levels)
            except BadInputError as error:
                raise BadInputError(f"--dir-exp: {error}") from error
            expectations.append({j: v for j, v in enumerate(term) if v != DONT_CARE})
    return expectations


def parse_configs(
    spec: str | Sequence[Any] | None, conditions: Sequence[str], levels: Sequence[int]
) -> np.ndarray:
    """Remainders to exclude: R row numbers and/or terms (``"~A*B"`` = all inside the cube)."""
    k = len(conditions)
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        return np.zeros((0, k), dtype=np.int64)
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    blocks = []
    total = int(np.prod(levels, dtype=np.int64))
    for item in items:
        text = str(item).strip()
        if text.isdigit():
            row = int(text)
            if not 1 <= row <= total:
                raise BadInputError(f"--exclude: there is no truth-table row {row}")
            blocks.append(configs_from_index(np.array([row]), levels))
        else:
            blocks.append(cube_configs(parse_term(text, conditions, levels), levels))
    return np.unique(np.vstack(blocks), axis=0)


# ---------------------------------------------------------------------------- results


@dataclass
class Branch:
    """One intermediate branch CiPj: its models and counterfactuals."""

    label: str
    models: list[list[Term]]
    easy: np.ndarray
    difficult: np.ndarray


@dataclass
class Solution:
    """A minimized truth table: every minimal model with its fit.

    ``models`` is a list of models, each a list of terms (tuples, see ``terms``); use
    ``expressions`` for their written form. ``table`` lists the fit of every term of every
    model; ``model_fit`` the fit of each model as a whole.
    """

    kind: str
    tt: TruthTable
    models: list[list[Term]]
    implicants: list[Term] = field(default_factory=list)
    sa_excluded: set[int] = field(default_factory=set)  # rows barred from being SAs
    branches: list[Branch] = field(default_factory=list)
    model_labels: list[str] = field(default_factory=list)
    parsimonious_implicants: list[Term] = field(default_factory=list)
    truncated: bool = False  # True when there were more minimal models than max_models

    # -- naming
    @property
    def conditions(self) -> list[str]:
        return self.tt.conditions

    def name(self, term: Term) -> str:
        cache = self.__dict__.setdefault("_name_cache", {})
        if term not in cache:
            cache[term] = format_term(term, self.tt.conditions, self.tt.levels)
        return cache[term]

    @property
    def expressions(self) -> list[list[str]]:
        """Every model as a list of written terms (``A*~B*C``)."""
        return [[self.name(t) for t in model] for model in self.models]

    def expression(self, model: int = 0) -> str:
        return " + ".join(self.expressions[model])

    # -- fit
    def membership(self, term: Term) -> np.ndarray:
        return term_membership(term, self.tt.data.X, self.tt.levels)

    def term_cases(self, term: Term) -> str:
        """Cases of the positive rows the term covers, grouped by row like R prints them."""
        rows = self.tt.rows[self.tt.rows["OUT"] == "1"]
        configs = rows[self.conditions].to_numpy(dtype=np.int64)
        inside = term_covers(term, configs)
        return "; ".join(rows["cases"].to_numpy()[inside].tolist())

    def model_table(self, model: int = 0) -> pd.DataFrame:
        """inclS, PRI, covS, covU and cases of every term of one model."""
        terms = self.models[model]
        memberships = [self.membership(t) for t in terms]
        covu = unique_coverage(memberships, self.tt.data.y)
        records = []
        for term, x, cu in zip(terms, memberships, covu, strict=True):
            fit = sufficiency(x, self.tt.data.y)
            records.append(
                {"term": self.name(term), **fit, "covU": cu, "cases": self.term_cases(term)}
            )
        return pd.DataFrame.from_records(
            records, columns=["term", "inclS", "PRI", "covS", "covU", "cases"]
        )

    def model_membership(self, model: int = 0) -> np.ndarray:
        """Cases' membership in a whole model: the maximum over its terms (0 if none)."""
        terms = self.models[model]
        return np.max([self.membership(t) for t in terms], axis=0) if terms else self.tt.data.y * 0

    def fit(self, model: int = 0) -> dict[str, float]:
        """inclS, PRI and covS of a whole model."""
        return sufficiency(self.model_membership(model), self.tt.data.y)

    @property
    def table(self) -> pd.DataFrame:
        frames = []
        for m in range(len(self.models)):
            frame = self.model_table(m)
            frame.insert(0, "model", self.model_labels[m])
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    @property
    def model_fit(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(
            [
                {"model": label, "solution": self.expression(m), **self.fit(m)}
                for m, label in enumerate(self.model_labels)
            ]
        )

    def implicant_table(self) -> pd.DataFrame:
        """All terms of all models, covU against all the others and per model (R's layout)."""
        pool = sorted({t for model in self.models for t in model}, key=term_sort_key)
        memberships = [self.membership(t) for t in pool]
        pooled = unique_coverage(memberships, self.tt.data.y)
        records = []
        for term, x, cu in zip(pool, memberships, pooled, strict=True):
            record = {"term": self.name(term), **sufficiency(x, self.tt.data.y), "covU": cu}
            if len(self.models) > 1:
                for m, model in enumerate(self.models):
                    covu = unique_coverage([self.membership(t) for t in model], self.tt.data.y)
                    record[f"({self.model_labels[m]})"] = (
                        covu[model.index(term)] if term in model else float("nan")
                    )
            record["cases"] = self.term_cases(term)
            records.append(record)
        return pd.DataFrame.from_records(records)

    # -- counterfactuals
    @property
    def simplifying_assumptions(self) -> list[np.ndarray | None]:
        """Per model, the remainders its terms cover (parsimonious solutions; computed once)."""
        if self.kind != "parsimonious":
            return []
        return [self.model_sas(m) for m in range(len(self.models))]

    def model_sas(self, model: int) -> np.ndarray | None:
        """Simplifying assumptions of one model (None when there are too many to list)."""
        cache = self.__dict__.setdefault("_sa_cache", {})
        if model not in cache:
            cache[model] = _model_sas(self.tt, self.models[model], self.sa_excluded)
        return cache[model]

    def configs_frame(self, configs: np.ndarray | None) -> pd.DataFrame:
        if configs is None:
            return pd.DataFrame(columns=self.conditions)
        index = config_index(configs, self.tt.levels)
        frame = pd.DataFrame(configs, columns=self.conditions, index=index)
        return frame.sort_index()

    # -- rendering
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``models`` (lists of terms), per-model fit and per-term fit."""
        payload: dict[str, Any] = {
            "solution": self.kind,
            "outcome": self.tt.data.outcome,
            "conditions": self.conditions,
            "incl_cut": self.tt.incl_cut[0],
            "n_cut": self.tt.n_cut,
            "pri_cut": self.tt.pri_cut,
            "models": self.expressions,
            "model_labels": self.model_labels,
            "fit": [{"model": label, **self.fit(m)} for m, label in enumerate(self.model_labels)],
            "terms": [
                {"model": label, **record}
                for m, label in enumerate(self.model_labels)
                for record in self.model_table(m).to_dict(orient="records")
            ],
            "prime_implicants": [self.name(t) for t in self.implicants],
            "models_truncated": self.truncated,
        }
        if self.kind == "parsimonious":
            # listed for the first 50 models (noisy data can have thousands)
            payload["simplifying_assumptions"] = [
                self.configs_frame(sa).index.tolist() if sa is not None else None
                for sa in (self.model_sas(m) for m in range(min(50, len(self.models))))
            ]
        if self.kind == "intermediate":
            payload["branches"] = [
                {
                    "branch": b.label,
                    "models": [[self.name(t) for t in m] for m in b.models],
                    "easy_counterfactuals": self.configs_frame(b.easy).index.tolist(),
                    "difficult_counterfactuals": self.configs_frame(b.difficult).index.tolist(),
                }
                for b in self.branches
            ]
        return payload

    def to_markdown(self) -> str:
        lines = [f"**{self.kind} solution** for {self.tt.data.outcome}", ""]
        for m, label in enumerate(self.model_labels):
            fit = self.fit(m)
            written = self.expression(m).replace("~", "\\~")
            lines.append(
                f"{label}: {written} -> {self.tt.data.outcome}  "
                f"(inclS {fit['inclS']:.3f}, PRI {fit['PRI']:.3f}, covS {fit['covS']:.3f})"
            )
            lines.append("")
            table = self.model_table(m)
            table["term"] = table["term"].str.replace("~", "\\~")
            lines.append(table.to_markdown(index=False, floatfmt=".3f"))
            lines.append("")
        return "\n".join(lines)

    def plot(self, model: int = 0, term: int | None = None, ax: Any = None) -> Any:
        """XY plot of a model (or one of its terms) against the outcome."""
        from heritagekit.analysis.qca.core import xy_plot

        terms = self.models[model] if term is None else [self.models[model][term]]
        x = np.max([self.membership(t) for t in terms], axis=0)
        label = " + ".join(self.name(t) for t in terms)
        return xy_plot(x, self.tt.data.y, label, self.tt.data.outcome, self.tt.data.cases, ax=ax)

    def __repr__(self) -> str:  # pragma: no cover - convenience
        return "\n".join(f"{lab}: {self.expression(m)}" for m, lab in enumerate(self.model_labels))


# ---------------------------------------------------------------------------- helpers


def _positive(tt: TruthTable) -> np.ndarray:
    positive = tt.codes("1")
    if positive.shape[0] == 0:
        raise BadInputError(
            f"no truth-table row has OUT = 1 for {tt.data.outcome} (incl.cut = {tt.incl_cut[0]:g},"
            f" n.cut = {tt.n_cut}, pri.cut = {tt.pri_cut:g}): nothing to minimize"
        )
    return positive


def _non_remainder_index(tt: TruthTable) -> set[int]:
    rows = tt.rows[tt.rows["OUT"] != "?"]
    return set(rows.index.astype(int).tolist())


def _remainders_among(tt: TruthTable, configs: np.ndarray, excluded: set[int]) -> np.ndarray:
    if configs.shape[0] == 0:
        return configs
    index = config_index(configs, tt.levels)
    blocked = np.fromiter(_non_remainder_index(tt) | excluded, dtype=np.int64)
    return configs[~np.isin(index, blocked)]


def _model_sas(tt: TruthTable, model: Sequence[Term], excluded: set[int]) -> np.ndarray | None:
    """Remainders covered by a model's terms, by row number (None when too many to list)."""
    size = sum(
        int(np.prod([n for v, n in zip(t, tt.levels, strict=True) if v == DONT_CARE]))
        for t in model
    )
    if size > MAX_LISTED_CONFIGS:
        return None
    if not model:
        return np.zeros((0, len(tt.levels)), dtype=np.int64)
    index = np.unique(
        np.concatenate([config_index(cube_configs(t, tt.levels), tt.levels) for t in model])
    )
    blocked = np.fromiter(_non_remainder_index(tt) | excluded, dtype=np.int64)
    return configs_from_index(index[~np.isin(index, blocked)], tt.levels)


def _check_truncated(truncated: bool, max_models: int) -> bool:
    if truncated:
        warnings.warn(
            f"more than {max_models} minimal models: only the first {max_models} are listed",
            QCAWarning,
            stacklevel=3,
        )
    return truncated


def _labels(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i + 1}" for i in range(n)]


# ---------------------------------------------------------------------------- solutions


def complex_solution(
    tt: TruthTable, *, max_models: int = 10_000, time_limit: float = DEFAULT_TIME_LIMIT
) -> Solution:
    """The conservative solution: positive rows only, no remainder."""
    positive = _positive(tt)
    implicants = prime_implicants_closed(positive, tt.levels)
    chart = solve_chart(
        implicants, positive, tt.levels, max_models=max_models, time_limit=time_limit
    )
    models = [[chart.implicants[i] for i in m] for m in chart.models]
    return Solution(
        kind="complex",
        tt=tt,
        models=models,
        implicants=chart.implicants,
        model_labels=_labels("M", len(models)),
        truncated=_check_truncated(chart.truncated, max_models),
    )


def parsimonious_solution(
    tt: TruthTable,
    *,
    exclude: str | Sequence[Any] | None = None,
    contradictions_as_remainders: bool = False,
    max_models: int = 10_000,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Solution:
    """The parsimonious solution: remainders as simplifying assumptions (bar excluded ones)."""
    positive = _positive(tt)
    out_forbidden = ["0"] if contradictions_as_remainders else ["0", "C"]
    excluded_configs = parse_configs(exclude, tt.conditions, tt.levels)
    forbidden = np.vstack([tt.codes(out_forbidden), excluded_configs]).astype(np.int64)
    implicants = prime_implicants_open(positive, forbidden, tt.levels)
    chart = solve_chart(
        implicants, positive, tt.levels, max_models=max_models, time_limit=time_limit
    )
    models = [[chart.implicants[i] for i in m] for m in chart.models]
    excluded = set(config_index(excluded_configs, tt.levels).tolist())
    if contradictions_as_remainders:
        pass
    else:
        excluded |= set(tt.rows.index[tt.rows["OUT"] == "C"].astype(int).tolist())
    return Solution(
        kind="parsimonious",
        tt=tt,
        models=models,
        implicants=chart.implicants,
        sa_excluded=excluded,
        model_labels=_labels("M", len(models)),
        truncated=_check_truncated(chart.truncated, max_models),
    )


def _easy_counterfactuals(
    tt: TruthTable,
    complex_model: Sequence[Term],
    pars_model: Sequence[Term],
    expectations: Sequence[Expectation],
    excluded: set[int],
) -> np.ndarray:
    blocks = []
    for implicant in pars_model:
        inside: np.ndarray | None = None
        for term in complex_model:
            if not term_contains(implicant, term):
                continue
            if inside is None:
                inside = _remainders_among(tt, cube_configs(implicant, tt.levels), excluded)
            if inside.shape[0] == 0:
                break
            easy = np.ones(inside.shape[0], dtype=bool)
            for j, value in enumerate(term):
                if value == DONT_CARE:
                    continue
                differs = inside[:, j] != value
                if not differs.any():
                    continue
                allowed = np.zeros(inside.shape[0], dtype=bool)
                for expectation in expectations:
                    if j in expectation:
                        match = np.ones(inside.shape[0], dtype=bool)
                        for c, v in expectation.items():
                            match &= inside[:, c] == v
                        allowed |= match
                easy &= ~differs | allowed
            blocks.append(inside[easy])
    if not blocks:
        return np.zeros((0, len(tt.levels)), dtype=np.int64)
    return np.unique(np.vstack(blocks), axis=0)


def intermediate_solution(
    tt: TruthTable,
    dir_exp: str | Mapping[str, Any] | Sequence[str] | None,
    *,
    exclude: str | Sequence[Any] | None = None,
    max_models: int = 10_000,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Solution:
    """The intermediate solution for every complex x parsimonious model pair (CiPj)."""
    expectations = parse_dir_exp(dir_exp, tt.conditions, tt.levels)
    positive = _positive(tt)
    comp = complex_solution(tt, max_models=max_models, time_limit=time_limit)
    pars = parsimonious_solution(tt, exclude=exclude, max_models=max_models, time_limit=time_limit)
    excluded_configs = parse_configs(exclude, tt.conditions, tt.levels)
    excluded = set(config_index(excluded_configs, tt.levels).tolist())
    excluded |= set(tt.rows.index[tt.rows["OUT"] == "C"].astype(int).tolist())
    branches: list[Branch] = []
    truncated = comp.truncated or pars.truncated
    for ci, cmodel in enumerate(comp.models):
        for pj, pmodel in enumerate(pars.models):
            easy = _easy_counterfactuals(tt, cmodel, pmodel, expectations, excluded)
            onset = np.vstack([positive, easy]) if easy.shape[0] else positive
            implicants = prime_implicants_closed(onset, tt.levels)
            chart = solve_chart(
                implicants, positive, tt.levels, max_models=max_models, time_limit=time_limit
            )
            models = [[chart.implicants[i] for i in m] for m in chart.models]
            sas = pars.model_sas(pj)
            if sas is None:
                difficult = np.zeros((0, len(tt.levels)), dtype=np.int64)
            else:
                easy_index = set(config_index(easy, tt.levels).tolist())
                keep = [i not in easy_index for i in config_index(sas, tt.levels).tolist()]
                difficult = sas[np.array(keep, dtype=bool)] if len(keep) else sas
            branches.append(Branch(f"C{ci + 1}P{pj + 1}", models, easy, difficult))
            truncated |= _check_truncated(chart.truncated, max_models)
    models: list[list[Term]] = []
    labels: list[str] = []
    for branch in branches:
        for m, model in enumerate(branch.models):
            if model not in models:
                models.append(model)
                suffix = f"M{m + 1}" if len(branch.models) > 1 else ""
                labels.append(f"{branch.label}{suffix}")
    pars_pis = sorted({t for model in pars.models for t in model}, key=term_sort_key)
    return Solution(
        kind="intermediate",
        tt=tt,
        models=models,
        implicants=sorted({t for m in models for t in m}, key=term_sort_key),
        branches=branches,
        model_labels=labels,
        parsimonious_implicants=pars_pis,
        truncated=truncated,
    )


def minimize(
    tt: TruthTable,
    include: str | Sequence[str] = "",
    dir_exp: str | Mapping[str, Any] | Sequence[str] | None = None,
    *,
    exclude: str | Sequence[Any] | None = None,
    max_models: int = 10_000,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Solution:
    """R-like entry point: no ``include`` -> complex; ``include="?"`` -> parsimonious;
    with ``dir_exp`` as well -> intermediate.

    ``max_models`` caps the models listed; ``time_limit`` is the wall seconds each hard
    prime-implicant chart may take to prove its minimal size (a warning says when it
    was not enough; R's QCA has no such limit and no such warning).
    """
    check_time_limit(time_limit)
    items = [include] if isinstance(include, str) else list(include)
    flags = {s.strip() for item in items for s in str(item).split(",") if s.strip()}
    unknown = flags - {"?", "remainders", "C", "contradictions"}
    if unknown:
        raise BadInputError(f"--include: unknown value(s) {', '.join(sorted(unknown))}")
    remainders = bool(flags & {"?", "remainders"})
    if dir_exp is not None and not remainders:
        raise BadInputError("--dir-exp needs --include remainders (intermediate solution)")
    if not remainders:
        return complex_solution(tt, max_models=max_models, time_limit=time_limit)
    if dir_exp is not None:
        return intermediate_solution(
            tt, dir_exp, exclude=exclude, max_models=max_models, time_limit=time_limit
        )
    return parsimonious_solution(
        tt,
        exclude=exclude,
        contradictions_as_remainders=bool(flags & {"C", "contradictions"}),
        max_models=max_models,
        time_limit=time_limit,
    )


__all__ = [
    "Branch",
    "Solution",
    "complex_solution",
    "intermediate_solution",
    "minimize",
    "parse_dir_exp",
    "parse_literal",
    "parsimonious_solution",
]
