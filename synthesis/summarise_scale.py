"""Summaries of large categories without n x n work: near-duplicates, label candidates and quotes.

``summarise`` calls these past a size (see its ``LARGE_*`` constants); below it, its own
code runs unchanged, so small runs keep their exact output.

- ``near_duplicates``: the same answer as ``summarise.find_near_duplicates`` (a unit is a
  near-duplicate of the first earlier unit, itself not a duplicate, with the same
  comparison key, or with the same set of content lemmas and a cosine of at least the
  threshold), found in buckets of equal key and equal lemma set: no n x n similarity
  matrix (100,000 texts: 40 GB as float32).
- ``phrase_candidates``: a large theme's label candidates are its ``cap`` phrases
  written in the most cards (every distinct phrase of 20,000 cards would each be
  embedded and checked against every card); support is counted on a sparse
  card x lemma incidence matrix.
- ``select_quotes``: the same maximal-marginal-relevance choice as
  ``summarise.select_quotes``, with the scores of the whole pool as one array.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse


def near_duplicates(cleaned: Sequence, vectors: np.ndarray, threshold: float) -> list[int | None]:
    """For each text, the index of the first earlier non-duplicate text with the same wording (see module docstring)."""
    result: list[int | None] = [None] * len(cleaned)
    first_free_by_key: dict[str, int] = {}  # the first text of a key that is not itself a duplicate
    roots_by_lemmas: dict[frozenset, list[int]] = {}  # texts of a lemma set that are not duplicates, in order
    for i, text in enumerate(cleaned):
        candidates = []
        if text.key in first_free_by_key:
            candidates.append(first_free_by_key[text.key])
        roots = roots_by_lemmas.setdefault(frozenset(text.lemmas), [])
        if roots:
            close = np.flatnonzero(vectors[roots] @ vectors[i] >= threshold)
            if close.size:
                candidates.append(roots[int(close[0])])
        if candidates:
            result[i] = min(candidates)
            continue
        first_free_by_key.setdefault(text.key, i)
        roots.append(i)
    return result


def phrase_candidates(cleaned: Sequence, indices: np.ndarray, min_words: int, max_words: int, cap: int) -> list[tuple[object, int]]:
    """(phrase, number of the theme's cards holding all its lemmas) for the cap phrases written in the most cards."""
    written_in: Counter = Counter()
    phrase_of: dict[str, object] = {}
    for i in indices:
        for phrase in {p.text.casefold(): p for p in cleaned[i].phrases}.values():
            if min_words <= len(phrase.text.split()) <= max_words:
                key = phrase.text.casefold()
                phrase_of.setdefault(key, phrase)
                written_in[key] += 1
    first_seen = {key: rank for rank, key in enumerate(phrase_of)}
    kept = sorted(written_in, key=lambda key: (-written_in[key], first_seen[key]))[:cap]
    kept.sort(key=first_seen.__getitem__)  # the order summarise's own candidates come in
    vocabulary = {lemma: j for j, lemma in enumerate(sorted({lemma for key in kept for lemma in phrase_of[key].lemmas}))}
    rows, cols = [], []
    for row, i in enumerate(indices):
        for lemma in set(cleaned[i].lemmas) & vocabulary.keys():
            rows.append(row)
            cols.append(vocabulary[lemma])
    incidence = sparse.csc_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(indices), len(vocabulary)))
    out = []
    for key in kept:
        columns = sorted({vocabulary[lemma] for lemma in phrase_of[key].lemmas})
        holding = np.asarray(incidence[:, columns].sum(axis=1)).ravel() == len(columns)
        out.append((phrase_of[key], int(holding.sum())))
    return out


def select_quotes(indices: np.ndarray, vectors: np.ndarray, fit: np.ndarray, units: Sequence, duplicates: Sequence[int | None],
                  n_quotes: int, *, diversity: float, new_group_bonus: float, terse_penalty: float, is_terse) -> list[int]:
    """``summarise.select_quotes`` with vectorised scores: central, unlike the quotes chosen, spread over groups."""
    inside = set(indices.tolist())
    pool = np.array([i for i in sorted(inside) if duplicates[i] is None or duplicates[i] not in inside], dtype=int)
    if not len(pool):
        return []
    _, group_of = np.unique([units[i].group for i in pool], return_inverse=True)
    group_of = group_of.ravel()
    base = (1 - diversity) * fit[pool] - np.array([terse_penalty if is_terse(units[i].text) else 0.0 for i in pool])
    pool_vectors = vectors[pool]
    redundancy = np.full(len(pool), -np.inf)
    quoted = np.zeros(group_of.max() + 1, dtype=bool)
    available = np.ones(len(pool), dtype=bool)
    chosen: list[int] = []
    while len(chosen) < min(n_quotes, len(pool)):
        score = base - diversity * (redundancy if chosen else 0.0) + np.where(quoted[group_of], 0.0, new_group_bonus)
        score[~available] = -np.inf
        best = int(np.argmax(score))  # ties: the smallest unit index, as in summarise
        chosen.append(int(pool[best]))
        available[best] = False
        quoted[group_of[best]] = True
        redundancy = np.maximum(redundancy, pool_vectors @ pool_vectors[best])
    return chosen
