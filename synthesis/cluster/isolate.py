"""Isolated ideas: the asides a facilitator leaves out of the themes (« Idées isolées », label -1).

A text is set aside when either
- it is far from every theme: its best cosine to a theme centroid falls below the lower
  Tukey fence (Q1 - 1.5 IQR) of all texts' cosine to their own centroid; or
- no other text shares it: the mean cosine to its ASIDE_NEIGHBOURS nearest texts falls
  below the lower fence (Q1 - ASIDE_FENCE IQR) of that figure over the category. A theme
  always takes in its nearest texts, so the first rule alone misses a lone joke or
  aside that sits between themes (the demo's café, parking, croissants);
- or two weaker signs agree: few texts share it (neighbour closeness below the looser
  fence Q1 - LONELY_FENCE IQR) and its words are far from the export's vocabulary
  (``topicality`` below Q1 - OFF_TOPIC_FENCE IQR of the category). An aside about the
  coffee, the car park or a mascot is phrased like the cards around it, so the sentence
  model alone keeps it close to them; its content words are what give it away.
A theme is never emptied by isolation, and below 10 texts nobody is isolated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from synthesis.cluster.partition import centroids
from synthesis.cluster.views import KNN_BLOCK

TUKEY = 1.5  # far-from-every-theme fence: Q1 - TUKEY * IQR of the fit distribution
ASIDE_NEIGHBOURS = 3
ASIDE_FENCE = 1.0  # no-one-shares-it fence: Q1 - ASIDE_FENCE * IQR of the neighbour closeness
MIN_TEXTS = 10  # a fence needs a distribution
# Both signs of an off-topic aside must hold (measured on the demo's « Idée isolée » cards, makeorg
# workshop draws and off-topic texts slipped into them: scripts/bench_labels.py, scripts/bench_quality.py):
LONELY_FENCE = 0.75  # neighbour closeness below Q1 - LONELY_FENCE x IQR (looser than ASIDE_FENCE alone)
OFF_TOPIC_FENCE = 0.5  # topicality below Q1 - OFF_TOPIC_FENCE x IQR of the category's texts


def fit_and_isolate(
    x: np.ndarray, labels: np.ndarray, isolate: bool, topical: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(n, d) unit rows, (n,) theme labels -> (labels with isolated ideas at -1, fit (n,) in [0, 1]).

    topical: (n,) each text's ``topicality`` (NaN: no word to judge by); None: no off-topic rule.
    """
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
        aside |= off_topic(topical) & (closeness < lower_fence(closeness, LONELY_FENCE))
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


def topicality(lemmas: Sequence[Sequence[str]], word_vectors: dict[str, np.ndarray]) -> np.ndarray:
    """Each text's content lemmas -> (n,) cosine of their mean word vector to the mean vector of the whole vocabulary.

    word_vectors: the export's vocabulary (every category's lemmas) with a static vector each,
    so the centre is what the whole export talks about. Acronyms (« OT », « GT », « ANT ») are
    left out on both sides: they are the field's own jargon, and static vectors know them poorly.
    NaN where a text has no word to judge by (it is never called off-topic then).
    """
    vocabulary = sorted(word for word in word_vectors if not _acronym(word))
    out = np.full(len(lemmas), np.nan)
    if not vocabulary:
        return out
    unit = {word: word_vectors[word] / (np.linalg.norm(word_vectors[word]) or 1.0) for word in vocabulary}
    centre = np.mean([unit[word] for word in vocabulary], axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    for i, text in enumerate(lemmas):
        words = [unit[word] for word in text if word in unit]
        if words:
            mean = np.mean(words, axis=0)
            out[i] = float(mean @ centre) / (np.linalg.norm(mean) or 1.0)
    return out


def off_topic(topical: np.ndarray | None) -> np.ndarray | bool:
    """(n,) topicality -> texts whose words are far from the vocabulary: below Q1 - OFF_TOPIC_FENCE IQR of the texts judged."""
    if topical is None:
        return False
    judged = ~np.isnan(topical)
    if judged.sum() < MIN_TEXTS:
        return np.zeros(len(topical), dtype=bool)
    fence = lower_fence(np.round(topical[judged], 6), OFF_TOPIC_FENCE)
    return judged & (np.round(np.nan_to_num(topical, nan=np.inf), 6) < fence)


def _acronym(word: str) -> bool:
    return word != word.lower()
