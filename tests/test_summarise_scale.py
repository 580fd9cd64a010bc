"""The large-category helpers of the summaries give the answers of summarise's own code."""

import numpy as np

from synthesis import summarise, summarise_scale
from synthesis.cards import Card, IdeaUnit
from synthesis.clean import CleanText, Phrase


def texts_with_duplicates(n: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, 16))
    words = ["offre", "prix", "service", "accueil", "route", "école"]
    cleaned = []
    for i in range(n):
        source = int(rng.integers(0, i)) if i and rng.random() < 0.3 else None
        if source is not None:  # a rewording (same lemmas, close vector) or a retyping (same key)
            vectors[i] = vectors[source] + 0.05 * rng.normal(size=16)
            base = cleaned[source]
            key = base.key if rng.random() < 0.5 else f"k{i}"
            cleaned.append(CleanText(f"t{i}", base.lemmas, (), key))
        else:
            lemmas = tuple(rng.choice(words, size=int(rng.integers(0, 3)), replace=False))
            cleaned.append(CleanText(f"t{i}", lemmas, (), f"k{i}" if rng.random() < 0.9 else "même clé"))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return cleaned, vectors.astype(np.float32)


def test_bucketed_near_duplicates_match_the_matrix_version():
    cleaned, vectors = texts_with_duplicates()
    expected = summarise.find_near_duplicates(cleaned, vectors)
    assert sum(j is not None for j in expected) > 30
    assert summarise_scale.near_duplicates(cleaned, vectors, summarise.DUPLICATE_SIMILARITY) == expected


def test_vectorised_quotes_match_summarise():
    cleaned, vectors = texts_with_duplicates(200, seed=1)
    duplicates = summarise.find_near_duplicates(cleaned, vectors)
    rng = np.random.default_rng(2)
    fit = rng.random(len(cleaned))
    texts = ["mot" if i % 9 == 0 else f"texte {i}" for i in range(len(cleaned))]
    units = [IdeaUnit(f"c{i}", Card(f"c{i}", text, f"G{i % 5}", "forces", i + 2), text) for i, text in enumerate(texts)]
    indices = np.arange(0, 200, 2)
    expected = summarise.select_quotes(indices, vectors, fit, units, duplicates, 8)
    got = summarise_scale.select_quotes(
        indices, vectors, fit, units, duplicates, 8, diversity=summarise._MMR_DIVERSITY, new_group_bonus=summarise._NEW_GROUP_BONUS,
        terse_penalty=summarise._TERSE_QUOTE_PENALTY, is_terse=lambda text: len(text.split()) < 2,
    )
    assert got == expected


def test_capped_phrase_candidates_count_support_as_summarise_does():
    phrases = [Phrase("offre culturelle", ("offre", "culturel")), Phrase("prix des billets", ("prix", "billet")),
               Phrase("accueil", ("accueil",))]
    cleaned = [CleanText(f"t{i}", ("offre", "culturel", "prix") if i % 4 else ("prix", "billet", "accueil"),
                         (phrases[0 if i % 4 else 1], phrases[2]), f"k{i}") for i in range(40)]
    indices = np.arange(40)
    expected = {p.text: support for p, support in summarise._phrase_candidates(cleaned, indices)}
    got = summarise_scale.phrase_candidates(cleaned, indices, 2, 7, cap=10)
    assert {p.text: support for p, support in got} == expected
    assert [p.text for p, _ in summarise_scale.phrase_candidates(cleaned, indices, 2, 7, cap=1)] == ["offre culturelle"]
