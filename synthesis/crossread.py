"""« Des constats aux engagements »: for each leading weakness, the expectations that answer it
and the contributions that offer to meet it.

A pair is scored by the cosine of the two themes' centres (the mean sentence vector of their
cards) plus a small bonus for the groups that raised both: a group that names a weakness and
then asks for its remedy links the two more surely than wording alone. The strength stays
explainable in one line: « proche par le sens (0,62) · 5 groupes en commun ».

A match is kept when its strength clears a floor and is close to the weakness's best match:
one weakness usually calls for one or two remedies, not a list. Contributions are matched
against the weakness and against the expectations kept for it (the better of the two), since
participants offer what they were asked for as often as what they complained about.

Measured on the demo (scripts/bench_crossread.py) against the pairs a reader makes:
- on the reference themes (the matcher alone), the first expectation is a reader's pair for
  6 weaknesses of 8 and the first contribution for 8 of 8;
- on synth's own themes, which mix several reference themes, 27% of the (weakness card,
  answer card) pairs behind the proposed links are pairs a reader makes, against 23% for
  any link: the reading is only as clean as the themes. Centred centres, nearest-card votes,
  best-pair similarity and centres of each theme's most central cards were tried and did no
  better (25-31% for the first match).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from synthesis.result import CategoryResult, CrossLink, Match, Theme

WEAKNESSES, EXPECTATIONS, CONTRIBUTIONS = "faiblesses", "attentes", "contributions"

#: Weaknesses read (the leading ones, in rank order).
N_WEAKNESSES = 5
#: Bonus per unit of group overlap (Jaccard of the two themes' groups).
GROUP_WEIGHT = 0.10
#: A match is kept when its strength is at least this ...
STRENGTH_FLOOR = 0.40
#: ... and within this margin of the weakness's best match.
MARGIN = 0.06
#: At most this many answers and offers per weakness.
MAX_MATCHES = 2
#: Strength thresholds of « forte » and « moyenne ».
STRONG, MEDIUM = 0.65, 0.55


def theme_centres(categories: Sequence[CategoryResult], unit_ids: Sequence[str], vectors: np.ndarray) -> dict[str, np.ndarray]:
    """Theme id -> unit-length mean of its idea units' sentence vectors (isolated buckets left out)."""
    row = {unit_id: i for i, unit_id in enumerate(unit_ids)}
    centres = {}
    for category in categories:
        for theme in category.themes:
            if theme.isolated or not theme.unit_ids:
                continue
            centre = np.asarray(vectors[[row[u] for u in theme.unit_ids]], dtype=float).mean(axis=0)
            norm = np.linalg.norm(centre)
            centres[theme.id] = centre / norm if norm else centre
    return centres


def cross_read(categories: Sequence[CategoryResult], centres: dict[str, np.ndarray], *, n_weaknesses: int = N_WEAKNESSES) -> list[CrossLink]:
    """The leading weaknesses with their matches; [] when the run lacks weaknesses or both other categories."""
    by_name = {category.category: _ranked(category) for category in categories}
    weaknesses = by_name.get(WEAKNESSES, [])
    expectations, contributions = by_name.get(EXPECTATIONS, []), by_name.get(CONTRIBUTIONS, [])
    if not weaknesses or not (expectations or contributions):
        return []
    links = []
    for weakness in weaknesses[:n_weaknesses]:
        answers = _best(weakness, expectations, centres, lambda theme: _similarity(centres, weakness.id, theme.id))
        targets = [weakness.id] + [match.theme_id for match in answers]
        offers = _best(weakness, contributions, centres, lambda theme: max(_similarity(centres, t, theme.id) for t in targets))
        links.append(CrossLink(weakness.id, weakness.label, list(weakness.groups), answers, offers))
    return links


def match_strength(similarity: float, groups_a: Sequence[str], groups_b: Sequence[str]) -> float:
    union = set(groups_a) | set(groups_b)
    overlap = len(set(groups_a) & set(groups_b)) / len(union) if union else 0.0
    return similarity + GROUP_WEIGHT * overlap


def strength_level(strength: float) -> str:
    return "forte" if strength >= STRONG else "moyenne" if strength >= MEDIUM else "faible"


def _ranked(category: CategoryResult) -> list[Theme]:
    return [theme for theme in category.themes if not theme.isolated]


def _similarity(centres: dict[str, np.ndarray], a: str, b: str) -> float:
    if a not in centres or b not in centres:
        return 0.0
    return float(centres[a] @ centres[b])


def _best(weakness: Theme, candidates: Sequence[Theme], centres, similarity) -> list[Match]:
    scored = []
    for theme in candidates:
        if theme.id not in centres:
            continue
        cosine = similarity(theme)
        strength = match_strength(cosine, weakness.groups, theme.groups)
        shared = [group for group in theme.groups if group in set(weakness.groups)]
        scored.append(Match(theme.id, theme.label, theme.category, round(cosine, 4), shared, round(strength, 4), strength_level(strength)))
    scored.sort(key=lambda match: (-match.strength, match.theme_id))
    if not scored or scored[0].strength < STRENGTH_FLOOR:
        return []
    best = scored[0].strength
    return [match for match in scored[:MAX_MATCHES] if match.strength >= max(STRENGTH_FLOOR, best - MARGIN)]
