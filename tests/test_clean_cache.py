"""The clean stage's cache: same results as spaCy, only new texts analysed, unreadable shards ignored."""

from synthesis import clean
from synthesis.clean_cache import cached_clean_texts

TEXTS = ["Mutualiser les outils numériques entre les OT", "Manque de formations communes", "Taxe de séjour mal comprise"]


def test_cached_results_equal_fresh_ones_and_only_new_texts_are_analysed(tmp_path, monkeypatch):
    fresh = clean.clean_texts(TEXTS)
    assert cached_clean_texts(TEXTS, tmp_path) == fresh
    analysed = []
    real = clean.clean_texts
    monkeypatch.setattr(clean, "clean_texts", lambda texts, **kw: analysed.extend(texts) or real(texts, **kw))
    again = cached_clean_texts(TEXTS + ["Une idée nouvelle sur l'accueil"], tmp_path)
    assert again[:3] == fresh and analysed == ["Une idée nouvelle sur l'accueil"]


def test_an_unreadable_shard_is_ignored(tmp_path):
    cached_clean_texts(TEXTS, tmp_path)
    for shard in tmp_path.rglob("*.json"):
        shard.write_text("{ pas du json", encoding="utf-8")
    assert cached_clean_texts(TEXTS, tmp_path) == clean.clean_texts(TEXTS)
