"""The views of the texts that the graph partition reads, and their kNN graphs.

The pipeline passes sentence embeddings with 10 % of lemma TF-IDF similarity mixed in
(``lexical_space``: shared jargon counts, the sentence model does the rest) and two
keyword views (``keyword_view``: the card's content words, embedded one by one by the
sentence model, and looked up in spaCy's static word vectors); each keyword view is
mixed half and half with the first into a view of its own (``mixed_views``). Each view
gives a kNN graph on cosine similarity, k = round(sqrt(n)) neighbours (at most 30).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

MAX_NEIGHBOURS = 30  # sqrt(n) neighbours, capped: keeps thousands of texts fast (and themes finer there)
KNN_BLOCK = 1024  # rows of the similarity matrix held at once when building the kNN graph
# share of lemma (TF-IDF) similarity mixed into the embeddings' (see lexical_space and the issue notes)
LEXICAL_WEIGHT = 0.1
# share of a keyword view in its view's cosine, the rest being the embeddings' (see keyword_view and the issue notes)
KEYWORD_WEIGHT = 0.5


def normalise(x: np.ndarray) -> np.ndarray:
    """(n, d) -> (n, d) float64 rows of unit norm (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def lexical_space(embeddings: np.ndarray, lemmas: list[tuple[str, ...]], weight: float = LEXICAL_WEIGHT) -> np.ndarray:
    """(n, d) sentence embeddings + each text's content lemmas -> (n, d + v) clustering vectors.

    The cosine of two rows is about (1 - weight) x the embeddings' cosine + weight x the
    cosine of their lemma TF-IDF (sublinear, lemmas of at least two texts): cards that share
    the network's jargon ("OT", "taxe de séjour", "Apidae") come closer, which a
    multilingual sentence model does not know. weight 0 returns the embeddings unchanged.
    """
    emb = np.asarray(embeddings, dtype=np.float64)
    if weight <= 0 or len(emb) < 2:
        return emb
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=list, sublinear_tf=True, min_df=2)
    try:
        tfidf = vectorizer.fit_transform(lemmas).toarray()
    except ValueError:  # no lemma shared by two texts: nothing lexical to add
        return emb
    return np.hstack([np.sqrt(1.0 - weight) * normalise(emb), np.sqrt(weight) * tfidf])


def keyword_view(lemmas: list[tuple[str, ...]], word_vectors: dict[str, np.ndarray], fallback: np.ndarray) -> np.ndarray:
    """Each text's content lemmas -> (n, d) unit vectors: the TF-IDF-weighted mean of the lemmas' vectors.

    A view of the texts for ``cluster_embeddings``: what the card is about, without its
    phrasing, tone or sentiment, which weigh on a sentence embedding (restaurant reviews
    group by praise instead of by dish or service). Unlike exact lemma matching, related
    words meet ("serveur", "service"). word_vectors maps lemmas to vectors (the sentence
    model's, or static word vectors); lemmas it lacks are left out, and texts with none
    of its lemmas keep their row of fallback (n, d) (zero rows: no keyword evidence).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    out = normalise(fallback)
    known = [tuple(word for word in text_lemmas if word in word_vectors) for text_lemmas in lemmas]
    has_words = np.array([len(words) > 0 for words in known])
    if not has_words.any():
        return out
    vectorizer = TfidfVectorizer(analyzer=list, sublinear_tf=True)
    tfidf = vectorizer.fit_transform([words for words, keep in zip(known, has_words) if keep])
    vectors = normalise(np.stack([word_vectors[word] for word in vectorizer.get_feature_names_out()]))
    out[has_words] = normalise(np.asarray(tfidf @ vectors))
    return out


def mixed_views(unique_rows: np.ndarray, keyword_views: list[np.ndarray]) -> list[np.ndarray]:
    """(m, d) unit rows + keyword views of the same rows -> the views: the rows, then one per keyword view, half and half."""
    views = [unique_rows]
    for keywords in keyword_views:
        views.append(np.hstack([np.sqrt(1.0 - KEYWORD_WEIGHT) * unique_rows, np.sqrt(KEYWORD_WEIGHT) * normalise(keywords)]))
    return views


def n_neighbours(n: int) -> int:
    """Neighbours per text in the kNN graphs: round(sqrt(n)), at least 3, at most MAX_NEIGHBOURS and n - 1."""
    return int(min(n - 1, max(3, round(np.sqrt(n))), MAX_NEIGHBOURS))


def view_graphs(views: list[np.ndarray]) -> list[sparse.csr_matrix]:
    """(n, d) unit-row views of the same texts -> their kNN graphs."""
    k = n_neighbours(len(views[0]))
    return [knn_graph(view, k) for view in views]


def knn_graph(x: np.ndarray, k: int) -> sparse.csr_matrix:
    """(n, d) unit rows -> (n, n) symmetric sparse kNN graph weighted by cosine (clipped at 0).

    Rows are done in blocks, so memory grows as n x KNN_BLOCK, not n x n.
    """
    n = len(x)
    rows, cols, weights = [], [], []
    for start in range(0, n, KNN_BLOCK):
        s = x[start : start + KNN_BLOCK] @ x.T
        s[np.arange(len(s)), np.arange(start, start + len(s))] = -np.inf
        nn = top_k(s, k)
        rows.append(np.repeat(np.arange(start, start + len(s)), k))
        cols.append(nn.ravel())
        weights.append(np.take_along_axis(s, nn, axis=1).ravel())
    w = np.clip(np.concatenate(weights), 1e-6, None)  # keep every edge, even between unrelated texts
    g = sparse.csr_matrix((w, (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    return g.maximum(g.T).tocsr()


def top_k(s: np.ndarray, k: int) -> np.ndarray:
    """(b, n) similarities -> (b, k) column indices of each row's k largest, ties to the smallest index.

    argpartition finds each row's k-th value; only the candidates at or above it are
    sorted, so the choice among ties stays canonical (not left to the partition).
    """
    kth = -np.partition(-s, k - 1, axis=1)[:, k - 1]
    out = np.empty((len(s), k), dtype=np.int64)
    for i, row in enumerate(s):
        candidates = np.flatnonzero(row >= kth[i])
        out[i] = candidates[np.lexsort((candidates, -row[candidates]))][:k]
    return out
