"""The calls an engine runs on one partition of the idea units: thin wrappers around the stage code.

Each function takes plain data (texts, a :class:`Part`, arrays) and returns plain data,
so an engine may run it in this process or on a Dask worker. The models are loaded once
per process (``clean.load_nlp`` and ``embed.load_embedder`` are cached; the cached
embedder is kept in ``_EMBEDDERS``), so a worker pays the load on its first partition only.
The embedding cache folder is shared by every worker: its shards are written whole under
a unique name and renamed into place (``embed.cache``), so workers never see half a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from synthesis.clean import CleanText, clean_texts, normalise_text, static_word_vectors
from synthesis.spelling import corpus_words

#: (model, cache folder) -> CachedEmbedder of this process.
_EMBEDDERS: dict[tuple[str, str], object] = {}


def embedder(model: str, cache_dir: str | None):
    """The process' cached embedder for this model and cache folder (loaded on first use)."""
    from synthesis.embed import load_embedder
    from synthesis.embed.cache import CachedEmbedder

    key = (model, str(cache_dir))
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = CachedEmbedder(load_embedder(model), Path(cache_dir) if cache_dir else None)
    return _EMBEDDERS[key]


def fold_embedding_cache(model: str, cache_dir: str | None) -> None:
    """After a run: fold the model's cache shards past ``shards.MAX_SHARDS`` (the run only added shards; no model is loaded)."""
    if cache_dir:
        from synthesis.embed import load_embedder
        from synthesis.embed.cache import CachedEmbedder

        CachedEmbedder(load_embedder(model), Path(cache_dir)).fold_if_many()


@dataclass
class Part:
    """One partition after the clean and embed stages: contiguous idea units of the run."""

    start: int  # index of its first unit in the run
    categories: list[str]
    cleaned: list[CleanText]
    vectors: np.ndarray  # (n, d) float32 sentence vectors

    def rows_of(self, category: str) -> np.ndarray:
        return np.flatnonzero(np.asarray(self.categories, dtype=object) == category)


def count_words(texts: list[str]) -> tuple[dict[str, int], frozenset[str], frozenset[str]]:
    """The first pass of the spelling: this partition's word counts (merged on the driver, ``spelling.merge_corpus_words``)."""
    words = corpus_words([normalise_text(text) for text in texts])
    return dict(words), words.capitalised_inside, words.lowercase


def clean_and_embed(texts: list[str], categories: list[str], start: int, borrowed: list[int], *, corpus, model: str,
                    cache_dir: str | None, as_of: float | None = None) -> Part:
    """spaCy with the whole corpus' spelling corrections, then the sentence vectors (the shared cache as the run found it:
    ``as_of``, see ``CachedEmbedder.encode_isolated``). The ``borrowed`` rows hold a text that an earlier partition
    embeds: their vectors stay zero until ``with_vectors`` copies that partition's, so a text gets one vector a run."""
    cleaned = clean_texts(texts, corpus=corpus, n_process=1)  # a Dask worker may not start processes
    own = np.setdiff1d(np.arange(len(texts)), np.asarray(borrowed, dtype=int))
    embedded = embedder(model, cache_dir).encode_isolated([normalise_text(texts[i]) for i in own], as_of)
    vectors = np.zeros((len(texts), embedded.shape[1]), dtype=np.float32)
    vectors[own] = embedded
    return Part(start, list(categories), cleaned, vectors)


def vectors_at(part: Part, rows: list[int]) -> np.ndarray:
    """The partition's vectors at these rows (those a later partition borrows)."""
    return part.vectors[np.asarray(rows, dtype=int)]


def with_vectors(part: Part, rows: list[int], lent: list[np.ndarray], picks: list[tuple[int, int]]) -> Part:
    """The partition with its borrowed ``rows`` filled: row i gets ``lent[picks[i][0]][picks[i][1]]``."""
    vectors = part.vectors.copy()
    for row, (source, index) in zip(rows, picks):
        vectors[row] = lent[source][index]
    return Part(part.start, part.categories, part.cleaned, vectors)


def lemma_set(part: Part) -> set[str]:
    return {lemma for text in part.cleaned for lemma in text.lemmas}


