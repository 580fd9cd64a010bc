"""A theme's quotes: cards that illustrate its label, varied, across groups, voted for where possible.

Only units at or above the theme's median on both its fit to the theme and its
closeness to the label are quoted, so no quote is one of the theme's outliers
(« Un jardin partagé devant l'OT » under « Partager nos bonnes pratiques ») nor another
idea of a mixed theme (« Entraide entre structures » under « Apidae »). Among those, maximal marginal relevance picks
units close to the theme and to its label, unlike the quotes already chosen, with a
bonus for a group not quoted yet and for the participants' dot votes. Near-duplicates
of a card already quoted are never quoted again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from synthesis.cards import IdeaUnit
from synthesis.clean import CleanText, normalise_text
from synthesis.result import Quote

#: Cosine similarity above which two cards are taken as the same idea written twice.
DUPLICATE_SIMILARITY = 0.92
#: Past this many units, near-duplicates are found in buckets of equal key or lemmas (same answer, no n x n matrix).
LARGE_CATEGORY = 2000
#: The isolated bucket quotes all its units up to this many (the full list is in cartes.csv).
MAX_ISOLATED_QUOTES = 200
_MMR_DIVERSITY = 0.3
#: Weight of closeness to the label against fit to the theme in a quote's relevance.
_LABEL_WEIGHT = 0.5
#: Score bonus of a quote from a group not quoted yet, so a multi-group theme shows several groups.
_NEW_GROUP_BONUS = 0.1
#: Bonus of a voted card, reached at _VOTES_FOR_FULL_BONUS dot votes.
_VOTE_BONUS, _VOTES_FOR_FULL_BONUS = 0.1, 3
_TERSE_QUOTE_PENALTY = 0.15
#: A small theme keeps two quotable units even when fewer are closer to the label than its median unit.
_FEWEST_QUOTABLE = 2


def find_near_duplicates(cleaned: Sequence[CleanText], vectors: np.ndarray) -> list[int | None]:
    """For each card, the index of the first earlier card with the same idea in near-identical words."""
    if len(cleaned) > LARGE_CATEGORY:  # no n x n similarity matrix (synthesis/summarise/scale.py), same answer
        from synthesis.summarise import scale as summarise_scale

        return summarise_scale.near_duplicates(cleaned, vectors, DUPLICATE_SIMILARITY)
    result: list[int | None] = [None] * len(cleaned)
    if len(cleaned) < 2:
        return result
    similarity = vectors @ vectors.T
    keys = np.array([text.key for text in cleaned], dtype=object)
    for i in range(1, len(cleaned)):
        # Only the few close or same-key cards need the exact check (keeps thousands of cards fast).
        candidates = np.flatnonzero((similarity[i, :i] >= DUPLICATE_SIMILARITY) | (keys[:i] == keys[i]))
        for j in candidates.tolist():
            if result[j] is None and _same_wording(cleaned[i], cleaned[j], similarity[i, j]):
                result[i] = j
                break
    return result


def _same_wording(a: CleanText, b: CleanText, similarity: float) -> bool:
    if a.key == b.key:
        return True
    # High vector similarity alone also matches paraphrases; requiring the same
    # content lemmas keeps this to rewordings of one card ("formations communes !!").
    return similarity >= DUPLICATE_SIMILARITY and set(a.lemmas) == set(b.lemmas)


def select_quotes(
    indices: np.ndarray,
    vectors: np.ndarray,
    fit: np.ndarray,
    units: Sequence[IdeaUnit],
    duplicates: Sequence[int | None],
    n_quotes: int,
    label_vector: np.ndarray | None = None,
) -> list[int]:
    """Up to n_quotes unit indices among those fitting the theme at least as well as its median unit."""
    median = float(np.median(fit[indices])) if len(indices) else 0.0
    pool = [
        i for i in sorted(indices.tolist(), key=lambda i: (-fit[i], i))
        if fit[i] >= median and (duplicates[i] is None or duplicates[i] not in indices)
    ]
    if label_vector is not None and pool:
        pool = _close_to_label(pool, indices, vectors, label_vector)
    relevance = {i: _relevance(i, vectors, fit, units, label_vector) for i in pool}
    chosen: list[int] = []
    while pool and len(chosen) < n_quotes:
        groups_quoted = {units[i].group for i in chosen}
        best = max(pool, key=lambda i: (_mmr_score(i, relevance[i], chosen, groups_quoted, vectors, units), -i))
        chosen.append(best)
        pool.remove(best)
    return chosen


def _close_to_label(pool: list[int], indices: np.ndarray, vectors: np.ndarray, label_vector: np.ndarray) -> list[int]:
    """The pool's units at least as close to the label as the theme's median unit, or its two closest.

    Fit to the theme alone let a mixed theme's other idea illustrate its label
    (« Entraide entre structures » under « Apidae », « Formation continue des conseillers »
    under « Clientèle étrangère »): two quotes that show the heading beat three that do not.
    """
    to_label = vectors[indices] @ label_vector
    median = float(np.median(to_label))
    closeness = dict(zip(indices.tolist(), to_label.tolist()))
    kept = [i for i in pool if closeness[i] >= median - 1e-9]
    if len(kept) >= min(_FEWEST_QUOTABLE, len(pool)):
        return kept
    closest = sorted(pool, key=lambda i: (-closeness[i], i))[:_FEWEST_QUOTABLE]
    return [i for i in pool if i in closest]


def _relevance(i: int, vectors: np.ndarray, fit: np.ndarray, units: Sequence[IdeaUnit], label_vector) -> float:
    """Fit to the theme, closeness to the label, and the card's dot votes."""
    to_label = float(vectors[i] @ label_vector) if label_vector is not None else float(fit[i])
    votes = min(units[i].card.votes or 0, _VOTES_FOR_FULL_BONUS) / _VOTES_FOR_FULL_BONUS
    # A one-word card ("TS", "Motivation !!") says little to a reader of the report.
    terse = _TERSE_QUOTE_PENALTY if len(re.findall(r"\w+", units[i].text)) < 2 else 0.0
    return (1 - _LABEL_WEIGHT) * float(fit[i]) + _LABEL_WEIGHT * to_label + _VOTE_BONUS * votes - terse


def _mmr_score(i: int, relevance: float, chosen: list[int], groups_quoted: set[str], vectors: np.ndarray, units) -> float:
    redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
    new_group = _NEW_GROUP_BONUS if units[i].group not in groups_quoted else 0.0
    return (1 - _MMR_DIVERSITY) * relevance - _MMR_DIVERSITY * redundancy + new_group


def make_quote(unit: IdeaUnit, cleaned: CleanText) -> Quote:
    """The unit as quoted: in sentence case if typed in capitals; with its whole card when it is a segment."""
    text = _sentence_case(cleaned.readable or unit.text)
    segment_of = _sentence_case(normalise_text(unit.card.text)) if unit.segment else ""
    return Quote(unit.card_id, unit.group, text, segment_of=segment_of)


def _sentence_case(text: str) -> str:
    """A quote opens on a capital, as a report prints it (« connaissance fine… » → « Connaissance fine… »).

    A first word with a capital inside (« eBay », « iPhone ») is a name and stays as written.
    """
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    if not first or not first[0].islower() or any(ch.isupper() for ch in first):
        return text
    return text[0].upper() + text[1:]
