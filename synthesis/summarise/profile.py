"""Segment profile of a survey's themes: which départements, types of structure… raise a theme more, or less, than the others.

For a theme, a segment column and one of its values (« Département » = « Hérault »), the
question's respondents make a 2×2 table: in the theme or not, with the value or not. Each
respondent counts once (their answers may feed the theme with several sentences). The
expected count is the theme's respondents × the value's share of the question's respondents.

Test: χ² (with Yates' correction) when every expected cell of the table is at least
:data:`CHI2_MIN_EXPECTED`, else Fisher's exact test; both two-sided. Too small for a test:
when even the most lopsided table these margins allow would not reach :data:`ALPHA`
(Fisher's p-value at both extremes), no test can conclude, so none is run and the report
says « effectifs trop faibles » instead of a p-value. A segment value left empty in the
export (« non renseigné ») is counted but never tested.

Multiple comparisons: a question has themes × segment values tests (10 × 13 = 130 in a
survey of the 13 départements). The p-values of all the question's tests are adjusted
together by Benjamini–Hochberg, and a value is said over- or under-represented when its
adjusted p-value is below ALPHA: at most ALPHA of the values named are expected to be
false alarms. Tables too small to be tested are left out of the family (Tarone's
argument: they could not be significant, so counting them would only cost power).
"""

from __future__ import annotations

from collections.abc import Sequence

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
    shares_by_theme = {}
    for theme in themes:
        if theme.isolated:
            continue
        members = set(theme.card_ids)
        in_theme = {card.group for card in cards if card.id in members}
        shares_by_theme[theme.id] = [share for segment in segments for share in _segment_shares(in_theme, respondents, segment)]
    _mark_significant(shares_by_theme)
    for theme in themes:
        theme.profile = shares_by_theme.get(theme.id, [])


def _respondent_values(cards: Sequence[Card], segments: Sequence[str]) -> dict[str, dict[str, str]]:
    """Respondent -> segment -> value (the loader already settled one value per respondent)."""
    values: dict[str, dict[str, str]] = {}
    for card in cards:
        values.setdefault(card.group, {segment: card.segment(segment) or UNKNOWN_SEGMENT for segment in segments})
    return values


def _segment_shares(in_theme: set[str], respondents: dict[str, dict[str, str]], segment: str) -> list[SegmentShare]:
    total, n_theme = len(respondents), len(in_theme)
    counts: dict[str, list[int]] = {}  # value -> [respondents of the question, of the theme]
    for respondent, values in respondents.items():
        count = counts.setdefault(values[segment], [0, 0])
        count[0] += 1
        count[1] += respondent in in_theme
    shares = []
    for value in sorted(counts, key=lambda v: (-counts[v][0], v.casefold())):
        with_value, observed = counts[value]
        expected = n_theme * with_value / total
        test, p_value = ("", None) if value == UNKNOWN_SEGMENT else _test(observed, n_theme, with_value, total)
        shares.append(SegmentShare(segment, value, observed, round(expected, 3), with_value, test, p_value))
    return shares


def _test(observed: int, n_theme: int, with_value: int, total: int) -> tuple[str, float | None]:
    """("chi2" or "fisher", two-sided p-value), or ("", None) when no table with these margins could be significant."""
    if min(n_theme, with_value) == 0 or max(n_theme, with_value) == total:
        return "", None
    lowest, highest = max(0, n_theme + with_value - total), min(n_theme, with_value)
    if min(_fisher(k, n_theme, with_value, total) for k in (lowest, highest)) >= ALPHA:
        return "", None
    table = _table(observed, n_theme, with_value, total)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    if expected.min() >= CHI2_MIN_EXPECTED:
        return "chi2", float(chi2_contingency(table, correction=True).pvalue)
    return "fisher", _fisher(observed, n_theme, with_value, total)


def _table(observed: int, n_theme: int, with_value: int, total: int) -> np.ndarray:
    return np.array([[observed, n_theme - observed], [with_value - observed, total - n_theme - with_value + observed]])


def _fisher(observed: int, n_theme: int, with_value: int, total: int) -> float:
    return float(fisher_exact(_table(observed, n_theme, with_value, total)).pvalue)


def _mark_significant(shares_by_theme: dict[str, list[SegmentShare]]) -> None:
    """Benjamini–Hochberg over every tested share of the question; direction set where the adjusted p < ALPHA."""
    tested = [(theme_id, i) for theme_id, shares in shares_by_theme.items() for i, share in enumerate(shares) if share.p_value is not None]
    if not tested:
        return
    adjusted = false_discovery_control([shares_by_theme[t][i].p_value for t, i in tested], method="bh")
    for (theme_id, i), q_value in zip(tested, adjusted):
        share = shares_by_theme[theme_id][i]
        direction = ("+" if share.observed > share.expected else "-") if q_value < ALPHA else ""
        shares_by_theme[theme_id][i] = SegmentShare(
            share.segment, share.value, share.observed, share.expected, share.respondents, share.test,
            round(share.p_value, 6), round(float(q_value), 6), direction,
        )
