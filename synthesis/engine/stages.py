"""The calls an engine runs on one partition of the idea units: thin wrappers around the stage code.

Each function takes plain data (texts, a :class:`Part`, arrays) and returns plain data,
so an engine may run it in this process or on a Dask worker. The models are loaded once
per process (``clean.load_nlp`` and ``embed.load_embedder`` are cached; the cached
embedder is kept in ``_EMBEDDERS``), so a worker pays the load on its first partition only.
The embedding cache folder is shared by every worker: its shards are written whole under
a unique name and renamed into place (``embed.cache``), so workers never see half a file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from synthesis.clean import CleanText, clean_texts, normalise_text, static_word_vectors
from synthesis.cluster.large import _nearest, _unit_rows
from synthesis.cluster.views import normalise
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


def clean_and_embed(texts: list[str], categories: list[str], start: int, *, corpus, model: str, cache_dir: str | None) -> Part:
    """spaCy with the whole corpus' spelling corrections, then the sentence vectors (through the shared cache)."""
    cleaned = clean_texts(texts, corpus=corpus, n_process=1)  # a Dask worker may not start processes
    vectors = embedder(model, cache_dir).encode([normalise_text(text) for text in texts])
    return Part(start, list(categories), cleaned, vectors)


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


def embed_texts(texts: list[str], *, model: str, cache_dir: str | None) -> np.ndarray:
    """Vectors of a few texts (the summaries' label phrases), by a worker's model."""
    return embedder(model, cache_dir).encode(texts)


def embed_words(words: list[str], *, model: str, cache_dir: str | None) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    """A slice of the run's vocabulary: its vectors by the sentence model, and spaCy's static vectors."""
    embedded = embedder(model, cache_dir).encode(words) if words else np.zeros((0, 0), dtype=np.float32)
    static, dimension = static_word_vectors(words)
    return embedded, static, dimension


def category_rows(part: Part, *, category: str) -> tuple[np.ndarray, list[CleanText], np.ndarray]:
    """-> (positions in the run, cleaned texts, vectors) of this partition's units of one category."""
    rows = part.rows_of(category)
    return part.start + rows, [part.cleaned[i] for i in rows], part.vectors[rows]


# --- large categories: the two-stage clustering's calls ---------------------------


def lemma_document_counts(part: Part, *, category: str, static_words) -> tuple[int, Counter, int, int]:
    """-> (texts, document frequency of each lemma, texts with a lemma, texts with a lemma spaCy has a vector for)."""
    lemmas = [part.cleaned[i].lemmas for i in part.rows_of(category)]
    counts = Counter(lemma for text in lemmas for lemma in set(text))
    with_static = sum(1 for text in lemmas if any(lemma in static_words for lemma in text))
    return len(lemmas), counts, sum(1 for text in lemmas if text), with_static


@dataclass
class CategoryPart:
    """One partition's rows of a large category, in the spaces the clustering works in."""

    emb: np.ndarray  # (m, d) float32 unit sentence vectors
    tfidf: sparse.csr_matrix | None  # (m, V) unit lemma TF-IDF rows, the category's vocabulary and idf
    views: list[np.ndarray]  # keyword views, float32


def category_part(part: Part, *, category: str, tfidf_terms, vocabularies, view_idf) -> CategoryPart:
    """The rows the large-category clustering needs, with the category's idf (``sparse_tfidf_rows``)."""
    rows = part.rows_of(category)
    lemmas = [part.cleaned[i].lemmas for i in rows]
    emb = _unit_rows(np.asarray(part.vectors[rows], dtype=np.float32))
    tfidf = sparse_tfidf_rows(lemmas, *tfidf_terms) if tfidf_terms is not None else None
    views = []
    if vocabularies is not None:
        embedded, static, dimension = vocabularies
        fallbacks = (part.vectors[rows], np.zeros((len(rows), dimension)))
        views = [keyword_view_with_idf(lemmas, words, fallback, idf).astype(np.float32)
                 for words, fallback, idf in zip((embedded, static), fallbacks, view_idf)]
    return CategoryPart(emb, tfidf, views)


