"""Summaries of large categories without n x n work: near-duplicates, label candidates and quotes.

``summarise`` calls these past a size (see its ``LARGE_*`` constants); below it, its own
code runs unchanged, so small runs keep their exact output.

- ``near_duplicates``: the same answer as ``summarise.find_near_duplicates`` (a unit is a
  near-duplicate of the first earlier unit, itself not a duplicate, with the same
  comparison key, or with the same set of content lemmas and a cosine of at least the
  threshold), found in buckets of equal key and equal lemma set: no n x n similarity
  matrix (100,000 texts: 40 GB as float32).
- ``most_written``: a large theme's label candidates are its ``cap`` phrases written
  in the most units (every distinct phrase of 20,000 cards would otherwise be parsed,
  embedded and checked against every card);
- ``held_counts``: how many units hold each candidate lemma or one of its family, through
  an index instead of comparing every lemma with every unit.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np


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


def most_written(phrases: dict[str, object], cleaned: Sequence, indices: np.ndarray, cap: int) -> dict[str, object]:
    """The cap phrases (casefolded text -> phrase) of ``phrases`` written in the most units of the theme, in their order."""
    written_in: Counter = Counter()
    for i in indices:
        written_in.update({phrase.text.casefold() for phrase in cleaned[i].phrases} & phrases.keys())
    order = {key: rank for rank, key in enumerate(phrases)}
    kept = set(sorted(phrases, key=lambda key: (-written_in[key], order[key]))[:cap])
    return {key: phrase for key, phrase in phrases.items() if key in kept}


def held_counts(lemmas: set[str], member_lemmas: Sequence[set[str]]) -> dict[str, int]:
    """Lemma -> number of units holding it or one of its family (``labels.holds``), through a ``LemmaIndex``."""
    index = LemmaIndex(member_lemmas)
    return {lemma: len(index.holding(lemma)) for lemma in lemmas}


class LemmaIndex:
    """A theme's units by the lemmas they hold: which units hold a lemma's family (``labels.holds``) or carry a
    label (``labels.carries``), without comparing every lemma with every unit (a 1,000-unit theme's heading
    once took seconds).

    Two lemmas of one family share the first five letters of their bare form (see
    ``labels.same_family``), so only the units' lemmas with that prefix are compared.
    """

    def __init__(self, member_lemmas: Sequence[set[str]]):
        from synthesis.summarise.labels import bare

        self.n_units = len(member_lemmas)
        self._postings: dict[str, list[int]] = {}
        for row, unit in enumerate(member_lemmas):
            for lemma in unit:
                self._postings.setdefault(lemma, []).append(row)
        self._by_prefix: dict[str, list[str]] = {}
        for lemma in self._postings:
            self._by_prefix.setdefault(bare(lemma)[:5], []).append(lemma)
        self._holding: dict[str, frozenset[int]] = {}

    def __len__(self) -> int:
        return self.n_units

    def holding(self, lemma: str) -> frozenset[int]:
        """The units (by position) holding the lemma or one of its family."""
        if lemma not in self._holding:
            from synthesis.summarise.labels import bare, same_family

            family = [other for other in self._by_prefix.get(bare(lemma)[:5], []) if same_family(lemma, other)]
            self._holding[lemma] = frozenset().union(*(self._postings[other] for other in family))
        return self._holding[lemma]

    def carrying(self, label_lemmas: Sequence[str]) -> set[int]:
        """The units (by position) holding at least half of the label's content lemmas, rounded up (``labels.carries``)."""
        wanted = set(label_lemmas)
        held = Counter(row for lemma in wanted for row in self.holding(lemma))
        need = math.ceil(len(wanted) / 2)
        return {row for row, count in held.items() if count >= need}
