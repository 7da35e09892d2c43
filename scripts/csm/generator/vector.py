"""Small vectorized building blocks shared by the table builders."""

from __future__ import annotations

import numpy as np


def expand_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of arange(start, start + count) for every pair."""
    counts = np.asarray(counts, np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(np.asarray(starts, np.int64), counts) + np.arange(total) - offsets


def rank_within(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """0-based rank of each element by `keys` among the elements of its group."""
    order = np.lexsort((keys, groups))
    sorted_groups = groups[order]
    first = np.ones(len(order), bool)
    first[1:] = sorted_groups[1:] != sorted_groups[:-1]
    run_start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    ranks = np.empty(len(order), np.int64)
    ranks[order] = np.arange(len(order)) - run_start
    return ranks


def pick(rng: np.random.Generator, shares: tuple[float, ...] | np.ndarray, n: int) -> np.ndarray:
    """n category indices drawn with the given shares (normalized)."""
    p = np.asarray(shares, float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def pick_rows(rng: np.random.Generator, cumulative: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """A category per element from row-specific cumulative probabilities (last column 1)."""
    u = rng.random(len(rows))
    return (u[:, None] >= cumulative[rows]).sum(axis=1)


def ordinal_scores(latent: np.ndarray, thresholds: np.ndarray, lowest: int) -> np.ndarray:
    """Map a latent score to an ordinal scale by cut points."""
    return lowest + np.searchsorted(thresholds, latent)
