"""Summarise stage: clusters -> ranked, labelled themes with quotes and keywords.

Everything here is a pure function of the idea units, their cleaned form, their
vectors and the cluster labels (plus an ``encode`` callable to place candidate
label phrases in the same vector space as the cards). One module per idea:
``labels`` (headings), ``quotes``, ``keywords``, ``ranking`` (order and consensus),
``counts`` (split cards and segments at odds with their category), ``profile`` (surveys:
segments over- or under-represented in a theme).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from synthesis.cards import IdeaUnit, Survey, group_sort_key
from synthesis.clean import CleanText, comparison_key
from synthesis.result import ISOLATED_LABEL, CategoryResult, Theme
from synthesis.summarise.counts import cards_in_several_themes, contradicting_segments
from synthesis.summarise.keywords import N_KEYWORDS, log_likelihood, specific_keywords
from synthesis.summarise.labels import Encode, Label, carries, fragment_reason, label_support, theme_labels
from synthesis.summarise.quotes import DUPLICATE_SIMILARITY, MAX_ISOLATED_QUOTES, find_near_duplicates, make_quote, select_quotes
from synthesis.summarise.profile import profile_themes
from synthesis.summarise.ranking import category_summary, over_represented_group, rank_themes, theme_scope

__all__ = [
    "DUPLICATE_SIMILARITY", "N_KEYWORDS", "CategoryInput", "Encode", "Label", "carries", "category_summary",
    "find_near_duplicates", "fragment_reason", "label_support", "log_likelihood", "over_represented_group",
    "rank_themes", "refresh_survey_category", "select_quotes", "specific_keywords", "summarise_category", "theme_labels", "theme_scope",
]


@dataclass(frozen=True)
class CategoryInput:
    """One category's idea units (cards or card segments) with everything computed about them upstream."""

    category: str
    units: list[IdeaUnit]
    cleaned: list[CleanText]
    vectors: np.ndarray  # (n, d), unit rows
    labels: np.ndarray  # (n,), -1 = isolated
    fit: np.ndarray  # (n,) in [0, 1]


def summarise_category(
    data: CategoryInput, *, all_groups: Sequence[str], encode: Encode, n_quotes: int = 3, id_prefix: str | None = None,
    survey: Survey | None = None,
) -> tuple[CategoryResult, dict[str, str | None]]:
    """Ranked themes for one category, and each unit's near-duplicate (unit id -> earlier unit id).

    Theme ids are ``<id_prefix>-01``...; the pipeline gives each category a prefix unique in the run.
    A ``survey``'s groups are its respondents (``all_groups``: those who answered this question);
    its themes get their segment values and profile, and their scope from the first segment.
    """
    duplicates = find_near_duplicates(data.cleaned, data.vectors)
    theme_ids = sorted(set(data.labels.tolist()) - {-1})
    members = {label: np.flatnonzero(data.labels == label) for label in theme_ids}
    keywords = specific_keywords(data.cleaned, data.labels, theme_ids)
    labels = theme_labels(data.cleaned, data.vectors, data.labels, members, keywords, encode)
    label_vectors = dict(zip(theme_ids, encode([labels[label].text for label in theme_ids]))) if theme_ids else {}
    segment_values = _segment_values([unit.card for unit in data.units], survey)
    themes = [
        _build_theme(data, index_list, labels[label], keywords[label], all_groups, duplicates, n_quotes, label_vectors[label], survey, segment_values)
        for label, index_list in members.items()
    ]
    themes = rank_themes(themes)
    isolated = np.flatnonzero(data.labels == -1)
    if isolated.size:
        bucket = _build_theme(data, isolated, Label(ISOLATED_LABEL, (), 0.0), [], all_groups, duplicates, min(len(isolated), MAX_ISOLATED_QUOTES), None, survey, segment_values)
        bucket.isolated, bucket.scope = True, ""
        themes.append(bucket)
    for rank, theme in enumerate(themes, start=1):
        theme.id = f"{id_prefix or _slug(data.category)}-{'isolees' if theme.isolated else f'{rank:02d}'}"
    n_cards = len({unit.card_id for unit in data.units})
    result = CategoryResult(
        category=data.category,
        themes=themes,
        n_cards=n_cards,
        n_cards_in_several_themes=cards_in_several_themes(themes),
        flags=contradicting_segments(data.units, data.cleaned, data.category),
    )
    if survey is not None:
        result.n_respondents, result.segment_values = len(all_groups), segment_values
        profile_themes(themes, list({unit.card_id: unit.card for unit in data.units}.values()), survey.segments)
    result.summary = category_summary(result, len(all_groups), survey=survey is not None)
    duplicate_ids = {
        data.units[i].id: (data.units[j].id if j is not None else None) for i, j in enumerate(duplicates)
    }
    return result, duplicate_ids


