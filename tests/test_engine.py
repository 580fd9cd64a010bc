"""The partitioned flow run by the local engine: the same answers as one machine, stage by stage.

The Dask engine runs these same calls on workers (tests/test_engine_dask.py).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from conftest import eval_file
from synthesis.engine import LocalEngine, default_partitions, partition_bounds, stages


def test_partition_bounds_cover_every_item_once_in_order():
    for n, p in [(0, 3), (1, 4), (10, 3), (10, 10), (7, 20), (100_000, 7)]:
        bounds = partition_bounds(n, p)
        assert [i for a, b in bounds for i in range(a, b)] == list(range(n))
        assert all(b > a for a, b in bounds) or n == 0
        assert len(bounds) == (max(1, min(p, n)) if n else 1)
    assert default_partitions(400) == 4 and default_partitions(2_000_000) == 200 and default_partitions(2) == 2


@pytest.fixture(scope="module")
def demo_texts(demo_synthesis):
    from synthesis.clean import normalise_text

    return [normalise_text(unit.text) for unit in demo_synthesis.units]


def test_spelling_counted_per_partition_and_merged_is_the_whole_corpus(demo_texts):
    from synthesis.spelling import build_corrections, corpus_words, merge_corpus_words

    whole = corpus_words(demo_texts)
    merged = merge_corpus_words(corpus_words(demo_texts[a:b]) for a, b in partition_bounds(len(demo_texts), 3))
    assert dict(merged) == dict(whole) and merged.names == whole.names
    assert build_corrections(merged) == build_corrections(whole) != {}  # the demo has words to respell


def test_a_partition_cleaned_with_the_corpus_spelling_is_cleaned_as_in_the_whole(demo_synthesis):
    from synthesis.clean import clean_texts, normalise_text
    from synthesis.spelling import build_corrections, corpus_words

    texts = [unit.text for unit in demo_synthesis.units]
    words = corpus_words([normalise_text(text) for text in texts])
    corpus = (dict(words), build_corrections(words))
    whole = clean_texts(texts)
    part = clean_texts(texts[:120], corpus=corpus, n_process=1)
    assert part == whole[:120]
    alone = clean_texts(texts[:120])  # its own spelling: some corrections need the rest of the corpus
    assert alone != whole[:120]


@pytest.fixture(scope="module")
def demo_cleaned(demo_synthesis):
    from synthesis.clean import clean_texts

    return clean_texts([unit.text for unit in demo_synthesis.units])


def test_graph_method_with_its_blocks_and_runs_mapped_by_an_engine_gives_the_same_clustering(demo_synthesis, demo_cleaned, use_embedder):
    """Every demo unit in one category through ``cluster_large``: kNN blocks and Leiden runs as engine calls, or here."""
    from synthesis.cluster import large
    from synthesis.engine import calls_of
    from synthesis.pipeline import Settings, _keyword_views, _keyword_vocabularies

    lemmas = [text.lemmas for text in demo_cleaned]
    vectors = demo_synthesis.unit_vectors
    views = _keyword_views(lemmas, vectors, _keyword_vocabularies(demo_cleaned, use_embedder.encode))
    calls = []

    def recorded(function, *iterables, **shared):
        calls.append(function.__name__)
        return calls_of(LocalEngine(3))(function, *iterables, **shared)

    settings = Settings()
    for n_themes in (None, 6):
        here = large.cluster_large(vectors, lemmas, lexical_weight=settings.lexical_weight, keyword_views=views, n_themes=n_themes)
        spread = large.cluster_large(vectors, lemmas, lexical_weight=settings.lexical_weight, keyword_views=views, n_themes=n_themes,
                                     map_calls=recorded)
        assert np.array_equal(here.labels, spread.labels) and np.array_equal(here.fit, spread.fit)
        assert here.grain == spread.grain and here.n_themes == spread.n_themes >= 3
    assert {"_knn_block", "_leiden_chunk"} <= set(calls)


def test_partitioned_flow_on_the_demo_gives_the_single_machine_themes(demo_synthesis, demo_cards):
    from synthesis.pipeline import synthesize

    spread = synthesize(demo_cards, engine=LocalEngine(partitions=3))
    ids = [unit.id for unit in demo_synthesis.units]
    assert [spread.placements[i].theme_id for i in ids] == [demo_synthesis.placements[i].theme_id for i in ids]
    assert [t.label for t in spread.themes()] == [t.label for t in demo_synthesis.themes()]
    assert spread.cross_reading == demo_synthesis.cross_reading
    assert np.allclose(spread.unit_vectors, demo_synthesis.unit_vectors, atol=1e-5)
    assert spread.unit_terms == demo_synthesis.unit_terms


def test_partitioned_flow_on_a_survey_gives_the_single_machine_themes(use_embedder):
    from conftest import REPO
    from synthesis.load import load_cards
    from synthesis.pipeline import synthesize

    cards = load_cards(REPO / "corpora" / "enquete-ot-2024" / "reponses.csv", segments=("Département",))
    single, spread = synthesize(cards), synthesize(cards, engine=LocalEngine(partitions=3))
    assert {u: p.theme_id for u, p in spread.placements.items()} == {u: p.theme_id for u, p in single.placements.items()}
    assert [(t.label, t.n_cards, t.segments) for t in spread.themes()] == [(t.label, t.n_cards, t.segments) for t in single.themes()]
    assert spread.survey == single.survey


def test_knn_blocks_run_elsewhere_use_this_process_blas_threads():
    """A Dask worker runs one BLAS thread; float32 products then differ in the last bits, so blocks take the driver's count."""
    from threadpoolctl import threadpool_limits

    from synthesis.cluster.large import blas_threads, knn_graphs
    from synthesis.cluster.space import TextSpace
    from synthesis.engine import calls_of

    if (blas_threads() or 1) < 2:
        pytest.skip("one BLAS thread here: nothing differs")
    x = np.random.default_rng(0).normal(size=(3000, 512)).astype(np.float32)
    space = TextSpace.build(x, [()] * len(x), 0.0)
    with threadpool_limits(1, user_api="blas"):
        one_thread = space.emb[:1000] @ space.emb.T
    # The difference the rule is for (seen on earlier machines); the BLAS of numpy 2.4.6 here gives the same bits
    # with 1 and 2 threads, where what follows holds without the rule too.
    differs = (one_thread != space.emb[:1000] @ space.emb.T).any()

    def on_a_one_thread_worker(function, *iterables, **shared):
        with threadpool_limits(1, user_api="blas"):
            return calls_of(LocalEngine(3))(function, *iterables, **shared)

    here, (cols, sims) = space.knn_graphs(20)
    spread, (cols_, sims_) = knn_graphs(space, 20, map_calls=on_a_one_thread_worker)
    assert np.array_equal(sims, sims_) and np.array_equal(cols, cols_)
    assert all((a != b).nnz == 0 for a, b in zip(here, spread))
    if not differs:
        pytest.skip("this BLAS gives the same products with 1 and 2 threads: the equality above held without the rule")