def part_size(part: Part) -> int:
    return len(part.cleaned)


def category_size(part: Part, *, category: str) -> int:
    return len(part.rows_of(category))


def part_vectors(part: Part) -> np.ndarray:
    return part.vectors


def part_terms(part: Part) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each unit's content lemmas and words as written (``Synthesis.unit_terms``)."""
    return [(text.lemmas, text.words or text.lemmas) for text in part.cleaned]


def embed_texts(texts: list[str], *, model: str, cache_dir: str | None, as_of: float | None = None) -> np.ndarray:
    """Vectors of a few texts (the summaries' label phrases), by a worker's model."""
    return embedder(model, cache_dir).encode_isolated(texts, as_of)


def embed_words(words: list[str], *, model: str, cache_dir: str | None, as_of: float | None = None) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    """A slice of the run's vocabulary: its vectors by the sentence model, and spaCy's static vectors."""
    embedded = embedder(model, cache_dir).encode_isolated(words, as_of) if words else np.zeros((0, 0), dtype=np.float32)
    static, dimension = static_word_vectors(words)
    return embedded, static, dimension


def category_rows(part: Part, *, category: str) -> tuple[np.ndarray, list[CleanText], np.ndarray]:
    """-> (positions in the run, cleaned texts, vectors) of this partition's units of one category."""
    rows = part.rows_of(category)
    return part.start + rows, [part.cleaned[i] for i in rows], part.vectors[rows]


def category_lemmas(part: Part, *, category: str) -> tuple[list[tuple[str, ...]], np.ndarray]:
    """-> (content lemmas, vectors) of this partition's units of one category: what its clustering reads."""
    rows = part.rows_of(category)
    return [part.cleaned[i].lemmas for i in rows], part.vectors[rows]


def category_space(pieces: list[tuple[list[tuple[str, ...]], np.ndarray]], *, vocabularies, settings, blas_threads: int | None):
    """The clustering space of one large category (``pipeline.large_category_space``), built from every partition's
    ``category_lemmas``; where it is built it stays (an engine's handle; ``engine.partitioned._cluster_on_workers``).

    Built with the driver's BLAS thread count, as the kNN blocks run (``cluster.large.knn_graphs``):
    the approximate index's k-means reads float32 products, whose last bits depend on it.
    """
    from threadpoolctl import threadpool_limits

    from synthesis.pipeline import large_category_space

    lemmas = [text for texts, _ in pieces for text in texts]
    vectors = np.concatenate([rows for _, rows in pieces])
    with threadpool_limits(blas_threads, user_api="blas"):
        return large_category_space(vectors, lemmas, vocabularies, settings)


def bookkeeping(space):
    """The part of a clustering space the driver holds (``TextSpace.bookkeeping``)."""
    return space.bookkeeping()


# --- summaries and cross-reading --------------------------------------------------


def theme_candidates(part: Part, labels: np.ndarray, fit: np.ndarray, *, category: str, per_theme: int):
    """The units a large category's summary reads, from this partition: per theme (and the isolated) the
    ``per_theme`` best placed (highest fit, then earliest). -> (positions in the category's rows, cleaned, vectors)."""
    rows = part.rows_of(category)
    keep = []
    for theme in np.unique(labels):
        members = np.flatnonzero(labels == theme)
        keep.extend(members[np.lexsort((members, -fit[members]))][:per_theme].tolist())
    keep = np.sort(np.asarray(keep, dtype=int))
    return keep, [part.cleaned[rows[i]] for i in keep], part.vectors[rows[keep]]


def vector_sums(part: Part, groups: np.ndarray, *, k: int) -> np.ndarray:
    """-> (k, d) sums of this partition's sentence vectors per group (groups < 0 left out): theme centres for the cross-reading."""
    kept = groups >= 0
    return _sum_operator(groups[kept], k) @ part.vectors[kept].astype(np.float64)


def _sum_operator(groups: np.ndarray, k: int) -> sparse.csr_matrix:
    return sparse.csr_matrix((np.ones(len(groups)), (groups, np.arange(len(groups)))), shape=(k, len(groups)))
