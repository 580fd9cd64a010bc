"""The large-category helpers of the summaries give the answers of summarise's own code."""

import numpy as np

from synthesis import summarise
from synthesis.summarise import scale as summarise_scale
from synthesis.clean import CleanText, Phrase
from synthesis.summarise.labels import holds


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


def test_held_counts_match_the_family_rule():
    units = [{"clarifier", "rôle"}, {"clarification", "partage"}, {"partager"}, {"rôles", "OT"}, {"offre"}, set()]
    wanted = {"clarifier", "partage", "rôle", "OT", "offre", "culture"}
    expected = {lemma: sum(holds(unit, lemma) for unit in units) for lemma in wanted}
    assert summarise_scale.held_counts(wanted, units) == expected
    assert expected["clarifier"] == 2 and expected["partage"] == 2


def test_most_written_phrases_are_kept_in_their_order():
    phrases = [Phrase("offre culturelle", ("offre", "culturel")), Phrase("prix des billets", ("prix", "billet"))]
    cleaned = [CleanText(f"t{i}", (), (phrases[0 if i % 4 else 1],), f"k{i}") for i in range(40)]
    seen = {p.text.casefold(): p for p in [phrases[1], phrases[0]]}
    assert list(summarise_scale.most_written(seen, cleaned, np.arange(40), cap=1)) == ["offre culturelle"]
    assert list(summarise_scale.most_written(seen, cleaned, np.arange(40), cap=5)) == ["prix des billets", "offre culturelle"]