def test_a_large_category_space_built_elsewhere_is_the_one_built_here(demo_synthesis, demo_cleaned, use_embedder, monkeypatch):
    """``stages.category_space`` on a one-BLAS-thread worker, from the partitions: the space one machine builds, its
    k-means index included (the index made from 100 rows on, in cells of 50, as past 20,000 texts)."""
    from threadpoolctl import threadpool_limits

    from synthesis.cluster import space as cluster_space
    from synthesis.cluster.large import blas_threads
    from synthesis.pipeline import Settings, _keyword_vocabularies, large_category_space

    monkeypatch.setattr(cluster_space, "APPROXIMATE_FROM", 100)
    monkeypatch.setattr(cluster_space, "LIST_SIZE", 50)
    vectors, settings = demo_synthesis.unit_vectors, Settings()
    vocabularies = _keyword_vocabularies(demo_cleaned, use_embedder.encode)
    here = large_category_space(vectors, [text.lemmas for text in demo_cleaned], vocabularies, settings)
    bounds = partition_bounds(len(vectors), 3)
    parts = [stages.Part(a, ["une"] * (b - a), demo_cleaned[a:b], vectors[a:b]) for a, b in bounds]
    pieces = [stages.category_lemmas(part, category="une") for part in parts]
    with threadpool_limits(1, user_api="blas"):
        there = stages.category_space(pieces, vocabularies=vocabularies, settings=settings, blas_threads=blas_threads())
    assert here.index is not None and len(here.index.starts) > 3
    for name in ("inv", "order", "counts"):
        assert np.array_equal(getattr(here, name), getattr(there, name)), name
    assert np.array_equal(here.emb, there.emb) and (here.tfidf != there.tfidf).nnz == 0
    assert all(np.array_equal(a, b) for a, b in zip(here.keywords, there.keywords)) and len(here.keywords) == 2
    assert np.array_equal(here.index.cell, there.index.cell) and np.array_equal(here.index.probes, there.index.probes)
    kept = stages.bookkeeping(there)
    assert kept.keywords == [None, None] and kept.emb is there.emb and there.keywords[0] is not None


