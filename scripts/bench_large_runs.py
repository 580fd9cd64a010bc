"""Leiden runs per consensus round on the large-category path: agreement with 60 runs, and seed 1 against seed 0.

Reads the texts prepared by ``bench_large_agreement.py --sizes ... --keep FILE`` and clusters
the first N of them with ``cluster_large`` at each number of runs (labels kept beside FILE, so
that a later call reuses them). Figures behind ``large.LARGE_RUNS``.

    python scripts/bench_large_runs.py FILE N RUNS[,RUNS...]      e.g. /tmp/prep10k.pkl 5000 24,12
"""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from synthesis import pipeline  # noqa: E402
from synthesis.cluster import large as cluster_large  # noqa: E402


def main() -> int:
    kept, n, runs_list = Path(sys.argv[1]), int(sys.argv[2]), [int(r) for r in sys.argv[3].split(",")]
    with kept.open("rb") as stream:
        cleaned, vectors, vocabularies = pickle.load(stream)
    lemmas = [text.lemmas for text in cleaned[:n]]
    views = pipeline._keyword_views(lemmas, vectors[:n], vocabularies)

    def labels(runs: int, seed: int) -> np.ndarray:
        path = kept.with_name(f"{kept.stem}-labels-{n}-{runs}-{seed}.npy")
        if path.exists():
            return np.load(path)
        cluster_large.FEWER_RUNS_FROM, cluster_large.LARGE_RUNS = 0, runs
        start = time.perf_counter()
        out = cluster_large.cluster_large(vectors[:n], lemmas, lexical_weight=0.1, keyword_views=views, random_state=seed).labels
        print(f"{n} texts, {runs} runs, seed {seed}: {time.perf_counter() - start:.1f} s, {out.max() + 1} themes", flush=True)
        np.save(path, out)
        return out

    for runs in runs_list:
        print(f"{n} texts, {runs} runs: ARI against 60 runs {adjusted_rand_score(labels(60, 0), labels(runs, 0)):.3f}, "
              f"seed 1 against seed 0 {adjusted_rand_score(labels(runs, 0), labels(runs, 1)):.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
