"""Summarise stage: clusters -> ranked, labelled themes with verbatim quotes.

Everything here is a pure function of the cards, their cleaned form, their
vectors and the cluster labels (plus an ``encode`` callable to place candidate
label phrases in the same vector space as the cards).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import hypergeom

from synthesis import summarise_scale
from synthesis.cards import IdeaUnit, group_sort_key
from synthesis.clean import CleanText, Phrase, comparison_key
from synthesis.french import plural
from synthesis.result import ISOLATED_LABEL, SPECIFIC, TRANSVERSAL, CategoryResult, Quote, Theme

Encode = Callable[[list[str]], np.ndarray]

#: Cosine similarity above which two cards are taken as the same idea written twice.
DUPLICATE_SIMILARITY = 0.92
MIN_LABEL_WORDS, MAX_LABEL_WORDS = 2, 7
N_KEYWORDS = 6
#: Family-wise error rate of the over-representation test over a theme's groups.
OVER_REPRESENTATION_ALPHA = 0.05
_MMR_DIVERSITY = 0.5
#: Score bonus of a quote from a group not quoted yet, so a multi-group theme shows several groups.
_NEW_GROUP_BONUS = 0.15
_TERSE_QUOTE_PENALTY = 0.15
#: Weights of closeness to the theme centre, c-TF-IDF specificity and card coverage in a label's score.
LABEL_WEIGHTS = (0.4, 0.3, 0.3)
#: How much a candidate label loses for resembling a label already given in the category (MMR).
LABEL_DIVERSITY = 0.2
# Past these sizes the work is done without n x n passes (synthesis/summarise_scale.py); below, unchanged.
LARGE_CATEGORY, LARGE_THEME, LARGE_QUOTE_POOL = 2000, 500, 1000
#: Label candidates kept for a theme of more than LARGE_THEME cards (the phrases written in the most cards).
MAX_LABEL_CANDIDATES = 500
#: The isolated bucket quotes all its cards up to this many (the full list is in cartes.csv).
MAX_ISOLATED_QUOTES = 200


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
    data: CategoryInput, *, all_groups: Sequence[str], encode: Encode, n_quotes: int = 3
) -> tuple[CategoryResult, dict[str, str | None]]:
    """Ranked themes for one category, and each unit's near-duplicate (unit id -> earlier unit id)."""
    duplicates = find_near_duplicates(data.cleaned, data.vectors)
    theme_ids = sorted(set(data.labels.tolist()) - {-1})
    members = {label: np.flatnonzero(data.labels == label) for label in theme_ids}
    keywords = specific_keywords(data.cleaned, data.labels, theme_ids)
    labels = theme_labels(data, members, keywords, encode)
    themes = [
        _build_theme(data, index_list, labels[label], keywords[label], all_groups, duplicates, n_quotes)
        for label, index_list in members.items()
    ]
    themes = rank_themes(themes)
    isolated = np.flatnonzero(data.labels == -1)
    if isolated.size:
        bucket = _build_theme(data, isolated, ISOLATED_LABEL, [], all_groups, duplicates, n_quotes=min(len(isolated), MAX_ISOLATED_QUOTES))
        bucket.isolated, bucket.scope = True, ""
        themes.append(bucket)
    for rank, theme in enumerate(themes, start=1):
        theme.id = f"{_slug(data.category)}-{'isolees' if theme.isolated else f'{rank:02d}'}"
    n_cards = len({unit.card_id for unit in data.units})
    result = CategoryResult(category=data.category, themes=themes, n_cards=n_cards)
    result.summary = category_summary(result, len(all_groups))
    duplicate_ids = {
        data.units[i].id: (data.units[j].id if j is not None else None) for i, j in enumerate(duplicates)
    }
    return result, duplicate_ids


# --- near-duplicates --------------------------------------------------------


def find_near_duplicates(cleaned: Sequence[CleanText], vectors: np.ndarray) -> list[int | None]:
    """For each card, the index of the first earlier card with the same idea in near-identical words."""
    if len(cleaned) > LARGE_CATEGORY:
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


# --- keywords ----------------------------------------------------------------


