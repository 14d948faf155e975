"""Boolean terms over QCA conditions: representation, formatting, parsing, membership.

A term is a tuple with one entry per condition: ``-1`` for "don't care", otherwise the
value the condition must take (0 = absent, 1 = present, or the level of a multi-value
condition). ``A*~B`` over conditions (A, B, C) is ``(1, 0, -1)``.

Terms are written as R's QCA writes them: conditions in the given order, ``~`` for
absence, ``*`` between literals, ``A[2]`` for level 2 of a multi-value condition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from heritagekit.errors import BadInputError

Term = tuple[int, ...]
DONT_CARE = -1


def format_term(term: Sequence[int], conditions: Sequence[str], levels: Sequence[int]) -> str:
    """``(1, 0, -1)`` -> ``A*~B``; the empty term (no literal) is ``1``."""
    parts = []
    for value, name, nlev in zip(term, conditions, levels, strict=True):
        if value == DONT_CARE:
            continue
        if nlev > 2:
            parts.append(f"{name}[{value}]")
        else:
            parts.append(name if value == 1 else f"~{name}")
    return "*".join(parts) if parts else "1"


def term_sort_key(term: Sequence[int]) -> tuple:
    """R's order of prime implicants: fewer literals first, then absent < present < don't care.

    (Reverse-engineered from QCA 3.25.1's printed solutions; it also fixes the order of
    models, which matters because R names intermediate solutions C1P1, C1P2, ...)
    """
    literals = sum(1 for v in term if v != DONT_CARE)
    return (literals, tuple(v if v != DONT_CARE else 10**6 for v in term))


def _packed_sort_keys(terms: np.ndarray) -> np.ndarray | None:
    """Each term as one uint64 that sorts like its :func:`term_sort_key` after the literal
    count (4 bits per condition, the first condition highest, don't care as 15), or None
    when the terms do not fit (more than 16 conditions or levels above 14).

    ``np.unique(axis=0)`` on the hundred thousand raw implicants of a 16-condition search
    took seconds; on these keys it takes milliseconds.
    """
    k = terms.shape[1]
    if k == 0 or k > 16 or terms.max(initial=0) > 14 or terms.min(initial=0) < DONT_CARE:
        return None
    digits = np.where(terms == DONT_CARE, 15, terms).astype(np.uint64)
    shifts = (4 * np.arange(k - 1, -1, -1)).astype(np.uint64)
    return np.bitwise_or.reduce(digits << shifts[None, :], axis=1)


def sort_terms(terms: np.ndarray) -> np.ndarray:
    """Unique rows of a (m, k) term array, in the order of :func:`term_sort_key`."""
    if terms.shape[0] == 0:
        return terms.reshape(0, terms.shape[1] if terms.ndim == 2 else 0)
    packed = _packed_sort_keys(terms)
    if packed is not None:  # one integer per term: unique and sort on a 1-D array
        keys, first = np.unique(packed, return_index=True)
        terms = terms[first]
        literals = (terms != DONT_CARE).sum(axis=1)
        return terms[np.lexsort([keys, literals])]
    terms = np.unique(terms, axis=0)
    keyed = np.where(terms == DONT_CARE, 10**6, terms)
    literals = (terms != DONT_CARE).sum(axis=1)
    order = np.lexsort([keyed[:, j] for j in range(terms.shape[1] - 1, -1, -1)] + [literals])
    return terms[order]


_LITERAL = re.compile(r"^(~?)\s*([A-Za-z_.][\w.]*)\s*(?:\[\s*(\d+)\s*\]|\{\s*(\d+)\s*\})?$")


def parse_literal(text: str, conditions: Sequence[str], levels: Sequence[int]) -> tuple[int, int]:
    """``~A`` -> (index of A, 0); ``A[2]`` -> (index of A, 2); ``A`` -> (index, 1)."""
    match = _LITERAL.match(text.strip())
    if not match:
        raise BadInputError(f"cannot read the literal {text.strip()!r} (write A, ~A or A[2])")
    negated, name, level, level2 = match.groups()
    level = level if level is not None else level2
    if name not in conditions:
        raise BadInputError(
            f"unknown condition {name!r} in {text.strip()!r} (conditions: {', '.join(conditions)})"
        )
    index = list(conditions).index(name)
    if level is not None:
        value = int(level)
        if value >= levels[index]:
            raise BadInputError(f"{name} has no level {value} (levels 0..{levels[index] - 1})")
        if negated:
            raise BadInputError(f"~ cannot be combined with a level in {text.strip()!r}")
        return index, value
    if levels[index] > 2:
        raise BadInputError(f"{name} is multi-value: write {name}[level]")
    return index, 0 if negated else 1


def parse_term(text: str, conditions: Sequence[str], levels: Sequence[int]) -> Term:
    """``A*~B`` -> ``(1, 0, -1)``; a literal may appear once."""
    term = [DONT_CARE] * len(conditions)
    for part in text.split("*"):
        if not part.strip():
            raise BadInputError(f"empty literal in the term {text!r}")
        index, value = parse_literal(part, conditions, levels)
        if term[index] not in (DONT_CARE, value):
            raise BadInputError(f"the term {text!r} asks {conditions[index]} for two values")
        term[index] = value
    return tuple(term)


def parse_expression(text: str, conditions: Sequence[str], levels: Sequence[int]) -> list[Term]:
    """A sum of products ``A*~B + C`` -> its terms."""
    if not text.strip():
        raise BadInputError("empty expression")
    return [parse_term(part, conditions, levels) for part in text.split("+")]


def literal_membership(values: np.ndarray, value: int, nlevels: int) -> np.ndarray:
    """Membership of every case in one literal: x for presence, 1 - x for absence, x == v."""
    if nlevels > 2:
        return (values == value).astype(float)
    return values if value == 1 else 1.0 - values


def term_membership(term: Sequence[int], data: np.ndarray, levels: Sequence[int]) -> np.ndarray:
    """Membership of every case (rows of ``data``) in a conjunction: the minimum of literals."""
    out = np.ones(data.shape[0])
    for j, value in enumerate(term):
        if value != DONT_CARE:
            out = np.minimum(out, literal_membership(data[:, j], value, levels[j]))
    return out


def expression_membership(
    terms: Sequence[Sequence[int]], data: np.ndarray, levels: Sequence[int]
) -> np.ndarray:
    """Membership in a disjunction of terms: the maximum over terms."""
    out = np.zeros(data.shape[0])
    for term in terms:
        out = np.maximum(out, term_membership(term, data, levels))
    return out


def term_covers(term: Sequence[int], configs: np.ndarray) -> np.ndarray:
    """Which configurations (rows of integer codes) lie inside the term's cube."""
    mask = np.ones(configs.shape[0], dtype=bool)
    for j, value in enumerate(term):
        if value != DONT_CARE:
            mask &= configs[:, j] == value
    return mask


def term_contains(general: Sequence[int], specific: Sequence[int]) -> bool:
    """True when ``specific`` implies ``general`` (every literal of general is in specific)."""
    return all(g in (DONT_CARE, s) for g, s in zip(general, specific, strict=True))


def cube_configs(term: Sequence[int], levels: Sequence[int]) -> np.ndarray:
    """All configurations inside a term's cube, as an (m, k) integer array."""
    axes = [
        np.arange(nlev) if value == DONT_CARE else np.array([value])
        for value, nlev in zip(term, levels, strict=True)
    ]
    grids = np.meshgrid(*axes, indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1).astype(np.int64)


def config_index(configs: np.ndarray, levels: Sequence[int]) -> np.ndarray:
    """R's truth-table row number (1-based, first condition most significant)."""
    index = np.zeros(configs.shape[0], dtype=np.int64)
    for j, nlev in enumerate(levels):
        index = index * nlev + configs[:, j]
    return index + 1


def configs_from_index(index: np.ndarray, levels: Sequence[int]) -> np.ndarray:
    """Inverse of :func:`config_index`."""
    rest = np.asarray(index, dtype=np.int64) - 1
    out = np.zeros((rest.shape[0], len(levels)), dtype=np.int64)
    for j in range(len(levels) - 1, -1, -1):
        out[:, j] = rest % levels[j]
        rest = rest // levels[j]
    return out