def test_partitioned_flow_past_the_gathered_size_gives_the_single_machine_themes(demo_cards, monkeypatch):
    """Each demo category through the engine's large path (space built by a call, kNN blocks read it there): the labels,
    fits, method and grain of one machine's graph method."""
    from synthesis.cluster import large
    from synthesis.pipeline import synthesize

    monkeypatch.setattr(large, "LARGE_CATEGORY", 60)
    monkeypatch.setattr("synthesis.engine.partitioned.GATHERED_CATEGORY", 60)
    single, spread = synthesize(demo_cards), synthesize(demo_cards, engine=LocalEngine(partitions=3))
    assert all(len([u for u in single.units if u.category == c]) > 60 for c in demo_cards.categories)
    ids = [unit.id for unit in single.units]
    assert adjusted_rand_score([single.placements[i].theme_id for i in ids], [spread.placements[i].theme_id for i in ids]) == 1.0
    assert all(abs(single.placements[i].fit - spread.placements[i].fit) < 1e-4 for i in ids)
    assert "blockwise kNN" in spread.method and spread.method == single.method
    assert [c.grain for c in spread.categories] == [c.grain for c in single.categories]


class _BackwardsEngine(LocalEngine):
    """Runs a map's calls last to first, as a worker that takes the partitions in another order."""

    def map(self, function, *iterables, **shared) -> list:
        calls = list(zip(*iterables))
        done = {i: function(*calls[i], **shared) for i in reversed(range(len(calls)))}
        return [done[i] for i in range(len(calls))]


def test_a_text_in_two_partitions_gets_one_vector_whatever_the_order(use_embedder, tmp_path):
    # A vector's last bits depend on its batch: embedded in two partitions, a text got two vectors (two
    # rows where one machine has one), and which partition a worker embedded first changed the others'
    # batches (1 and 2 Dask workers: other themes at 30,000 texts).
    from synthesis.engine import partitioned
    from synthesis.spelling import build_corrections, corpus_words, merge_corpus_words

    texts = pd.read_csv(eval_file("makeorg_themes_fr.csv"))["text"].tolist() + pd.read_csv(eval_file("semeval16_absa_fr.csv"))["text"].tolist()
    parts_texts = [texts[0:450], texts[450:900], texts[900:] + texts[0:150]]  # the last partition repeats the first's texts
    words = merge_corpus_words(corpus_words(part) for part in parts_texts)
    borrowed = partitioned.borrowed_rows(parts_texts)
    assert [len(rows) for rows in borrowed] == [0, 0, 150]

    def embedded(engine, cache) -> list[np.ndarray]:
        parts = engine.map(stages.clean_and_embed, parts_texts, [["c"] * len(part) for part in parts_texts], [0, 450, 900],
                           [[row for row, _, _ in rows] for rows in borrowed], corpus=(dict(words), build_corrections(words)),
                           model="use-m3", cache_dir=str(cache), as_of=None)
        return [part.vectors for part in partitioned._lend_vectors(engine, parts, borrowed)]

    forwards = embedded(LocalEngine(partitions=3), tmp_path / "a")
    assert np.array_equal(forwards[2][-150:], forwards[0][:150])
    backwards = embedded(_BackwardsEngine(partitions=3), tmp_path / "b")
    assert all(np.array_equal(a, b) for a, b in zip(forwards, backwards))
