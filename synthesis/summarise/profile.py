"""Segment profile of a survey's themes: which départements, types of structure… raise a theme more, or less, than the others.

For a theme, a segment column and one of its values (« Département » = « Hérault »), the
question's respondents make a 2×2 table: in the theme or not, with the value or not. Each
respondent counts once (their answers may feed the theme with several sentences). The
expected count is the theme's respondents × the value's share of the question's respondents.

Test: χ² (with Yates' correction) when every expected cell of the table is at least
:data:`CHI2_MIN_EXPECTED`, else Fisher's exact test; both two-sided. A segment value left
empty in the export (« non renseigné ») is counted but never tested.

Multiple comparisons and small counts: the tests of one question and one segment column
form a family (8 themes × 13 départements = 104 tests in the demo survey). Some tables
cannot be significant whatever their content: their margins are too small, the most
lopsided table they allow still has a large p-value. Tarone's rule sets them aside: with
``m(k)`` the number of tables whose smallest attainable p-value is below ALPHA / k, the
family keeps the ``m(K)`` tables for the smallest K with ``m(K) <= K``; the others are
reported « effectifs trop faibles pour un test », with no p-value. The kept tables are
tested and their p-values adjusted by Benjamini–Hochberg (Gilbert's Tarone-BH, 2005): a
value is said over- or under-represented when its adjusted p-value is below ALPHA, so at
most ALPHA of the values named are expected to be false alarms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy.stats import chi2_contingency, false_discovery_control, fisher_exact

from synthesis.cards import UNKNOWN_SEGMENT, Card
from synthesis.result import SegmentShare, Theme

#: False discovery rate of the profile over one question's tests.
ALPHA = 0.05
#: χ² is used when every expected cell of the 2×2 table reaches this; Fisher's exact test otherwise.
CHI2_MIN_EXPECTED = 5.0


def profile_themes(themes: Sequence[Theme], cards: Sequence[Card], segments: Sequence[str]) -> None:
    """Set ``theme.profile`` for every ranked theme of one question (``cards``: the question's answers)."""
    respondents = _respondent_values(cards, segments)
    if not respondents or not segments:
        return
    in_theme = {}
    for theme in themes:
        if not theme.isolated:
            members = set(theme.card_ids)
            in_theme[theme.id] = {card.group for card in cards if card.id in members}
    shares = {theme_id: [] for theme_id in in_theme}
    for segment in segments:
        family = [(theme_id, len(shares[theme_id]) + i, share, smallest)
                  for theme_id, members in in_theme.items()
                  for i, (share, smallest) in enumerate(_segment_shares(members, respondents, segment))]
        done = _test_family(family, {theme_id: len(members) for theme_id, members in in_theme.items()}, len(respondents))
        for theme_id, i, _, _ in family:
            shares[theme_id].append(done[(theme_id, i)])
    for theme in themes:
        theme.profile = shares.get(theme.id, [])


def _respondent_values(cards: Sequence[Card], segments: Sequence[str]) -> dict[str, dict[str, str]]:
    """Respondent -> segment -> value (the loader already settled one value per respondent)."""
    values: dict[str, dict[str, str]] = {}
    for card in cards:
        values.setdefault(card.group, {segment: card.segment(segment) or UNKNOWN_SEGMENT for segment in segments})
    return values


def _segment_shares(in_theme: set[str], respondents: dict[str, dict[str, str]], segment: str) -> list[tuple[SegmentShare, float]]:
    """Each value's share with the smallest p-value its margins allow (1.0 when never tested)."""
    total, n_theme = len(respondents), len(in_theme)
    counts: dict[str, list[int]] = {}  # value -> [respondents of the question, of the theme]
    for respondent, values in respondents.items():
        count = counts.setdefault(values[segment], [0, 0])
        count[0] += 1
        count[1] += respondent in in_theme
    shares = []
    for value in sorted(counts, key=lambda v: (-counts[v][0], v.casefold())):
        with_value, observed = counts[value]
        share = SegmentShare(segment, value, observed, round(n_theme * with_value / total, 3), with_value)
        shares.append((share, 1.0 if value == UNKNOWN_SEGMENT else _smallest_p(n_theme, with_value, total)))
    return shares


def _smallest_p(n_theme: int, with_value: int, total: int) -> float:
    """The smallest two-sided p-value any table with these margins could have (1.0 for a degenerate table)."""
    if min(n_theme, with_value) == 0 or max(n_theme, with_value) == total:
        return 1.0
    lowest, highest = max(0, n_theme + with_value - total), min(n_theme, with_value)
    return min(_fisher(k, n_theme, with_value, total) for k in (lowest, highest))


def _test(share: SegmentShare, n_theme: int, total: int) -> tuple[str, float]:
    table = _table(share.observed, n_theme, share.respondents, total)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    if expected.min() >= CHI2_MIN_EXPECTED:
        return "chi2", float(chi2_contingency(table, correction=True).pvalue)
    return "fisher", _fisher(share.observed, n_theme, share.respondents, total)


def _table(observed: int, n_theme: int, with_value: int, total: int) -> np.ndarray:
    return np.array([[observed, n_theme - observed], [with_value - observed, total - n_theme - with_value + observed]])


def _fisher(observed: int, n_theme: int, with_value: int, total: int) -> float:
    return float(fisher_exact(_table(observed, n_theme, with_value, total)).pvalue)


def tarone_testable(smallest: Sequence[float], alpha: float = ALPHA) -> list[bool]:
    """Which tests of a family can be significant at all: Tarone's K is the smallest k with m(k) <= k."""
    for k in range(1, len(smallest) + 1):
        kept = [p < alpha / k for p in smallest]
        if sum(kept) <= k:
            return kept
    return [False] * len(smallest)


def _test_family(family: list[tuple[str, int, SegmentShare, float]], n_theme: dict[str, int], total: int) -> dict[tuple[str, int], SegmentShare]:
    """One question × one segment column: Tarone's testable tables, tested, Benjamini–Hochberg adjusted."""
    testable = tarone_testable([smallest for *_, smallest in family])
    tested = [(theme_id, i, share, *_test(share, n_theme[theme_id], total))
              for (theme_id, i, share, _), keep in zip(family, testable) if keep]
    done = {(theme_id, i): share for theme_id, i, share, _ in family}
    if not tested:
        return done
    adjusted = false_discovery_control([p for *_, p in tested], method="bh")
    for (theme_id, i, share, test, p_value), q_value in zip(tested, adjusted):
        direction = ("+" if share.observed > share.expected else "-") if q_value < ALPHA else ""
        done[(theme_id, i)] = replace(share, test=test, p_value=round(p_value, 6), q_value=round(float(q_value), 6), direction=direction)
    return done
