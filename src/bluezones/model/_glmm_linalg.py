# ruff: noqa: N806 -- matrix names (X, Z, H, F, K) follow Bates et al. (2015)
"""Exact sparse factorisation of ``H = Lambda' Z' W Z Lambda + I`` for random intercepts.

Why this exists: the Laplace deviance needs ``log det H``, solves with ``H`` and, for
its analytic gradient and for conditional variances, the entries of ``H^{-1}`` on
the sparsity pattern of ``H`` (the *selected inverse*). scipy has no sparse
Cholesky and ``splu`` gives no selected inverse, so this module eliminates whole
random-intercept terms instead.

Every cell belongs to exactly one level of every term, so each term's own block of
``Z'WZ`` is diagonal. Eliminating such a diagonal block ``D`` from
``[[D, B], [B', C]]`` leaves the Schur complement ``S = C - B' D^{-1} B``; when the
eliminated term is nested in a remaining one (wijk in gemeente, area-by-year in
area) that term's block of ``S`` is again diagonal, so nested hierarchies are
factorised level by level in ``O(cells)``. Terms whose block is no longer
diagonal (crossed designs) form a small dense leaf handled by Cholesky. The
selected inverse follows by the block-inverse formula in reverse order:
``(H^{-1})_{12} = -D^{-1} B S^{-1}`` is needed only on the pattern of ``B``, and
the pairs it uses lie in the pattern of ``S`` (Takahashi's observation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

__all__ = ["EliminationPlan", "Factor", "entries", "plan_elimination", "slots_of"]

# The dense leaf (levels of crossed terms left after eliminating nested ones) is
# factorised by dense Cholesky; beyond this many levels that gets slow.
MAX_DENSE_LEAF = 3000


@dataclass(frozen=True)
class EliminationPlan:
    """In which order the terms are laid out in ``u`` and how they are eliminated.

    ``order`` lists term indices in layout order; the first ``n_eliminated`` are
    eliminated one by one as diagonal blocks, the rest form the dense leaf.
    """

    order: tuple[int, ...]
    sizes: tuple[int, ...]  # levels per term, in layout order
    n_eliminated: int

    @property
    def offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)

    @property
    def leaf_size(self) -> int:
        return int(sum(self.sizes[self.n_eliminated :]))


def _one_hot(codes: np.ndarray, size: int) -> sp.csr_array:
    cells = codes.size
    return sp.csr_array((np.ones(cells), (np.arange(cells), codes)), shape=(cells, size))


def plan_elimination(codes: list[np.ndarray], sizes: list[int]) -> EliminationPlan:
    """Choose an elimination order from the structure of the grouping factors alone.

    At each step the term with the most levels whose current block is diagonal is
    eliminated; structural (not numerical) zeros decide, so the plan holds for
    every ``theta`` and every weight vector.
    """
    remaining = list(range(len(codes)))
    blocks = {k: _one_hot(codes[k], sizes[k]) for k in remaining}
    # Pattern of the current Schur complement, held as a dict of blocks (a, b).
    pattern = {(a, b): (blocks[a].T @ blocks[b]).tocsr() for a in remaining for b in remaining}
    order: list[int] = []
    while remaining:
        diagonal = [k for k in remaining if _is_diagonal(pattern[(k, k)])]
        if not diagonal:
            break
        k = max(diagonal, key=lambda t: (sizes[t], -t))
        order.append(k)
        remaining.remove(k)
        d_inv = sp.diags_array(1.0 / np.maximum(pattern[(k, k)].diagonal(), 1.0))
        for a in remaining:
            for b in remaining:
                update = pattern[(k, a)].T @ d_inv @ pattern[(k, b)]
                pattern[(a, b)] = (pattern[(a, b)] + update).tocsr()
    n_eliminated = len(order)
    order.extend(sorted(remaining, key=lambda t: -sizes[t]))
    return EliminationPlan(tuple(order), tuple(sizes[k] for k in order), n_eliminated)


def _is_diagonal(block: sp.csr_array) -> bool:
    coo = block.tocoo()
    return bool(np.all(coo.row[coo.data != 0] == coo.col[coo.data != 0]))


class Factor:
    """Block elimination of a symmetric positive definite ``H`` laid out by a plan.

    Parameters
    ----------
    H
        ``Lambda' Z' W Z Lambda + I`` in the plan's layout (CSR).
    plan
        The elimination plan the layout follows.
    """

    def __init__(self, H: sp.csr_array, plan: EliminationPlan) -> None:
        self.size = H.shape[0]
        self._steps: list[tuple[int, np.ndarray, sp.csr_array]] = []
        logdet = 0.0
        S = H
        for m in plan.sizes[: plan.n_eliminated]:
            d = S[:m, :m].diagonal()
            B = S[:m, m:].tocsr()
            B.eliminate_zeros()
            C = S[m:, m:]
            logdet += float(np.sum(np.log(d)))
            self._steps.append((m, d, B))
            S = (C - B.T @ sp.diags_array(1.0 / d) @ B).tocsr()
        self._leaf_size = S.shape[0]
        self._leaf: tuple[np.ndarray, bool] | None = None
        if self._leaf_size:
            self._leaf = sla.cho_factor(S.toarray(), lower=True)
            logdet += 2.0 * float(np.sum(np.log(np.diag(self._leaf[0]))))
        self.logdet = logdet

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """``H^{-1} rhs`` for a vector or a matrix of right-hand sides."""
        r = np.array(rhs, dtype=float, copy=True)
        kept: list[np.ndarray] = []
        for m, d, B in self._steps:
            r1 = r[:m]
            scaled = r1 / d if r1.ndim == 1 else r1 / d[:, None]
            kept.append(r1)
            r = r[m:] - B.T @ scaled
        x = sla.cho_solve(self._leaf, r) if self._leaf is not None else r
        for (_m, d, B), r1 in zip(reversed(self._steps), reversed(kept), strict=True):
            top = r1 - B @ x
            top = top / d if top.ndim == 1 else top / d[:, None]
            x = np.concatenate([top, x])
        return x

    def selected_inverse(self) -> sp.csr_array:
        """Entries of ``H^{-1}`` on (at least) the sparsity pattern of ``H``."""
        if self._leaf is not None:
            sigma = sp.csr_array(sla.cho_solve(self._leaf, np.eye(self._leaf_size)))
        else:
            sigma = sp.csr_array((0, 0))
        for _m, d, B in reversed(self._steps):
            if sigma.shape[0] == 0:
                sigma = sp.diags_array(1.0 / d).tocsr()
                continue
            pattern = B.copy()
            pattern.data[:] = 1.0
            inv_d = sp.diags_array(-1.0 / d)
            X = (inv_d @ pattern.multiply(B @ sigma)).tocsr()
            diag11 = 1.0 / d - np.asarray(X.multiply(B).sum(axis=1)).ravel() / d
            sigma = sp.block_array([[sp.diags_array(diag11), X], [X.T, sigma]], format="csr")
        sigma.sum_duplicates()
        sigma.sort_indices()
        return sigma


def _lookup(
    matrix: sp.csr_array, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n_cols = matrix.shape[1]
    row_of = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))
    keys = row_of * n_cols + matrix.indices.astype(np.int64)
    wanted = rows.astype(np.int64) * n_cols + cols.astype(np.int64)
    pos = np.minimum(np.searchsorted(keys, wanted), max(keys.size - 1, 0))
    found = keys[pos] == wanted if keys.size else np.zeros(wanted.size, dtype=bool)
    return pos, found


def entries(matrix: sp.csr_array, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Values ``matrix[rows[i], cols[i]]`` of a CSR array with sorted indices (0 where absent)."""
    pos, found = _lookup(matrix, rows, cols)
    return np.where(found, matrix.data[pos], 0.0)


def slots_of(matrix: sp.csr_array, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Positions in ``matrix.data`` of the entries ``(rows[i], cols[i])`` (all must exist)."""
    pos, found = _lookup(matrix, rows, cols)
    if not np.all(found):
        raise ValueError("entries outside the sparsity pattern")
    return pos
