"""The default method's clustering space for large categories, without any n x n structure.

``cluster_embeddings`` is given ``lexical_space`` rows (the sentence embedding and the lemma
TF-IDF side by side, made dense) and keyword views, keeps the distinct rows and builds one
kNN graph per view from whole similarity matrices in blocks of rows. ``TextSpace`` holds the
same rows with the TF-IDF kept sparse and each row already scaled to unit norm, so that
every similarity the default method reads is a sum of three products:

    view 0 (the lexical space):  s0(i, j) = E_i . E_j + T_i . T_j
    view m (keyword view m):     0.5 s0(i, j) + 0.5 K_i . K_j

``knn_graphs`` computes them for a block of rows against all rows (time n^2 d / block,
memory block x n) and keeps each row's k best (torch's top-k: 25x faster than numpy's
partition on 2 cores); ``centroid_sims``, ``merge_to`` and ``fit_and_isolate`` are the
default method's theme bookkeeping computed on the distinct rows, copies counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from synthesis.cluster.isolate import ASIDE_FENCE, ASIDE_NEIGHBOURS, MIN_TEXTS, TUKEY, lower_fence, spare_every_theme
from synthesis.cluster.views import KEYWORD_WEIGHT, normalise

#: Similarities held at once while building the kNN graphs: a block of rows x all rows (float32, 4 bytes each).
BLOCK_CELLS = 50_000_000
_CENTROID_BLOCK = 8192  # texts scored against the centroids at once


@dataclass
class TextSpace:
    """Distinct rows of a category in the default method's canonical order, and where each text sits among them."""

    emb: np.ndarray  # (m, d) float32: sqrt(1 - w) x unit embedding / row norm
    tfidf: sparse.csr_matrix | None  # (m, v) float32: sqrt(w) x lemma TF-IDF / row norm (None: no lexical part)
    keywords: list[np.ndarray]  # (m, d') float32 unit keyword views (zero rows: no keyword evidence)
    inv: np.ndarray  # (n,) text -> distinct row
    order: np.ndarray  # (n,) canonical order: order[p] is the input index of the p-th text
    counts: np.ndarray  # (m,) copies of each distinct row

    def __len__(self) -> int:  # the number of texts, as len(xs) in the default method
        return len(self.inv)

    @property
    def n_rows(self) -> int:
        return len(self.emb)

    @classmethod
    def build(
        cls, embeddings: np.ndarray, lemmas: Sequence[tuple[str, ...]], lexical_weight: float, keyword_views: Sequence[np.ndarray] = ()
    ) -> TextSpace:
        emb = normalise(embeddings)
        tfidf = _sparse_tfidf(lemmas) if lexical_weight > 0 and len(emb) >= 2 else None
        w = lexical_weight if tfidf is not None else 0.0
        squared = (1.0 - w) * (emb**2).sum(axis=1) + (w * np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel() if tfidf is not None else 0.0)
        norm = np.sqrt(squared)
        scale = 1.0 / np.where(norm > 0, norm, 1.0)
        dense = emb * (np.sqrt(1.0 - w) * scale)[:, None]  # the first d columns of the default method's rows, in float64
        lemma_key = np.unique(["\x1f".join(sorted(text)) for text in lemmas], return_inverse=True)[1].ravel()
        # the default method sorts its rows lexicographically; rows with the same embedding part are then told apart by lemmas
        order = np.lexsort((lemma_key, *dense.T[::-1]))
        ds, ks = dense[order], lemma_key[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (ds[1:] != ds[:-1]).any(axis=1) | (ks[1:] != ks[:-1])
        first = np.flatnonzero(new)
        inv = np.cumsum(new) - 1
        rows = order[first]
        lexical = None
        if tfidf is not None:
            lexical = (sparse.diags(np.sqrt(w) * scale[rows]) @ tfidf[rows]).astype(np.float32).tocsr()
        keywords = [normalise(np.asarray(view)[rows]).astype(np.float32) for view in keyword_views]
        return cls(dense[rows].astype(np.float32), lexical, keywords, inv, order, np.bincount(inv))

    # --- the kNN graphs ---------------------------------------------------------------------

    def knn_graphs(self, k: int, block: int | None = None) -> tuple[list[sparse.csr_matrix], tuple[np.ndarray, np.ndarray]]:
        """-> (one symmetric kNN graph per view, as ``views.knn_graph`` builds them; each row's nearest rows in view 0).

        The second, ((m, k) rows, (m, k) similarities) sorted from the best, serves the isolation rule.
        Blocks of rows are independent (``knn_block``): an engine may compute them apart and pass them to ``join_blocks``.
        """
        block = block or self.block_size()
        return self.join_blocks([self.knn_block(start, min(self.n_rows, start + block), k) for start in range(0, self.n_rows, block)])

    def block_size(self) -> int:
        """Rows per block: BLOCK_CELLS similarities held at once."""
        return int(max(64, min(4096, BLOCK_CELLS // max(self.n_rows, 1))))

    def knn_block(self, start: int, stop: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Rows start:stop against all rows -> per view ((rows, k) nearest rows, (rows, k) similarities), best first."""
        import torch

        s0 = self.emb[start:stop] @ self.emb.T
        if self.tfidf is not None:  # sparse (m, v) x dense (v, block): no (block, m) sparse product to densify
            s0 += np.asarray(self.tfidf @ self.tfidf[start:stop].T.toarray()).T
        s0[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        out = []
        for view in range(1 + len(self.keywords)):
            s = s0 if view == 0 else (1.0 - KEYWORD_WEIGHT) * s0 + KEYWORD_WEIGHT * (self.keywords[view - 1][start:stop] @ self.keywords[view - 1].T)
            best, where = torch.topk(torch.from_numpy(s), k, dim=1)
            out.append((where.numpy(), best.numpy()))
        return out

    def join_blocks(self, blocks: list[list[tuple[np.ndarray, np.ndarray]]]) -> tuple[list[sparse.csr_matrix], tuple[np.ndarray, np.ndarray]]:
        """``knn_block`` results, in row order -> what ``knn_graphs`` returns."""
        m = self.n_rows
        graphs, nearest = [], None
        for view in range(len(blocks[0])):
            cols = np.concatenate([block[view][0] for block in blocks])
            sims = np.concatenate([block[view][1] for block in blocks]).astype(np.float64)
            if view == 0:
                nearest = (cols, sims)
            w = np.clip(sims, 1e-6, None).ravel()  # keep every edge, even between unrelated texts
            g = sparse.csr_matrix((w, (np.repeat(np.arange(m), cols.shape[1]), cols.ravel())), shape=(m, m))
            graphs.append(g.maximum(g.T).tocsr())
        return graphs, nearest

    # --- theme bookkeeping (labels are per text, in canonical order) ----------------------------

    def _centroids(self, labels: np.ndarray, themes: np.ndarray) -> tuple[np.ndarray, sparse.csr_matrix | None, np.ndarray]:
        """-> (emb part (k, d), lexical part (k, v), norm (k,)) of each theme's mean text row."""
        member = np.isin(labels, themes)
        op = sparse.csr_matrix(
            (np.ones(member.sum()), (np.searchsorted(themes, labels[member]), self.inv[member])), shape=(len(themes), self.n_rows)
        )
        op = sparse.diags(1.0 / np.maximum(np.asarray(op.sum(axis=1)).ravel(), 1)) @ op
        c_emb = np.asarray(op @ self.emb, dtype=np.float64)
        c_lex = (op @ self.tfidf).tocsr() if self.tfidf is not None else None
        squared = (c_emb**2).sum(axis=1) + (np.asarray(c_lex.multiply(c_lex).sum(axis=1)).ravel() if c_lex is not None else 0.0)
        norm = np.sqrt(squared)
        return c_emb, c_lex, np.where(norm > 0, norm, 1.0)

    def centroid_sims(self, labels: np.ndarray, themes: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """-> (rows, k) cosine of each text (all, or ``rows``) to the unit centroid of each theme (``dissolve_small``'s hook)."""
        c_emb, c_lex, norm = self._centroids(labels, themes)
        distinct = self.inv if rows is None else self.inv[rows]
        out = np.empty((len(distinct), len(themes)))
        for start in range(0, len(distinct), _CENTROID_BLOCK):
            block = distinct[start : start + _CENTROID_BLOCK]
            s = self.emb[block].astype(np.float64) @ c_emb.T
            if c_lex is not None:
                s += np.asarray((self.tfidf[block] @ c_lex.T).todense())
            out[start : start + len(block)] = s / norm
        return out

    def merge_to(self, labels: np.ndarray, k: int) -> np.ndarray:
        """``partition.merge_to`` on this space: merge the two themes with the most similar centroids until k remain."""
        labels = labels.copy()
        while len(np.unique(labels)) > k:
            themes = np.unique(labels)
            c_emb, c_lex, norm = self._centroids(labels, themes)
            s = c_emb @ c_emb.T + (np.asarray((c_lex @ c_lex.T).todense()) if c_lex is not None else 0.0)
            s /= np.outer(norm, norm)
            np.fill_diagonal(s, -np.inf)
            i, j = np.unravel_index(np.argmax(s), s.shape)
            labels[labels == themes[max(i, j)]] = themes[min(i, j)]
        return labels

    def fit_and_isolate(
        self, labels: np.ndarray, isolate: bool, nearest: tuple[np.ndarray, np.ndarray] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``isolate.fit_and_isolate`` on this space (nearest: each distinct row's nearest rows in view 0, from ``knn_graphs``;
        None: only the far-from-every-theme rule)."""
        themes = np.unique(labels)
        sims = self.centroid_sims(labels, themes)
        own = sims[np.arange(len(labels)), np.searchsorted(themes, labels)]
        best = sims.max(axis=1)
        labels = labels.copy()
        if isolate and len(labels) >= MIN_TEXTS:
            # rows are float32: compared at 1e-6, so that copies of one text (no spread: the fence is their value) stay in
            own_, best_ = np.round(own, 6), np.round(best, 6)
            aside = best_ < lower_fence(own_, TUKEY)
            if nearest is not None:
                closeness = np.round(self.neighbour_closeness(*nearest, ASIDE_NEIGHBOURS)[self.inv], 6)
                aside |= closeness < lower_fence(closeness, ASIDE_FENCE)
            labels[spare_every_theme(aside, labels, themes)] = -1
        return labels, np.clip(np.where(labels >= 0, own, best), 0.0, 1.0)

    def neighbour_closeness(self, view0_cols: np.ndarray, view0_best: np.ndarray, k: int) -> np.ndarray:
        """(m,) mean similarity of each distinct row to its k nearest other texts (``isolate.neighbour_closeness``).

        A row's own copies come first (similarity 1), then each nearest row as many times as it has copies.
        """
        k = min(k, len(self) - 1)
        if (self.counts == 1).all():
            return view0_best[:, :k].mean(axis=1)
        out = np.empty(self.n_rows)
        for i in range(self.n_rows):
            sims = [1.0] * (int(self.counts[i]) - 1)
            for j, s in zip(view0_cols[i], view0_best[i]):
                if len(sims) >= k:
                    break
                sims += [float(s)] * int(self.counts[j])
            out[i] = float(np.mean(sims[:k]))
        return out


def _sparse_tfidf(lemmas: Sequence[tuple[str, ...]]) -> sparse.csr_matrix | None:
    """The lemma TF-IDF of ``views.lexical_space`` (sublinear, lemmas of at least two texts, unit rows), kept sparse."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        return TfidfVectorizer(analyzer=list, sublinear_tf=True, min_df=2).fit_transform(list(lemmas)).tocsr()
    except ValueError:  # no lemma shared by two texts: nothing lexical to add
        return None

