"""A theme's keywords: its most over-represented lemmas, shown as the words the cards use.

Lemmas are ranked by Dunning's log-likelihood ratio (G²) against the rest of the
category, as in IRaMuTeQ/Alceste profiles. Each is shown by its most frequent
written form in the theme (« variées », not the lemmatiser's « varier »), already
respelled by the clean stage (« connaissance » for « connaisance », « diversité »
for « diversite »), so no keyword is a word nobody wrote.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from synthesis.clean import CleanText

N_KEYWORDS = 6


def specific_keywords(cleaned: Sequence[CleanText], labels: np.ndarray, theme_ids: Sequence[int]) -> dict[int, list[str]]:
    """Per theme, its most over-represented lemmas (G² > 0), each as its most frequent written form."""
    counts = {label: Counter() for label in theme_ids}
    written = {label: {} for label in theme_ids}
    total = Counter()
    for text, label in zip(cleaned, labels.tolist()):
        lemma_set = set(text.lemmas)  # a card counts once per lemma: one card shouting "OT OT" is one voice
        total.update(lemma_set)
        if label in counts:
            counts[label].update(lemma_set)
            for lemma, word in zip(text.lemmas, text.words or text.lemmas):
                written[label].setdefault(lemma, Counter())[word] += 1
    n_total = len(cleaned)
    keywords = {}
    for label in theme_ids:
        n_theme = int((labels == label).sum())
        scored = []
        for lemma, inside in counts[label].items():
            g2 = log_likelihood(inside, n_theme, total[lemma] - inside, n_total - n_theme)
            if g2 > 0:
                scored.append((-g2, -inside, lemma))
        keywords[label] = _distinct([display_form(written[label].get(lemma), lemma) for _, _, lemma in sorted(scored)])[:N_KEYWORDS]
    return keywords


def display_form(forms: Counter | None, lemma: str) -> str:
    """The most frequent written form (ties: the shortest, then alphabetical)."""
    if not forms:
        return lemma
    return min(forms.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]


def _distinct(words: list[str]) -> list[str]:
    seen, out = set(), []
    for word in words:
        if word.casefold() not in seen:
            seen.add(word.casefold())
            out.append(word)
    return out


def log_likelihood(a: int, n_a: int, b: int, n_b: int) -> float:
    """Signed G² of a lemma seen in a of n_a theme cards and b of n_b other cards (> 0: over-represented)."""
    if n_a == 0:
        return 0.0
    expected_rate = (a + b) / max(n_a + n_b, 1)
    cells = [
        (a, n_a * expected_rate),
        (n_a - a, n_a * (1 - expected_rate)),
        (b, n_b * expected_rate),
        (n_b - b, n_b * (1 - expected_rate)),
    ]
    g2 = 2.0 * sum(o * math.log(o / e) for o, e in cells if o > 0 and e > 0)
    sign = 1.0 if a / n_a > expected_rate else -1.0
    return sign * g2