def specific_keywords(cleaned: Sequence[CleanText], labels: np.ndarray, theme_ids: Sequence[int]) -> dict[int, list[str]]:
    """Per theme, the lemmas most over-represented against the rest of the category.

    Ranked by Dunning's log-likelihood ratio (G²), as in IRaMuTeQ/Alceste
    profiles; only lemmas more frequent in the theme than outside are kept.
    """
    counts = {label: Counter() for label in theme_ids}
    total = Counter()
    for text, label in zip(cleaned, labels.tolist()):
        lemma_set = set(text.lemmas)  # a card counts once per lemma: one card shouting "OT OT" is one voice
        total.update(lemma_set)
        if label in counts:
            counts[label].update(lemma_set)
    n_total = len(cleaned)
    keywords = {}
    for label in theme_ids:
        n_theme = int((labels == label).sum())
        scored = []
        for lemma, inside in counts[label].items():
            g2 = log_likelihood(inside, n_theme, total[lemma] - inside, n_total - n_theme)
            if g2 > 0 and inside >= 1:
                scored.append((-g2, -inside, lemma))
        keywords[label] = [lemma for _, _, lemma in sorted(scored)[:N_KEYWORDS]]
    return keywords


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


# --- labels ------------------------------------------------------------------


def theme_labels(data: CategoryInput, members: dict[int, np.ndarray], keywords: dict[int, list[str]], encode: Encode) -> dict[int, str]:
    """A distinct 2–7 word label per theme, chosen among phrases written in its cards.

    Each candidate is scored by class-based TF-IDF of its lemmas (specific to
    this theme against the other themes of the category), by the share of the
    theme's cards it speaks for, and by the cosine between its vector and the
    theme's centre. Labels are assigned in order of theme size, with maximal
    marginal relevance: a candidate close to a label already given to another
    theme is demoted, and no two themes of a category share a label.
    """
    weights = class_tfidf(data.cleaned, data.labels, list(members))
    candidates = {label: _phrase_candidates(data.cleaned, idx) for label, idx in members.items()}
    all_texts = sorted({phrase.text for phrases in candidates.values() for phrase, _ in phrases})
    phrase_vectors = dict(zip(all_texts, encode(all_texts))) if all_texts else {}
    used: set[str] = set()
    chosen_vectors: list[np.ndarray] = []
    labels = {}
    for label in sorted(members, key=lambda lab: (-len(members[lab]), lab)):
        centre = _unit(data.vectors[members[label]].mean(axis=0))
        scored = _score_phrases(candidates[label], weights[label], centre, phrase_vectors, len(members[label]))
        chosen = _most_relevant_unused(scored, phrase_vectors, chosen_vectors, used)
        if chosen is None:
            chosen = _fallback_label(keywords[label], used)
        else:
            chosen_vectors.append(phrase_vectors[chosen])
        used.add(chosen.casefold())
        labels[label] = _capitalise(chosen)
    return labels


def _most_relevant_unused(scored: list[tuple[float, str]], vectors: dict, chosen_vectors: list, used: set[str]) -> str | None:
    best, best_value = None, -math.inf
    for score, text in scored:
        if text.casefold() in used:
            continue
        redundancy = max((float(vectors[text] @ other) for other in chosen_vectors), default=0.0)
        value = score - LABEL_DIVERSITY * max(redundancy, 0.0)
        if value > best_value or (value == best_value and text < best):
            best, best_value = text, value
    return best


def class_tfidf(cleaned: Sequence[CleanText], labels: np.ndarray, theme_ids: Sequence[int]) -> dict[int, dict[str, float]]:
    """BERTopic's c-TF-IDF: tf of a lemma in a theme × log(1 + mean theme size / lemma frequency)."""
    counts = {label: Counter() for label in theme_ids}
    for text, label in zip(cleaned, labels.tolist()):
        if label in counts:
            counts[label].update(text.lemmas)
    overall = Counter()
    for counter in counts.values():
        overall.update(counter)
    mean_words = sum(overall.values()) / max(len(counts), 1)
    weights = {}
    for label, counter in counts.items():
        size = sum(counter.values()) or 1
        weights[label] = {lemma: (n / size) * math.log(1 + mean_words / overall[lemma]) for lemma, n in counter.items()}
    return weights


