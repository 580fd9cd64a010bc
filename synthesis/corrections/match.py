"""Stable theme ids across runs: a re-run's themes take the ids of the previous run's themes they continue.

Per category, pairs are taken greedily by decreasing card overlap (Jaccard of
the units both runs share, so new cards do not dilute it), then, for themes
left over, by decreasing cosine between theme centres. A theme with no match
gets a number no earlier run has used: an old correction naming a theme that
has gone can never land on another theme. The « Idées isolées » bucket keeps
its id.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np

from synthesis.result import Placement, Synthesis, Theme

#: Least overlap (Jaccard on the shared units) for a theme to continue a previous one.
MIN_OVERLAP = 0.3
#: Least centre cosine for a theme with too little overlap to continue a previous one.
MIN_CENTRE_SIMILARITY = 0.85


@dataclass(frozen=True)
class Matching:
    #: Theme ids of the previous run (isolated buckets left out).
    previous: int
    #: How many of them a theme of this run continues, by card overlap and by centre similarity.
    by_overlap: int
    by_centre: int

    @property
    def kept_share(self) -> float:
        return (self.by_overlap + self.by_centre) / self.previous if self.previous else 1.0


def match_theme_ids(previous: Synthesis, current: Synthesis, *, by_text: bool = False) -> tuple[Synthesis, Matching]:
    """``current`` with its themes renamed to continue ``previous``'s ids, and how many did.

    ``by_text``: cards are the same when their text is (``synth compare`` of two exports,
    whose ids such as « 12 » recur with other texts), not when their id is.
    """
    keys_before, keys_now = (_text_keys(previous), _text_keys(current)) if by_text else (None, None)
    previous_themes = {c.category: [t for t in c.themes + c.hidden_themes if not t.isolated] for c in previous.categories}
    used = set(previous.former_theme_ids) | {t.id for t in previous.themes()}
    renames: dict[str, str] = {}
    by_overlap = by_centre = 0
    for category in current.categories:
        before = previous_themes.get(category.category, [])
        now = [t for t in category.themes if not t.isolated]
        pairs = _pairs_by_overlap(before, now, keys_before, keys_now)
        by_overlap += len(pairs)
        centre_pairs = _pairs_by_centre(previous, current, [t for t in before if t.id not in pairs],
                                        [t for t in now if t.id not in pairs.values()])
        by_centre += len(centre_pairs)
        pairs.update(centre_pairs)
        renames.update({new: old for old, new in pairs.items()})
        for theme in now:
            if theme.id not in renames:
                renames[theme.id] = _fresh_id(theme.id, used | set(renames.values()))
    matched = _renamed(current, renames)
    matched.former_theme_ids = sorted(used - {t.id for t in matched.themes()})
    n_previous = sum(len(themes) for themes in previous_themes.values())
    return matched, Matching(n_previous, by_overlap, by_centre)


def _text_keys(synthesis: Synthesis) -> dict[str, str]:
    """Unit id -> its text, case and spacing aside."""
    return {unit.id: " ".join(unit.text.casefold().split()) for unit in synthesis.units}


def _pairs_by_overlap(before: list[Theme], now: list[Theme], keys_before: dict[str, str] | None = None,
                      keys_now: dict[str, str] | None = None) -> dict[str, str]:
    """Previous id -> current id, greedily by decreasing Jaccard on the units both runs placed (by text: ``keys_*``)."""
    units_before = {t.id: {keys_before[u] for u in t.unit_ids} if keys_before else set(t.unit_ids) for t in before}
    units_now = {t.id: {keys_now[u] for u in t.unit_ids} if keys_now else set(t.unit_ids) for t in now}
    shared = set().union(*units_before.values()) & set().union(*units_now.values())
    scores = []
    for old in before:
        old_units = units_before[old.id] & shared
        for new in now:
            new_units = units_now[new.id] & shared
            union = len(old_units | new_units)
            if union:
                scores.append((len(old_units & new_units) / union, old.id, new.id))
    return _greedy(scores, MIN_OVERLAP)


def _pairs_by_centre(previous: Synthesis, current: Synthesis, before: list[Theme], now: list[Theme]) -> dict[str, str]:
    if previous.unit_vectors is None or current.unit_vectors is None or not before or not now:
        return {}
    old_centres, new_centres = _centres(previous), _centres(current)
    scores = [(float(old_centres[old.id] @ new_centres[new.id]), old.id, new.id) for old in before for new in now]
    return _greedy(scores, MIN_CENTRE_SIMILARITY)


def _centres(synthesis: Synthesis) -> dict[str, np.ndarray]:
    from synthesis.crossread import theme_centres

    return theme_centres(synthesis.categories, [unit.id for unit in synthesis.units], synthesis.unit_vectors)


def _greedy(scores: list[tuple[float, str, str]], threshold: float) -> dict[str, str]:
    pairs: dict[str, str] = {}
    taken: set[str] = set()
    for score, old, new in sorted(scores, key=lambda s: (-s[0], s[1], s[2])):
        if score < threshold:
            break
        if old not in pairs and new not in taken:
            pairs[old] = new
            taken.add(new)
    return pairs


def _fresh_id(theme_id: str, used: set[str]) -> str:
    """``<category>-NN`` with NN above every number used so far in that category."""
    prefix = theme_id.rsplit("-", 1)[0]
    numbers = [int(m.group(1)) for u in used if (m := re.fullmatch(rf"{re.escape(prefix)}-(\d+)", u))]
    return f"{prefix}-{max(numbers, default=0) + 1:02d}"


def _renamed(synthesis: Synthesis, renames: dict[str, str]) -> Synthesis:
    categories = [
        dataclasses.replace(c, themes=[dataclasses.replace(t, id=renames.get(t.id, t.id)) for t in c.themes])
        for c in synthesis.categories
    ]
    placements = {
        unit_id: dataclasses.replace(p, theme_id=renames.get(p.theme_id, p.theme_id)) for unit_id, p in synthesis.placements.items()
    }
    return dataclasses.replace(synthesis, categories=categories, placements=placements)
