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

Past ``APPROXIMATE_FROM`` distinct rows the n^2 d of the exact search is too slow for 100,000
texts (at 10,000 grown texts it already took 62 s of a loaded machine), so ``build`` adds a
``NeighbourIndex``: each row is scored, with the same exact similarities, against the
candidates of its k-means cell only (about PROBES x LIST_SIZE rows), which makes the search
linear in the rows (the index's k-means is not: its cells grow with the rows, n^2 / LIST_SIZE;
clustering of 30,000 / 100,000 proxy texts took 32.8 / 221.5 s on the quiet machine, exponent 1.59). ``knn_block`` / ``join_blocks`` stay the units of work. Measured
(scripts/bench_large_agreement.py --recall): share of the exact k neighbours found, on 10,000
grown texts .956 / .958 / .961 per view (4,948 candidates; those missed 0.0016-0.0024 less
similar than those found in their place); on the 2,348 real eval texts with 50-row cells
and 24 probes (1,010 candidates) .93-.95, themes ARI .911 with the exact search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from synthesis.cluster.isolate import (ASIDE_FENCE, ASIDE_NEIGHBOURS, LONELY_FENCE, MIN_TEXTS, TUKEY, lower_fence, off_topic,
                                       spare_every_theme)
from synthesis.cluster.views import KEYWORD_WEIGHT, normalise

#: Similarities held at once while building the kNN graphs: a block of rows x all rows (float32, 4 bytes each).
BLOCK_CELLS = 50_000_000
#: Past this many distinct rows the kNN graphs are searched among candidates (``NeighbourIndex``) instead of all rows.
APPROXIMATE_FROM = 20_000
#: Rows per list of the index (k-means cells of the rows), lists probed per list, and the nearest cells each row votes for.
LIST_SIZE = 200
PROBES = 24
VOTES = 4
KEYWORD_SHARE = 1.0
_CENTROID_BLOCK = 8192  # texts scored against the centroids at once


