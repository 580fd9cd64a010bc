"""Agreement of the large-category path (synthesis/cluster/large.py) with the default clustering where both run.

On the three ../shared/eval/ sets (one category each) and on each category of the demo
(cards unsplit, so that each text has one gold theme): the ARI between the two paths'
labels, and each path's ARI against the gold labels (isolated texts count as one more
group), with each path's clustering time; the default path with seed 1 against seed 0 as
the reference.

    python scripts/bench_large_agreement.py

``--sizes 1000,3000,10000,30000`` measures instead the clustering time and peak resident
memory of both paths on grown inputs of those sizes (prefixes of one input grown as
scripts/bench_speed.py grows them), the default path only up to ``--default-max`` texts:
where the two meet in time is where ``LARGE_CATEGORY`` is set. With ``--keep`` holding fewer
texts than a size, the rest are noisy copies of their vectors (a proxy for the clustering cost only).

    python scripts/bench_large_agreement.py --sizes 1000,3000,10000,30000 [--default-max 10000] [--cache-dir DIR] [--keep FILE]

``--recall 30000`` measures the approximate kNN of large categories (``space.NeighbourIndex``)
on the first 30,000 prepared texts: the share of the exact k neighbours it finds in each view,
on ``--sample`` rows (their exact neighbours searched among all rows), and how much less
similar the neighbours found are; with ``--themes`` also the ARI between the themes of the
approximate and the exact search (slow: the exact search is n^2 d).

    python scripts/bench_large_agreement.py --recall 30000 [--sample 2000] [--themes] --keep FILE
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
import threading
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
from synthesis import pipeline
from synthesis.cluster import large as cluster_large  # noqa: E402
from synthesis.clean import clean_texts, normalise_text  # noqa: E402
from synthesis.embed import load_embedder  # noqa: E402
from synthesis.load import load_cards  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
DEMO = ROOT / "corpora" / "ogd-occitanie-2023" / "cartes.csv"


def inputs() -> list[tuple[str, list[str], np.ndarray]]:
    """(name, texts, gold labels) of each set measured."""
    out = []
    for path in sorted(EVAL.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        out.append((path.stem, frame["text"].tolist(), frame["label"].to_numpy()))
    demo = pd.read_csv(DEMO, dtype=str, keep_default_na=False, sep=";", encoding="utf-8-sig")
    cards = load_cards(DEMO).cards  # categories as the pipeline reads them
    for name in sorted({card.category for card in cards}):
        part = [card for card in cards if card.category == name]
        out.append((f"demo:{name}", [card.text for card in part], demo["theme"].to_numpy()[[card.row - 2 for card in part]]))
    return out


def both_paths(texts: list[str], embedder) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    settings = pipeline.Settings()
    cleaned = clean_texts(texts)
    vectors = embedder.encode([normalise_text(text) for text in texts])
    vocabularies = pipeline._keyword_vocabularies(cleaned, embedder.encode)
    lemmas = [text.lemmas for text in cleaned]
    saved = cluster_large.LARGE_CATEGORY
    try:
        cluster_large.LARGE_CATEGORY = 10**9
        start = time.perf_counter()
        default = pipeline._cluster_category(vectors, lemmas, vocabularies, settings).labels
        t_default = time.perf_counter() - start
        cluster_large.LARGE_CATEGORY = -1
        start = time.perf_counter()
        large = pipeline._cluster_category(vectors, lemmas, vocabularies, settings).labels
        t_large = time.perf_counter() - start
        cluster_large.LARGE_CATEGORY = 10**9
        other_seed = pipeline._cluster_category(vectors, lemmas, vocabularies, pipeline.Settings(seed=1)).labels
    finally:
        cluster_large.LARGE_CATEGORY = saved
    return np.asarray(default), np.asarray(large), np.asarray(other_seed), t_default, t_large


def timed(run) -> tuple[np.ndarray, float, float]:
    """-> (labels, seconds, peak resident memory above the start, MiB) of one clustering call (RSS polled every 20 ms)."""
    page = os.sysconf("SC_PAGE_SIZE") / 2**20
    rss = lambda: int(Path("/proc/self/statm").read_text().split()[1]) * page  # noqa: E731
    base, peak, done = rss(), [0.0], threading.Event()

    def poll() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], rss() - base)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    start = time.perf_counter()
    labels = np.asarray(run().labels)
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    return labels, seconds, max(peak[0], rss() - base)


COPY_COSINE = 0.95  # about what a perturbed grown text keeps of its source text's embedding


def noisy_copies(vectors: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """(m, d) vectors -> (n, d): the m rows, then copies of them with Gaussian noise (cosine ~COPY_COSINE to their row)."""
    rng = np.random.default_rng(seed)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    copies = unit[np.arange(len(unit), n) % len(unit)]
    noise = rng.normal(size=copies.shape)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    spread = np.sqrt(1 - COPY_COSINE**2)
    return np.vstack([unit, (COPY_COSINE * copies + spread * noise).astype(vectors.dtype)])


def prepared_texts(n: int, cache_dir: Path | None, kept: Path | None) -> tuple[list, np.ndarray, object]:
    """-> (cleaned texts, embeddings, keyword vocabularies) of n grown texts, read from ``kept`` when it exists."""
    from bench_speed import grown_texts

    from synthesis.embed.cache import CachedEmbedder

    if kept is not None and kept.exists():
        with kept.open("rb") as stream:
            return pickle.load(stream)
    embedder = CachedEmbedder(load_embedder(), cache_dir)
    texts = grown_texts(n, seed=n)
    cleaned = clean_texts(texts)
    vectors = embedder.encode([normalise_text(text) for text in texts])
    vocabularies = pipeline._keyword_vocabularies(cleaned, embedder.encode)
    if kept is not None:
        with kept.open("wb") as stream:
            pickle.dump((cleaned, vectors, vocabularies), stream)
    return cleaned, vectors, vocabularies


def recall_table(n: int, n_sample: int, themes: bool, cache_dir: Path | None, kept: Path | None) -> None:
    from synthesis.cluster import space as cluster_space
    from synthesis.cluster.views import n_neighbours

    cleaned, vectors, vocabularies = prepared_texts(n, cache_dir, kept)
    lemmas = [text.lemmas for text in cleaned[:n]]
    views = pipeline._keyword_views(lemmas, vectors[:n], vocabularies)
    load = lambda: " ".join(f"{x:.1f}" for x in os.getloadavg())  # noqa: E731
    space = cluster_space.TextSpace.build(vectors[:n], lemmas, pipeline.Settings().lexical_weight, views, approximate=True)
    m, k = space.n_rows, n_neighbours(space.n_rows)
    sample = np.sort(np.random.default_rng(0).choice(m, size=min(n_sample, m), replace=False))
    start = time.perf_counter()
    parts = [space._knn_against(sample[a : a + 256], np.arange(m), k) for a in range(0, len(sample), 256)]
    print(f"{n} texts, {m} distinct, k = {k}: exact neighbours of {len(sample)} rows in {time.perf_counter() - start:.0f} s (load {load()})")
    start = time.perf_counter()
    blocks = [space.knn_block(a, min(m, a + space.block_size()), k) for a in range(0, m, space.block_size())]
    cells = len(space.index.starts) - 1
    candidates = np.mean([len(space.index.candidates(c)) for c in range(cells)])
    print(f"approximate: {cells} cells of ~{cluster_space.LIST_SIZE} rows, {cluster_space.PROBES} probes, {candidates:.0f} candidates "
          f"per row; every row's neighbours in {time.perf_counter() - start:.0f} s (load {load()})")
    for view in range(len(blocks[0])):
        found = np.concatenate([block[view][0] for block in blocks])
        sims = np.concatenate([block[view][1] for block in blocks])
        found[space.index.order], sims[space.index.order] = found.copy(), sims.copy()
        exact = np.concatenate([part[view][0] for part in parts])
        exact_sims = np.concatenate([part[view][1] for part in parts])
        recall = np.mean([len(np.intersect1d(found[row], truth)) for row, truth in zip(sample, exact)]) / k
        lost = np.mean(exact_sims.sum(axis=1) - sims[sample].sum(axis=1)) / k
        print(f"  view {view}: recall {recall:.4f}, similarity lost per neighbour {lost:.5f}")
    if themes:
        settings = pipeline.Settings()
        for approximate in (True, False):
            start = time.perf_counter()
            labels = cluster_large.cluster_large(vectors[:n], lemmas, lexical_weight=settings.lexical_weight, keyword_views=views,
                                                 random_state=settings.seed, approximate=approximate).labels
            print(f"themes, {'approximate' if approximate else 'exact'} search: {labels.max() + 1} themes in "
                  f"{time.perf_counter() - start:.0f} s (load {load()})", flush=True)
            if approximate:
                first = labels
        print(f"ARI approximate / exact search: {adjusted_rand_score(first, labels):.3f}")


def sizes_table(sizes: list[int], default_max: int, cache_dir: Path | None, kept: Path | None = None) -> None:
    start = time.perf_counter()
    cleaned, vectors, vocabularies = prepared_texts(max(sizes), cache_dir, kept)
    print(f"{len(vectors)} grown texts prepared (spaCy, embeddings, keyword vocabulary) in {time.perf_counter() - start:.0f} s")
    prepared = len(vectors)
    if max(sizes) > prepared:  # a proxy for the clustering cost only: noisy copies of the prepared texts' vectors
        vectors, cleaned = noisy_copies(vectors, max(sizes)), [cleaned[i % prepared] for i in range(max(sizes))]
        print(f"sizes above {prepared} texts: noisy copies of their vectors (cosine ~{COPY_COSINE} to the original), "
              f"same lemmas: a proxy for the clustering cost, not for quality")
    print(f"{'n':>7s} {'s default':>9s} {'s large':>8s} {'MiB default':>11s} {'MiB large':>9s} {'ARI paths':>9s} {'k def/large':>11s}")
    settings = pipeline.Settings()
    for n in sizes:
        lemmas = [text.lemmas for text in cleaned[:n]]
        views = pipeline._keyword_views(lemmas, vectors[:n], vocabularies)
        large, t_large, m_large = timed(lambda: cluster_large.cluster_large(
            vectors[:n], lemmas, lexical_weight=settings.lexical_weight, keyword_views=views, random_state=settings.seed))
        if n <= default_max:
            default, t_default, m_default = timed(lambda: pipeline.cluster_embeddings(
                pipeline.lexical_space(vectors[:n], lemmas, settings.lexical_weight), keyword_views=views, random_state=settings.seed))
            said = f"{t_default:9.1f} {t_large:8.1f} {m_default:11.0f} {m_large:9.0f} {adjusted_rand_score(default, large):9.3f} " \
                   f"{f'{default.max() + 1}/{large.max() + 1}':>11s}"
        else:
            said = f"{'-':>9s} {t_large:8.1f} {'-':>11s} {m_large:9.0f} {'-':>9s} {f'-/{large.max() + 1}':>11s}"
        print(f"{n:7d} {said}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="measure times and memory of both paths on grown inputs of these sizes")
    parser.add_argument("--default-max", type=int, default=10_000, help="largest size the default path is run on")
    parser.add_argument("--cache-dir", type=Path, help="embedding cache for --sizes (default: none)")
    parser.add_argument("--keep", type=Path, help="with --sizes: the prepared texts are read from this file, or written to it")
    parser.add_argument("--recall", type=int, help="measure the approximate kNN on this many grown texts")
    parser.add_argument("--sample", type=int, default=2000, help="with --recall: rows whose exact neighbours are searched")
    parser.add_argument("--themes", action="store_true", help="with --recall: also the ARI of the themes with the exact search")
    args = parser.parse_args()
    if args.recall:
        recall_table(args.recall, args.sample, args.themes, args.cache_dir, args.keep)
        return 0
    if args.sizes:
        sizes_table([int(size) for size in args.sizes.split(",")], args.default_max, args.cache_dir, args.keep)
        return 0
    embedder = load_embedder()
    print("cluster_large: blockwise kNN graphs, sparse consensus")
    print(f"{'set':28s} {'n':>5s} {'ARI paths':>9s} {'seed 0/1':>8s} {'gold default':>12s} {'gold large':>10s} "
          f"{'k def/large':>11s} {'s def/large':>12s}")
    agreements, floors = [], []
    for name, texts, gold in inputs():
        default, large, other_seed, t_default, t_large = both_paths(texts, embedder)
        agree = adjusted_rand_score(default, large)
        agreements.append(agree)
        floors.append(adjusted_rand_score(default, other_seed))
        k = f"{default.max() + 1}/{large.max() + 1}"
        print(f"{name:28s} {len(texts):5d} {agree:9.3f} {floors[-1]:8.3f} {adjusted_rand_score(gold, default):12.3f} "
              f"{adjusted_rand_score(gold, large):10.3f} {k:>11s} {t_default:5.1f}/{t_large:5.1f}", flush=True)
    print(f"mean ARI between paths: {np.mean(agreements):.3f} (default path, seed 0 against seed 1: {np.mean(floors):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
