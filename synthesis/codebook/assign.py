"""Classify new idea units into a codebook's themes, with acceptance thresholds calibrated on the codebook itself.

Pure functions of unit vectors (rows of unit length, the sentence model's, as saved in
the codebook's result). Two ways to choose a unit's theme, measured by
``scripts/bench_codebook.py``:

- ``centre``: the theme whose centre (mean of its cards' vectors) is the most similar;
  the score is that cosine.
- ``knn``: a similarity-weighted vote of the unit's K nearest cards of the codebook; the
  score is the mean cosine to the winning theme's nearest cards (at most K of them).

A unit joins its theme only when its score reaches the theme's threshold: a low quantile
(``QUANTILE``) of the same score computed for each of the theme's own cards, leave-one-out
(the card left out of the centre, or of its neighbours), so that a theme of tight wording
asks more of a newcomer than a broad one. Themes with fewer than ``MIN_CALIBRATION`` cards
take the quantile of all the category's cards. What joins no theme is left to the
clustering of new themes.

Measured by scripts/bench_codebook.py (ARI against the reference themes; isolated ideas
count as one group). makeorg_themes_fr, themes built on one half and applied to the other,
mean of 5 seeds: kNN 0.398 with quantile 0.02 (5.8 % of cards to new themes), 0.387 with
0.05 (9.0 %), centre 0.376 (0.05); the half clustered from scratch 0.393. Accepting every
unit gives about the same (the threshold keeps the themes pure: ARI 0.44-0.48 on accepted
units). k = 7 was the best of 5, 7, 10, 15, 25 (differences within 0.02). On workshop-sized
sets the codebook carries less: the demo split by groups, 0.13-0.15 against 0.17-0.27 from
scratch, and halves of ~43 makeorg texts 0.32 against 0.40, with 15-20 % of the cards in
new themes; mixing lemma TF-IDF into the vectors (as the clustering does) did not help there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CENTRE, KNN = "centre", "knn"
METHODS = (CENTRE, KNN)
#: The share of a theme's own cards (leave-one-out) that would be turned away by its threshold.
QUANTILE = 0.02
#: Themes with fewer cards than this borrow the category's pooled threshold.
MIN_CALIBRATION = 5
#: Neighbours of the ``knn`` method.
K_NEIGHBOURS = 7
#: Threshold when a category has no theme of two cards to calibrate on.
FALLBACK_THRESHOLD = 0.5


@dataclass(frozen=True)
class CategoryCodebook:
    """One category of the codebook, ready to classify into."""

    theme_ids: list[str]
    #: (m, d) the vectors of the codebook's cards in a theme, and (m,) the index of their theme in ``theme_ids``.
    member_vectors: np.ndarray
    member_themes: np.ndarray
    method: str
    #: (k,) the least score for a unit to join each theme.
    thresholds: np.ndarray

    @property
    def centres(self) -> np.ndarray:
        return _centres(self.member_vectors, self.member_themes, len(self.theme_ids))


@dataclass(frozen=True)
class Classified:
    #: (n,) index into ``theme_ids`` of each unit's best theme, and its score there.
    best: np.ndarray
    score: np.ndarray
    #: (n,) bool: the score reaches the theme's threshold.
    accepted: np.ndarray


def category_codebook(theme_ids: list[str], members: list[np.ndarray], *, method: str = KNN, quantile: float = QUANTILE) -> CategoryCodebook:
    """``members[i]``: (n_i, d) vectors of the cards of theme ``theme_ids[i]``."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    vectors = _unit_rows(np.concatenate(members)) if members else np.zeros((0, 0))
    themes = np.concatenate([np.full(len(m), i) for i, m in enumerate(members)]) if members else np.zeros(0, dtype=int)
    own = _leave_one_out_scores(vectors, themes, len(theme_ids), method)
    thresholds = _thresholds(own, themes, len(theme_ids), quantile)
    return CategoryCodebook(list(theme_ids), vectors, themes.astype(int), method, thresholds)


def classify(vectors: np.ndarray, codebook: CategoryCodebook) -> Classified:
    """Each unit's best theme of the codebook, its score, and whether it is accepted there."""
    x = _unit_rows(np.asarray(vectors, dtype=float))
    if len(x) == 0 or not codebook.theme_ids:
        empty = np.zeros(len(x))
        return Classified(empty.astype(int), empty, np.zeros(len(x), dtype=bool))
    if codebook.method == CENTRE:
        scores = x @ codebook.centres.T
        best = scores.argmax(axis=1)
        score = scores[np.arange(len(x)), best]
    else:
        best, score = _knn(x @ codebook.member_vectors.T, codebook.member_themes, len(codebook.theme_ids))
    return Classified(best, score, score >= codebook.thresholds[best])


def _leave_one_out_scores(vectors: np.ndarray, themes: np.ndarray, k: int, method: str) -> np.ndarray:
    """(m,) each card's score for its own theme, computed without it; NaN for a theme's only card."""
    scores = np.full(len(vectors), np.nan)
    if method == CENTRE:
        for theme in range(k):
            rows = np.flatnonzero(themes == theme)
            if len(rows) < 2:
                continue
            others = vectors[rows].sum(axis=0) - vectors[rows]  # each row: the theme's sum without that card
            norms = np.linalg.norm(others, axis=1)
            scores[rows] = np.einsum("ij,ij->i", vectors[rows], others) / np.where(norms > 0, norms, 1.0)
        return scores
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    for row in range(len(vectors)):
        same = np.flatnonzero(themes == themes[row])
        same = same[same != row]
        if len(same):
            scores[row] = _theme_score(similarity[row, same])
    return scores


def _thresholds(own: np.ndarray, themes: np.ndarray, k: int, quantile: float) -> np.ndarray:
    known = own[~np.isnan(own)]
    pooled = float(np.quantile(known, quantile)) if len(known) else FALLBACK_THRESHOLD
    thresholds = np.full(k, pooled)
    for theme in range(k):
        values = own[(themes == theme) & ~np.isnan(own)]
        if len(values) >= MIN_CALIBRATION:
            thresholds[theme] = float(np.quantile(values, quantile))
    return thresholds


def _knn(similarity: np.ndarray, member_themes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, m) similarities to the codebook's cards -> each unit's voted theme and its score there."""
    n_neighbours = min(K_NEIGHBOURS, similarity.shape[1])
    nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :n_neighbours]
    best, score = np.zeros(len(similarity), dtype=int), np.zeros(len(similarity))
    for row in range(len(similarity)):
        votes = np.bincount(member_themes[nearest[row]], weights=np.clip(similarity[row, nearest[row]], 0, None), minlength=k)
        best[row] = int(votes.argmax())
        score[row] = _theme_score(similarity[row, member_themes == best[row]])
    return best, score


def _theme_score(similarities: np.ndarray) -> float:
    """Mean of the (at most K_NEIGHBOURS) highest similarities to one theme's cards."""
    top = np.sort(similarities)[::-1][:K_NEIGHBOURS]
    return float(top.mean())


def _centres(vectors: np.ndarray, themes: np.ndarray, k: int) -> np.ndarray:
    return _unit_rows(np.stack([vectors[themes == theme].mean(axis=0) for theme in range(k)])) if k else np.zeros((0, vectors.shape[-1]))


def _unit_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    norms = np.linalg.norm(x, axis=1, keepdims=True) if x.ndim == 2 and len(x) else np.ones((len(x), 1))
    return x / np.where(norms > 0, norms, 1.0)
