"""The on-disk cache of spaCy's parses: the same CleanTexts warm, cold or off; only new texts parsed; never a crash."""

from synthesis.clean import clean_texts, load_nlp, parse_phrases, phrase_parses
from synthesis.clean_cache import CachedParser

from conftest import DEMO_CSV

TEXTS = [
    "Manque de communication entre OT",
    "Clarifier les roles de chacun",  # respelled « rôles » from the corpus before the parse
    "DES FORMATIONS COMMUNES POUR LES CONSEILLERS",
    "Manque de communication entre OT",
    "Le qui fait quoi reste flou ; il faut clarifier les rôles",
]


def _signature(doc):
    return [(t.text, t.lemma_, t.pos_, t.dep_, t.head.i, str(t.morph), t.is_sent_start, t.whitespace_) for t in doc]


def test_parses_read_back_equal_new_ones_and_only_new_texts_are_parsed(tmp_path):
    nlp = load_nlp()
    cold = CachedParser(nlp, tmp_path)
    first = cold.pipe(TEXTS)
    assert (cold.hits, cold.misses) == (0, 4)  # the repeated text is parsed once
    warm = CachedParser(nlp, tmp_path)
    again = warm.pipe(TEXTS + ["Une nouvelle carte sur Apidae"])
    assert (warm.hits, warm.misses) == (4, 1)
    assert [_signature(doc) for doc in again[:5]] == [_signature(doc) for doc in first] == [_signature(doc) for doc in nlp.pipe(TEXTS)]


def test_clean_texts_give_the_same_result_with_a_cold_a_warm_or_no_cache(tmp_path):
    import csv

    with DEMO_CSV.open(encoding="utf-8-sig") as stream:
        texts = [row["Carte"] for row in csv.DictReader(stream, delimiter=";") if row["Carte"].strip()][:120]
    plain = clean_texts(texts)
    cold = clean_texts(texts, parser=CachedParser(load_nlp(), tmp_path))
    warm_parser = CachedParser(load_nlp(), tmp_path)
    warm = clean_texts(texts, parser=warm_parser)
    assert warm_parser.misses == 0 and warm_parser.hits > 100
    assert plain == cold == warm


def test_a_corrupted_or_foreign_shard_is_skipped_and_its_texts_parsed_again(tmp_path):
    nlp = load_nlp()
    CachedParser(nlp, tmp_path).pipe(TEXTS)
    (shard,) = list(tmp_path.rglob("*.npz"))
    shard.write_bytes(b"PK\x03\x04 not a numpy file")
    (shard.parent / "other.npz").write_bytes(b"")
    parser = CachedParser(nlp, tmp_path)
    assert [_signature(doc) for doc in parser.pipe(TEXTS)] == [_signature(doc) for doc in nlp.pipe(TEXTS)]
    assert parser.misses == 4


def test_label_phrases_use_the_runs_cache_only_within_phrase_parses(tmp_path):
    phrases = ["Clarifier les rôles", "Manque de moyens humains"]
    with phrase_parses(tmp_path):
        first = parse_phrases(phrases)
    assert list((tmp_path / "parses").rglob("phrases/*.npz"))
    with phrase_parses(tmp_path):
        again = parse_phrases(phrases)
    assert [_signature(doc) for doc in again] == [_signature(doc) for doc in first]
    outside = parse_phrases(phrases)  # no cache set: parsed, nothing written
    assert [_signature(doc) for doc in outside] == [_signature(doc) for doc in first]
    assert len(list((tmp_path / "parses").rglob("*.npz"))) == 1


def test_cleaned_texts_are_reused_only_while_the_corpus_counts_they_consulted_keep_their_order(tmp_path):
    from collections import Counter

    from synthesis.clean_cache import CleanedCache, same_order

    texts = ["Manque de moyen humain", "Manque de moyen", "Des moyens pour les OT", "Plus de moyens financiers"]
    cache = CleanedCache(load_nlp(), tmp_path)
    first = clean_texts(texts, cleaned_cache=cache)
    assert cache.hits == 0
    again = CleanedCache(load_nlp(), tmp_path)
    assert clean_texts(texts, cleaned_cache=again) == first and again.hits == len(texts)
    # « moyen » / « moyens »: the plural leads 2 to 2 (ties keep the card's form); more singulars turn the order
    assert same_order({"moyen": 2, "moyens": 3}, Counter(moyen=5, moyens=9))
    assert not same_order({"moyen": 2, "moyens": 3}, Counter(moyen=5, moyens=1))
    shifted = texts + ["Un moyen", "Le moyen", "Au moyen de", "Moyen terme"]
    later = CleanedCache(load_nlp(), tmp_path)
    assert clean_texts(shifted, cleaned_cache=later) == clean_texts(shifted)