def _phrase_candidates(cleaned: Sequence[CleanText], indices: np.ndarray) -> list[tuple[Phrase, int]]:
    """Phrases of the theme's cards with the number of cards that contain all their lemmas."""
    if len(indices) > LARGE_THEME:
        return summarise_scale.phrase_candidates(cleaned, indices, MIN_LABEL_WORDS, MAX_LABEL_WORDS, MAX_LABEL_CANDIDATES)
    lemma_sets = [set(cleaned[i].lemmas) for i in indices]
    seen: dict[str, Phrase] = {}
    for i in indices:
        for phrase in cleaned[i].phrases:
            words = len(phrase.text.split())
            if MIN_LABEL_WORDS <= words <= MAX_LABEL_WORDS:
                seen.setdefault(phrase.text.casefold(), phrase)
    return [(phrase, sum(set(phrase.lemmas) <= lemmas for lemmas in lemma_sets)) for phrase in seen.values()]


def _score_phrases(candidates, weights: dict[str, float], centre: np.ndarray, vectors: dict, n_members: int) -> list[tuple[float, str]]:
    """(score, phrase) for each candidate label of one theme."""
    if not candidates:
        return []
    best_weight = max(weights.values(), default=1.0) or 1.0
    scored = []
    for phrase, support in candidates:
        specificity = sum(weights.get(lemma, 0.0) for lemma in set(phrase.lemmas)) / best_weight
        specificity /= math.sqrt(len(set(phrase.lemmas)))  # longer phrases should not win by adding words
        closeness = float(vectors[phrase.text] @ centre)
        coverage = support / n_members
        # A heading should speak for many cards (coverage) in the theme's own terms
        # (specificity), and mean what the theme means (closeness to its centre).
        brevity = 1.0 - 0.03 * max(len(phrase.text.split()) - 3, 0)
        score = (LABEL_WEIGHTS[0] * closeness + LABEL_WEIGHTS[1] * min(specificity, 1.0) + LABEL_WEIGHTS[2] * coverage) * brevity
        if all(lemma.isupper() for lemma in phrase.lemmas):
            score *= 0.5  # "OT et ADT" names who, not what: a label needs a content word
        scored.append((score, phrase.text))
    return scored


def _fallback_label(keywords: list[str], used: set[str]) -> str:
    """A label from the theme's keywords when none of its phrases has 2 to 7 words."""
    if len(keywords) >= 2:
        base = _capitalise(f"{keywords[0]} et {keywords[1]}")
    elif keywords:
        base = f"Thème « {keywords[0]} »"
    else:
        base = "Thème sans mots-clés"
    label, suffix = base, 2
    while label.casefold() in used:
        label, suffix = f"{base} ({suffix})", suffix + 1
    return label


# --- quotes ------------------------------------------------------------------


def select_quotes(
    indices: np.ndarray, vectors: np.ndarray, fit: np.ndarray, units: Sequence[IdeaUnit], duplicates: Sequence[int | None], n_quotes: int
) -> list[int]:
    """Up to n_quotes unit indices: central (fit), different from each other (MMR), spread over groups.

    Near-duplicates of a card already quoted are never quoted again.
    """
    if len(indices) > LARGE_QUOTE_POOL:
        return summarise_scale.select_quotes(
            indices, vectors, fit, units, duplicates, n_quotes, diversity=_MMR_DIVERSITY, new_group_bonus=_NEW_GROUP_BONUS,
            terse_penalty=_TERSE_QUOTE_PENALTY, is_terse=lambda text: len(re.findall(r"\w+", text)) < 2,
        )
    pool = [i for i in sorted(indices.tolist(), key=lambda i: (-fit[i], i)) if duplicates[i] is None or duplicates[i] not in indices]
    chosen: list[int] = []
    while pool and len(chosen) < n_quotes:
        groups_quoted = {units[i].group for i in chosen}
        best = max(pool, key=lambda i: (_quote_score(i, chosen, groups_quoted, vectors, fit, units), -i))
        chosen.append(best)
        pool.remove(best)
    return chosen


def _quote_score(i: int, chosen: list[int], groups_quoted: set[str], vectors: np.ndarray, fit: np.ndarray, units) -> float:
    """MMR: central (fit), unlike the quotes already chosen, with a bonus for a group not yet quoted."""
    redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
    new_group = _NEW_GROUP_BONUS if units[i].group not in groups_quoted else 0.0
    # A one-word card ("TS", "Motivation !!") says little to a reader of the report.
    terse = _TERSE_QUOTE_PENALTY if len(re.findall(r"\w+", units[i].text)) < 2 else 0.0
    return (1 - _MMR_DIVERSITY) * fit[i] - _MMR_DIVERSITY * redundancy + new_group - terse


