"""Agreement of the micro-cluster path (synthesis/cluster/large.py) with the default clustering where both run.

On the three ../shared/eval/ sets (one category each) and on each category of the demo
(cards unsplit, so that each text has one gold theme): the ARI between the two paths'
labels, and each path's ARI against the gold labels (isolated texts count as one more
group), with each path's clustering time.

    python scripts/bench_large_agreement.py [--micro-size 4] [--max-micro 1500]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--micro-size", type=int, default=cluster_large.MICRO_SIZE)
    parser.add_argument("--max-micro", type=int, default=cluster_large.MAX_MICRO)
    parser.add_argument("--centre-granularity", type=float, default=cluster_large.CENTRE_GRANULARITY)
    args = parser.parse_args()
    cluster_large.MICRO_SIZE, cluster_large.MAX_MICRO = args.micro_size, args.max_micro
    cluster_large.CENTRE_GRANULARITY = args.centre_granularity
    embedder = load_embedder()
    print(f"micro-clusters: n // {args.micro_size}, at most {args.max_micro}; granularity on the centres +{args.centre_granularity:g}")
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