def _segment_values(cards, survey: Survey | None) -> dict[str, list[str]]:
    """Segment column -> its distinct values among ``cards`` (respondents' answers), by name; {} for a workshop."""
    if survey is None:
        return {}
    return {segment: sorted({card.segment(segment) for card in cards}, key=str.casefold) for segment in survey.segments}


def _build_theme(data: CategoryInput, indices: np.ndarray, label: Label, keywords: list[str], all_groups, duplicates, n_quotes: int, label_vector,
                 survey: Survey | None = None, question_segments: dict[str, list[str]] | None = None) -> Theme:
    units = [data.units[i] for i in indices]
    cards = list({unit.card_id: unit.card for unit in units}.values())  # a card split in two counts once
    if label_vector is None:
        quote_indices = sorted(indices.tolist(), key=lambda i: (-data.fit[i], i))[:n_quotes]  # the isolated bucket: every card
    else:
        quote_indices = select_quotes(indices, data.vectors, data.fit, data.units, duplicates, n_quotes, label_vector)
    theme = Theme(
        id="",
        category=data.category,
        label=label.text,
        card_ids=[card.id for card in cards],
        unit_ids=[unit.id for unit in units],
        groups=sorted({card.group for card in cards}, key=group_sort_key),
        n_cards=len(cards),
        votes=sum(card.votes or 0 for card in cards),
        quotes=[make_quote(data.units[i], data.cleaned[i]) for i in quote_indices],
        keywords=keywords,
        label_support=round(label.support, 4),
    )
    if survey is not None:
        _survey_theme(theme, cards, survey, question_segments)
        return theme
    theme.scope = theme_scope(theme.n_groups, len(all_groups))
    category_cards = {unit.card_id: unit.card for unit in data.units}.values()
    theme.over_represented_group = over_represented_group([c.group for c in cards], [c.group for c in category_cards])
    return theme



def _survey_theme(theme: Theme, cards, survey: Survey, question_segments: dict[str, list[str]]) -> None:
    """A survey's theme: its segment values, and its scope read on the first segment (« 9 départements sur 13 »).

    A respondent's share of a theme says nothing (they answer once): the segment profile takes
    the place of the over-represented group.
    """
    theme.segments = _segment_values(cards, survey)
    first = survey.segments[0] if survey.segments else None
    theme.scope = theme_scope(len(theme.segments[first]), len(question_segments[first])) if first else ""
    theme.over_represented_group = None


def refresh_survey_category(result: CategoryResult, cards, survey: Survey) -> None:
    """After an editor's change (synth review): a question's themes get their segments, scope, profile and summary again.

    ``cards``: the question's answers.
    """
    segment_values = _segment_values(cards, survey)
    by_id = {card.id: card for card in cards}
    for theme in result.themes + result.hidden_themes:
        if not theme.isolated:
            _survey_theme(theme, [by_id[card_id] for card_id in theme.card_ids if card_id in by_id], survey, segment_values)
    profile_themes(result.themes, cards, survey.segments)
    result.summary = category_summary(result, result.n_respondents, survey=True)


def _slug(text: str) -> str:
    return comparison_key(text).replace(" ", "-") or "cartes"
