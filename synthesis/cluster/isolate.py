"""Isolated ideas: the asides a facilitator leaves out of the themes (« Idées isolées », label -1).

A text is set aside when either
- it is far from every theme: its best cosine to a theme centroid falls below the lower
  Tukey fence (Q1 - 1.5 IQR) of all texts' cosine to their own centroid; or
- no other text shares it: the mean cosine to its ASIDE_NEIGHBOURS nearest texts falls
  below the lower fence (Q1 - ASIDE_FENCE IQR) of that figure over the category. A theme
  always takes in its nearest texts, so the first rule alone misses a lone joke or
  aside that sits between themes (the demo's café, parking, croissants).
A theme is never emptied by isolation, and below 10 texts nobody is isolated.
"""

from __future__ import annotations

import numpy as np

from synthesis.cluster.partition import centroids
from synthesis.cluster.views import KNN_BLOCK

TUKEY = 1.5  # far-from-every-theme fence: Q1 - TUKEY * IQR of the fit distribution
ASIDE_NEIGHBOURS = 3
ASIDE_FENCE = 1.0  # no-one-shares-it fence: Q1 - ASIDE_FENCE * IQR of the neighbour closeness
MIN_TEXTS = 10  # a fence needs a distribution


def fit_and_isolate(x: np.ndarray, labels: np.ndarray, isolate: bool) -> tuple[np.ndarray, np.ndarray]:
    """(n, d) unit rows, (n,) theme labels -> (labels with isolated ideas at -1, fit (n,) in [0, 1])."""
    themes, cents = centroids(x, labels)
    sims = x @ cents.T  # (n, k)
    own = sims[np.arange(len(x)), np.searchsorted(themes, labels)]
    best = sims.max(axis=1)
    labels = labels.copy()
    if isolate and len(x) >= MIN_TEXTS:
        # Compared at 1e-9: BLAS computes the rows of a product in blocks of different kernels, so copies of one
        # text can differ in the last bits, and with no spread the fence is their value (seen: 4 of 30 copies set aside).
        own_, best_ = np.round(own, 9), np.round(best, 9)
        closeness = np.round(neighbour_closeness(x, ASIDE_NEIGHBOURS), 9)
        aside = (best_ < lower_fence(own_, TUKEY)) | (closeness < lower_fence(closeness, ASIDE_FENCE))
        labels[spare_every_theme(aside, labels, themes)] = -1
    fit = np.where(labels >= 0, own, best)
    return labels, np.clip(fit, 0.0, 1.0)


def spare_every_theme(aside: np.ndarray, labels: np.ndarray, themes: np.ndarray) -> np.ndarray:
    """The texts to set aside, less those of a theme that would lose every text: isolation never empties a theme."""
    aside = aside.copy()
    for theme in themes:
        members = labels == theme
        if aside[members].all():
            aside[members] = False
    return aside


def lower_fence(values: np.ndarray, factor: float) -> float:
    """Tukey's lower fence Q1 - factor x IQR."""
    q1, q3 = np.percentile(values, [25, 75])
    return float(q1 - factor * (q3 - q1))


def neighbour_closeness(x: np.ndarray, k: int) -> np.ndarray:
    """(n, d) unit rows -> (n,) mean cosine to each row's k nearest other rows (a copy of a text counts)."""
    n = len(x)
    k = min(k, n - 1)
    out = np.empty(n)
    for start in range(0, n, KNN_BLOCK):
        s = x[start : start + KNN_BLOCK] @ x.T
        s[np.arange(len(s)), np.arange(start, start + len(s))] = -np.inf
        out[start : start + len(s)] = -np.partition(-s, k - 1, axis=1)[:, :k].mean(axis=1)
    return out