# --- ranking and consensus ------------------------------------------------------


def rank_themes(themes: list[Theme]) -> list[Theme]:
    """By number of distinct groups, then cards, then votes (ties: label)."""
    return sorted(themes, key=lambda t: (-t.n_groups, -t.n_cards, -t.votes, t.label.casefold()))


def theme_scope(n_groups: int, total_groups: int) -> str:
    if total_groups < 3:
        return ""
    if n_groups >= math.ceil(2 * total_groups / 3):
        return TRANSVERSAL
    if n_groups <= 2:
        return SPECIFIC
    return ""


def over_represented_group(theme_groups: Sequence[str], category_groups: Sequence[str]) -> str | None:
    """The group whose share of the theme's cards is significantly above its share of the category.

    One-sided hypergeometric test per group, Bonferroni-corrected over the
    groups present in the theme, at OVER_REPRESENTATION_ALPHA.
    """
    in_theme = Counter(theme_groups)
    in_category = Counter(category_groups)
    if len(in_category) < 2 or len(in_theme) == 0:
        return None
    n_category, n_theme = len(category_groups), len(theme_groups)
    threshold = OVER_REPRESENTATION_ALPHA / len(in_theme)
    best = None
    for group, k in sorted(in_theme.items(), key=lambda item: group_sort_key(item[0])):
        p_value = hypergeom.sf(k - 1, n_category, in_category[group], n_theme)
        if p_value < threshold and (best is None or p_value < best[0]):
            best = (p_value, group)
    return best[1] if best else None


def category_summary(result: CategoryResult, total_groups: int) -> str:
    """One French paragraph on the leading themes, built from labels and counts only."""
    ranked = [theme for theme in result.themes if not theme.isolated]
    if not ranked:
        return f"Aucun thème commun ne se dégage des {result.n_cards} cartes de cette rubrique."
    parts = [f"« {t.label} » ({_count_phrase(t, total_groups)})" for t in ranked[:4]]
    if len(parts) == 1:
        text = f"Un thème se dégage : {parts[0]}."
    else:
        text = f"Les thèmes les plus partagés sont {', '.join(parts[:-1])} et {parts[-1]}."
    transversal = [t for t in ranked if t.scope == TRANSVERSAL]
    if transversal:
        text += f" {plural(len(transversal), 'thème transversal', 'thèmes transversaux')} (au moins deux tiers des groupes)."
    isolated = next((t for t in result.themes if t.isolated), None)
    if isolated:
        text += f" {plural(isolated.n_cards, 'idée isolée', 'idées isolées')}."
    return text


def _count_phrase(theme: Theme, total_groups: int) -> str:
    return f"{plural(theme.n_groups, 'groupe')} sur {total_groups}, {plural(theme.n_cards, 'carte')}"


# --- helpers -------------------------------------------------------------------


def _build_theme(data: CategoryInput, indices: np.ndarray, label: str, keywords: list[str], all_groups, duplicates, n_quotes: int) -> Theme:
    units = [data.units[i] for i in indices]
    cards = list({unit.card_id: unit.card for unit in units}.values())  # a card split in two counts once
    quote_indices = select_quotes(indices, data.vectors, data.fit, data.units, duplicates, n_quotes)
    theme = Theme(
        id="",
        category=data.category,
        label=label,
        card_ids=[card.id for card in cards],
        unit_ids=[unit.id for unit in units],
        groups=sorted({card.group for card in cards}, key=group_sort_key),
        n_cards=len(cards),
        votes=sum(card.votes or 0 for card in cards),
        quotes=[Quote(data.units[i].card_id, data.units[i].group, data.units[i].text) for i in quote_indices],
        keywords=keywords,
    )
    theme.scope = theme_scope(theme.n_groups, len(all_groups))
    category_cards = {unit.card_id: unit.card for unit in data.units}.values()
    theme.over_represented_group = over_represented_group([c.group for c in cards], [c.group for c in category_cards])
    return theme


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _slug(text: str) -> str:
    return comparison_key(text).replace(" ", "-") or "cartes"