def sparse_tfidf_rows(lemmas, index: dict[str, int], idf: np.ndarray) -> sparse.csr_matrix:
    """The rows ``cluster.large._sparse_tfidf`` gives these texts when fitted on the whole category
    (sublinear tf, smooth idf computed over the category, unit rows), from that vocabulary and idf."""
    data, columns, pointers = [], [], [0]
    for text in lemmas:
        counts = Counter(lemma for lemma in text if lemma in index)
        row = {index[lemma]: (1.0 + np.log(count)) * idf[index[lemma]] for lemma, count in counts.items()}
        norm = np.sqrt(sum(value * value for value in row.values())) or 1.0
        for column in sorted(row):
            columns.append(column)
            data.append(row[column] / norm)
        pointers.append(len(columns))
    return sparse.csr_matrix((data, columns, pointers), shape=(len(lemmas), len(idf)))


def keyword_view_with_idf(lemmas, word_vectors: dict[str, np.ndarray], fallback: np.ndarray, idf: dict[str, float]) -> np.ndarray:
    """``cluster.keyword_view`` with the idf of the whole category given (a partition sees only part of it)."""
    out = normalise(np.asarray(fallback, dtype=np.float64))
    for i, text in enumerate(lemmas):
        counts = Counter(lemma for lemma in text if lemma in word_vectors)
        if counts:
            row = sum((1.0 + np.log(count)) * idf[lemma] * _unit(word_vectors[lemma]) for lemma, count in counts.items())
            out[i] = _unit(row)
    return out


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float64)
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


def sample_rows(catpart: CategoryPart, rows: np.ndarray) -> np.ndarray:
    return catpart.emb[rows]


def nearest_centres(catpart: CategoryPart, *, centres: np.ndarray) -> np.ndarray:
    """Each row's micro-cluster (index of its most similar centre): the n x k x d part of the micro-clusters."""
    return _nearest(catpart.emb, centres)


def micro_sums(catpart: CategoryPart, micro: np.ndarray, *, k: int):
    """-> (sizes (k,), sums of the unit vectors, of the TF-IDF rows (sparse), of each keyword view) per micro-cluster."""
    operator = _sum_operator(micro, k)
    tfidf = operator @ catpart.tfidf if catpart.tfidf is not None else None
    views = [operator @ np.asarray(view, dtype=np.float64) for view in catpart.views]
    return np.bincount(micro, minlength=k), operator @ catpart.emb.astype(np.float64), tfidf, views


def theme_sums(catpart: CategoryPart, labels: np.ndarray, *, themes: np.ndarray):
    """-> (sizes, sums of the unit vectors, sums of the TF-IDF rows) of the rows labelled with each of ``themes``."""
    member = np.isin(labels, themes)
    index = np.searchsorted(themes, labels[member])
    operator = sparse.csr_matrix((np.ones(member.sum()), (index, np.flatnonzero(member))), shape=(len(themes), len(labels)))
    tfidf = operator @ catpart.tfidf if catpart.tfidf is not None else None
    return np.bincount(index, minlength=len(themes)), operator @ catpart.emb.astype(np.float64), tfidf


def centroid_sims(catpart: CategoryPart, rows: np.ndarray | None, *, centroids) -> np.ndarray:
    """-> (rows, k) cosine of rows to the themes' centroids (``cluster.large._LexicalSpace.centroid_sims``'s second half)."""
    c_emb, c_lex, norms, weight = centroids
    rows = np.arange(len(catpart.emb)) if rows is None else rows
    sims = (catpart.emb[rows].astype(np.float64) * np.sqrt(1.0 - weight)) @ c_emb.T
    if c_lex is not None:
        sims += np.asarray(catpart.tfidf[rows] @ c_lex.T) * np.sqrt(weight)
    return sims / norms


def own_and_best(catpart: CategoryPart, labels: np.ndarray, *, themes: np.ndarray, centroids) -> tuple[np.ndarray, np.ndarray]:
    """-> (each row's cosine to its own theme's centroid, to the nearest one): the fit, without shipping (n, k) sims."""
    sims = centroid_sims(catpart, None, centroids=centroids)
    own = sims[np.arange(len(labels)), np.clip(np.searchsorted(themes, labels), 0, len(themes) - 1)]
    return own, sims.max(axis=1)


def _sum_operator(groups: np.ndarray, k: int) -> sparse.csr_matrix:
    return sparse.csr_matrix((np.ones(len(groups)), (groups, np.arange(len(groups)))), shape=(k, len(groups)))


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