@dataclass
class TextSpace:
    """Distinct rows of a category in the default method's canonical order, and where each text sits among them."""

    emb: np.ndarray  # (m, d) float32: sqrt(1 - w) x unit embedding / row norm
    tfidf: sparse.csr_matrix | None  # (m, v) float32: sqrt(w) x lemma TF-IDF / row norm (None: no lexical part)
    keywords: list[np.ndarray | None]  # (m, d') float32 unit keyword views (zero rows: no keyword evidence); None: left out (bookkeeping)
    inv: np.ndarray  # (n,) text -> distinct row
    order: np.ndarray  # (n,) canonical order: order[p] is the input index of the p-th text
    counts: np.ndarray  # (m,) copies of each distinct row
    index: NeighbourIndex | None = None  # candidates for the kNN search (None: every row is a candidate)
    topical: np.ndarray | None = None  # (n,) each text's ``isolate.topicality`` in canonical order (None: no off-topic rule)

    def __len__(self) -> int:  # the number of texts, as len(xs) in the default method
        return len(self.inv)

    @property
    def n_rows(self) -> int:
        return len(self.emb)

    @classmethod
    def build(
        cls,
        embeddings: np.ndarray,
        lemmas: Sequence[tuple[str, ...]],
        lexical_weight: float,
        keyword_views: Sequence[np.ndarray] = (),
        approximate: bool | None = None,
        topicality: np.ndarray | None = None,
        distinct: bool = True,
    ) -> TextSpace:
        """approximate: search each row's neighbours among candidates (None: past ``APPROXIMATE_FROM`` distinct rows);
        topicality: (n,) each text's ``isolate.topicality``, in input order (None: no off-topic rule);
        distinct: False for one row a text in input order, without the canonical sort (3 s at 30,000 texts), where
        only centroids are read (their means count copies either way)."""
        emb = normalise(embeddings)
        tfidf = _sparse_tfidf(lemmas) if lexical_weight > 0 and len(emb) >= 2 else None
        w = lexical_weight if tfidf is not None else 0.0
        squared = (1.0 - w) * (emb**2).sum(axis=1) + (w * np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel() if tfidf is not None else 0.0)
        norm = np.sqrt(squared)
        scale = 1.0 / np.where(norm > 0, norm, 1.0)
        dense = emb * (np.sqrt(1.0 - w) * scale)[:, None]  # the first d columns of the default method's rows, in float64
        if distinct:
            lemma_key = np.unique(["\x1f".join(sorted(text)) for text in lemmas], return_inverse=True)[1].ravel()
            # the default method sorts its rows lexicographically; rows with the same embedding part are then told apart by lemmas
            order = np.lexsort((lemma_key, *dense.T[::-1]))
            ds, ks = dense[order], lemma_key[order]
            new = np.ones(len(order), dtype=bool)
            new[1:] = (ds[1:] != ds[:-1]).any(axis=1) | (ks[1:] != ks[:-1])
            inv = np.cumsum(new) - 1
            rows = order[np.flatnonzero(new)]
        else:  # one row a text, in input order
            order = inv = rows = np.arange(len(dense))
        lexical = None
        if tfidf is not None:
            lexical = (sparse.diags(np.sqrt(w) * scale[rows]) @ tfidf[rows]).astype(np.float32).tocsr()
        keywords = [normalise(np.asarray(view)[rows]).astype(np.float32) for view in keyword_views]
        topical = None if topicality is None else np.asarray(topicality, dtype=float)[order]
        space = cls(dense[rows].astype(np.float32), lexical, keywords, inv, order, np.bincount(inv), topical=topical)
        if approximate if approximate is not None else len(rows) > APPROXIMATE_FROM:
            space.index = NeighbourIndex.build(space)
        return space

    def bookkeeping(self) -> TextSpace:
        """This space without its keyword views (None in their place): what the theme bookkeeping reads.

        The views are 812 of a row's 1,324 float32 and only the kNN search and the index read
        them; centroids, merges, fit and isolation read the lexical view (``emb``, ``tfidf``). An
        engine keeps the whole space on its workers for the kNN blocks and its driver holds this.
        """
        return replace(self, keywords=[None] * len(self.keywords))

    # --- the kNN graphs ---------------------------------------------------------------------

    def knn_graphs(self, k: int, block: int | None = None) -> tuple[list[sparse.csr_matrix], tuple[np.ndarray, np.ndarray]]:
        """-> (one symmetric kNN graph per view, as ``views.knn_graph`` builds them; each row's nearest rows in view 0).

        The second, ((m, k) rows, (m, k) similarities) sorted from the best, serves the isolation rule.
        Blocks of rows are independent (``knn_block``): an engine may compute them apart and pass them to ``join_blocks``.
        """
        block = block or self.block_size()
        return self.join_blocks([self.knn_block(start, min(self.n_rows, start + block), k) for start in range(0, self.n_rows, block)])

    def block_size(self) -> int:
        """Rows per block: BLOCK_CELLS similarities held at once (with an index, a block is scored list by list)."""
        if self.index is not None:
            return 4096
        return int(max(64, min(4096, BLOCK_CELLS // max(self.n_rows, 1))))

    def knn_block(self, start: int, stop: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Rows start:stop -> per view ((rows, k) nearest rows, (rows, k) similarities), best first.

        Without an index, rows start:stop against all rows. With one, blocks run over the rows in the
        index's order (``index.order[start:stop]``, whole lists together) and each list's rows are
        scored against their candidates only; ``join_blocks`` puts the rows back in place.
        """
        if self.index is None:
            return self._knn_against(np.arange(start, stop), None, k)
        parts = []
        for cell in np.unique(self.index.cell[self.index.order[start:stop]]):
            first, last = self.index.starts[cell], self.index.starts[cell + 1]
            # always the whole cell, then the block's share of it: the same products whatever the block bounds
            found = self._knn_against(self.index.order[first:last], self.index.candidates(int(cell)), k)
            keep = slice(max(start, first) - first, min(stop, last) - first)
            parts.append([(cols[keep], sims[keep]) for cols, sims in found])
        return [(np.concatenate([p[v][0] for p in parts]), np.concatenate([p[v][1] for p in parts])) for v in range(len(parts[0]))]

    def _knn_against(self, rows: np.ndarray, candidates: np.ndarray | None, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """rows (consecutive when candidates is None) against candidates (None: all rows) -> knn_block's lists."""
        import torch

        if candidates is None:
            start, stop = int(rows[0]), int(rows[-1]) + 1
            s0 = self.emb[start:stop] @ self.emb.T
            if self.tfidf is not None:  # sparse (m, v) x dense (v, block): no (block, m) sparse product to densify
                s0 += np.asarray(self.tfidf @ self.tfidf[start:stop].T.toarray()).T
            s0[np.arange(stop - start), rows] = -np.inf
            keyword = lambda view: view[start:stop] @ view.T  # noqa: E731
        else:
            if len(candidates) <= k:  # too few candidates for k neighbours: every row is one
                candidates = np.arange(self.n_rows)
            s0 = self.emb[rows] @ self.emb[candidates].T
            if self.tfidf is not None:
                s0 += np.asarray(self.tfidf[candidates] @ self.tfidf[rows].T.toarray()).T
            itself = np.searchsorted(candidates, rows)
            s0[np.arange(len(rows)), itself] = -np.inf  # a list's rows are among its own candidates
            keyword = lambda view: view[rows] @ view[candidates].T  # noqa: E731
        out = []
        for view in range(1 + len(self.keywords)):
            s = s0 if view == 0 else (1.0 - KEYWORD_WEIGHT) * s0 + KEYWORD_WEIGHT * keyword(self.keywords[view - 1])
            best, where = torch.topk(torch.from_numpy(s), k, dim=1)
            where = where.numpy()
            out.append((where if candidates is None else candidates[where], best.numpy()))
        return out

    def join_blocks(self, blocks: list[list[tuple[np.ndarray, np.ndarray]]]) -> tuple[list[sparse.csr_matrix], tuple[np.ndarray, np.ndarray]]:
        """``knn_block`` results, in order of their start -> what ``knn_graphs`` returns."""
        m = self.n_rows
        graphs, nearest = [], None
        for view in range(len(blocks[0])):
            cols = np.concatenate([block[view][0] for block in blocks])
            sims = np.concatenate([block[view][1] for block in blocks]).astype(np.float64)
            if self.index is not None:  # blocks followed the index's order
                cols[self.index.order], sims[self.index.order] = cols.copy(), sims.copy()
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
        None: only the far-from-every-theme rule; the off-topic rule where the space has each text's ``topical``)."""
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
                aside |= off_topic(self.topical) & (closeness < lower_fence(closeness, LONELY_FENCE))
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



@dataclass
class NeighbourIndex:
    """Candidates for each row's nearest rows: an inverted file over k-means cells of the rows (plain arrays: picklable).

    The rows (each distinct row's embedding and keyword parts side by side, so that every
    view's neighbours are near) are cut into cells of about ``LIST_SIZE`` rows by spherical
    k-means; each row votes for its ``VOTES`` nearest cells, and a cell's candidates are the
    rows of the ``PROBES`` cells its rows voted for most (itself first). Each row is then
    scored exactly (every view, the sparse lemma part included) against its cell's
    candidates: time m x PROBES x LIST_SIZE x d instead of m^2 d.
    """

    cell: np.ndarray  # (m,) cell of each row
    order: np.ndarray  # (m,) rows sorted by cell (stable): the order knn_block's blocks follow
    starts: np.ndarray  # (cells + 1,) where each cell's rows begin in order
    probes: np.ndarray  # (cells, p) cells probed for each cell's rows, -1 padded

    @classmethod
    def build(cls, space: TextSpace, seed: int = 0) -> NeighbourIndex:
        from synthesis.cluster.large import micro_clusters  # here: large.py imports this module

        x = np.hstack([space.emb, *[KEYWORD_SHARE * view for view in space.keywords]])
        x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
        n_cells = max(1, space.n_rows // LIST_SIZE)
        cell = micro_clusters(x, n_cells, seed)
        n_cells = int(cell.max()) + 1
        centres = np.asarray(sparse.csr_matrix((np.ones(len(cell), dtype=np.float32), (cell, np.arange(len(cell))))) @ x)
        centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
        votes = min(VOTES, n_cells)
        voted = np.concatenate([_top_cells(x[a : a + 8192], centres, votes) for a in range(0, len(x), 8192)])
        tally = sparse.csr_matrix((np.ones(voted.size), (np.repeat(cell, votes), voted.ravel())), shape=(n_cells, n_cells)).toarray()
        tally[np.arange(n_cells), np.arange(n_cells)] = np.inf  # a cell's own rows are always candidates
        p = min(PROBES, n_cells)
        probes = np.argsort(-tally, axis=1, kind="stable")[:, :p]
        probes = np.where(np.take_along_axis(tally, probes, axis=1) > 0, probes, -1)
        order = np.argsort(cell, kind="stable")
        starts = np.concatenate([[0], np.cumsum(np.bincount(cell, minlength=n_cells))])
        return cls(cell, order, starts, probes)

    def candidates(self, cell: int) -> np.ndarray:
        """(c,) sorted rows scored against the rows of this cell."""
        probed = self.probes[cell][self.probes[cell] >= 0]
        return np.sort(np.concatenate([self.order[self.starts[c] : self.starts[c + 1]] for c in probed]))


def _top_cells(x: np.ndarray, centres: np.ndarray, p: int) -> np.ndarray:
    """(b, d) rows, (c, d) centres -> (b, p) the p most similar centres of each row."""
    import torch

    return torch.topk(torch.from_numpy(np.ascontiguousarray(x @ centres.T)), p, dim=1).indices.numpy()

