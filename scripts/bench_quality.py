"""Quality bench of synth's default theme clustering on labelled French texts.

For each ../shared/eval/*.csv: (a) the whole set, (b) workshop-scale draws (fixed seed),
(c) stability between two 90 % subsamples, (d) ``--themes`` set to the true number of labels,
(e) asides: off-topic texts of the other sets slipped into the idea draws, and the demo's « Idée isolée » cards;
synth's default path next to KMeans given the true number of labels (an oracle a real user does not have). Isolated texts (-1) count as
one more group in ARI/NMI.

    python scripts/bench_quality.py [--quick] [--eval-dir DIR] [--draws N] [--pairs N] [--draw-shape 12-15x10] [--seed N]

``--draw-shape`` changes the workshop-scale draws (labels per draw x texts per label) for every
set, to see how the figures move with the size of a category (4-6x8: a small group's wall;
12-15x10: a large category with many fine themes).

``--seed`` changes the seed of synth's Leiden runs (``synth --seed``), the draws staying the same:
the spread between seeds is the noise band of a figure (issue-19 note, seeds 0 / 1 / 2: makeorg
standard draws .488 / .495 / .489, demo mean ARI .298 / .299 / .292, one category moving by up to .025),
so a lever is worth keeping only beyond it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
from synthesis.cards import Card, CardSet  # noqa: E402
from synthesis.clean import normalise_text  # noqa: E402
from synthesis.embed import load_embedder  # noqa: E402
from synthesis.load import load_cards  # noqa: E402
from synthesis.pipeline import Settings, synthesize  # noqa: E402

from bench_embedders import neighbour_purity  # noqa: E402  (scripts/ is on the path when run as a script)


def embed_texts(texts: list[str]) -> np.ndarray:
    """The vectors synth's pipeline computes for these texts (for the KMeans oracle)."""
    return load_embedder().encode([normalise_text(text) for text in texts])


def card_labels(synthesis, card_ids: list[str]) -> np.ndarray:
    """(n,) theme index of each card (its first idea segment's theme), -1 for isolated ideas."""
    first_unit = {}
    for unit in synthesis.units:
        first_unit.setdefault(unit.card_id, unit.id)
    index = {}
    for theme in synthesis.themes():
        index[theme.id] = -1 if theme.isolated else len(index)
    return np.array([index[synthesis.placements[first_unit[card_id]].theme_id] for card_id in card_ids])


# workshop-scale draws: fine label column, number of labels drawn, texts per label
FINE = {"makeorg_themes_fr": "tag_primary", "semeval16_absa_fr": "label_fine"}
ASIDE_HOST = "makeorg_themes_fr"  # the idea-level set that receives off-topic texts in bench_asides
DRAW_LABELS_FINE, DRAW_LABELS_COARSE, PER_LABEL, MIN_LABEL_SIZE = (8, 12), (5, 7), 12, 5


def workshop_draws(labels: np.ndarray, n_draws: int, seed: int, n_labels: tuple[int, int], per_label: int = PER_LABEL) -> list[np.ndarray]:
    """-> n_draws sorted index arrays: n_labels[0]..n_labels[1] labels (>= MIN_LABEL_SIZE texts) x up to per_label texts."""
    rng = np.random.default_rng(seed)
    values, counts = np.unique(labels, return_counts=True)
    eligible = values[(counts >= MIN_LABEL_SIZE) & (values != "")]
    lo, hi = min(n_labels[0], len(eligible)), min(n_labels[1], len(eligible))
    out = []
    for _ in range(n_draws):
        chosen = rng.choice(eligible, size=int(rng.integers(lo, hi + 1)), replace=False)
        idx = [rng.choice(np.flatnonzero(labels == c), size=min(per_label, int((labels == c).sum())), replace=False) for c in chosen]
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


#: seed of synth's Leiden runs in every run of the bench (``--seed``; synth's default 0)
LEIDEN_SEED = 0


def run_synth(texts: list[str], n_themes: int | None = None) -> tuple[np.ndarray, float]:
    """synth's default path, the same code as ``synth cluster [--themes N] [--seed LEIDEN_SEED]``, on texts of one category."""
    cards = [Card(id=f"t{i}", text=text, group="Groupe unique", category="cartes", row=i + 2) for i, text in enumerate(texts)]
    start = time.perf_counter()
    synthesis = synthesize(CardSet(Path("bench"), cards), Settings(n_themes=n_themes, seed=LEIDEN_SEED))
    return card_labels(synthesis, [card.id for card in cards]), time.perf_counter() - start


def kmeans_oracle(emb: np.ndarray, gold: np.ndarray) -> np.ndarray:
    return KMeans(len(set(gold.tolist())), n_init=10, random_state=0).fit_predict(emb)


def stability(texts: list[str], pairs: int) -> tuple[float, float, float]:
    """ARI between synth runs on two random 90 % subsamples, on their common texts.

    -> (mean, min, max) over `pairs` independent pairs: one pair alone varies by +-0.04.
    """
    values = []
    for seed in range(1, pairs + 1):
        rng = np.random.default_rng(seed)
        n = len(texts)
        a, b = (np.sort(rng.choice(n, int(0.9 * n), replace=False)) for _ in range(2))
        la, lb = run_synth([texts[i] for i in a])[0], run_synth([texts[i] for i in b])[0]
        common = np.intersect1d(a, b)
        values.append(adjusted_rand_score(la[np.searchsorted(a, common)], lb[np.searchsorted(b, common)]))
    return float(np.mean(values)), float(np.min(values)), float(np.max(values))


def fmt_row(name: str, s: dict, oracle: dict, seconds: float) -> str:
    return (
        f"{name:34s} {s['ari']:6.3f} {s['nmi']:6.3f} {s['k']:6.1f} {s['gold']:5.1f} {s['iso']:5.1%}"
        f" {seconds:7.2f}s | {oracle['ari']:6.3f} {oracle['nmi']:6.3f}"
    )


HEADER = f"{'set':34s} {'ARI':>6s} {'NMI':>6s} {'k':>6s} {'gold':>5s} {'isol':>5s} {'time':>8s} | {'KM-ARI':>6s} {'KM-NMI':>6s}"


def bench_set(
    name: str, texts: list[str], gold: np.ndarray, fine: np.ndarray | None, n_draws: int, pairs: int, shape: tuple[tuple[int, int], int] | None = None
) -> None:
    """shape: ((min, max) labels per draw, texts per label) for every set; None: the default draws."""
    emb = embed_texts(texts)
    labels, dt = run_synth(texts)
    print(fmt_row(f"{name} (whole, n={len(texts)})", scores(gold, labels), scores(gold, kmeans_oracle(emb, gold)), dt))
    if n_draws:
        draw_gold = fine if fine is not None else gold
        rng_labels, per_label = shape or (DRAW_LABELS_FINE if fine is not None else DRAW_LABELS_COARSE, PER_LABEL)
        draws = workshop_draws(draw_gold, n_draws, seed=0, n_labels=rng_labels, per_label=per_label)
        rows, orc, times, within, forced, purity, ratio = [], [], [], [], [], [], []
        for idx in draws:
            lab, dt = run_synth([texts[i] for i in idx])
            s = scores(draw_gold[idx], lab)
            rows.append(s)
            orc.append(scores(draw_gold[idx], kmeans_oracle(emb[idx], draw_gold[idx])))
            times.append(dt)
            purity.append(neighbour_purity(emb[idx], draw_gold[idx], k=5)[0])  # (share, chance): the share
            within.append(abs(s["k"] / s["gold"] - 1) <= 0.4)
            ratio.append(s["k"] / s["gold"])
            forced.append(adjusted_rand_score(draw_gold[idx], run_synth([texts[i] for i in idx], s["gold"])[0]))
        mean = {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}
        omean = {key: float(np.mean([r[key] for r in orc])) for key in orc[0]}
        n_mean = np.mean([len(i) for i in draws])
        label = f"  {n_draws} draws (n~{n_mean:.0f}, k ok {np.mean(within):.0%})"
        print(fmt_row(label, mean, omean, float(np.mean(times))))
        print(f"  draws: themes found / gold {np.mean(ratio):.2f} on average; 5 nearest neighbours with the same label {np.mean(purity):.2f} (embeddings alone)")
    forced_whole = run_synth(texts, len(set(gold.tolist())))[0]
    print(
        f"  --themes <gold k>: whole ARI {adjusted_rand_score(gold, forced_whole):.3f} NMI {normalized_mutual_info_score(gold, forced_whole):.3f}"
        + (f", draws ARI {np.mean(forced):.3f}" if n_draws else "")
    )
    if pairs:
        mean, low, high = stability(texts, pairs)
        print(f"  stability (2 x 90% subsamples, {pairs} pairs): ARI {mean:.3f} (min {low:.3f}, max {high:.3f})")


def bench_ogd(path: Path) -> None:
    """Workshop corpus through the whole pipeline, scored per category against the `theme` column (reported, not tuned on)."""
    gold = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False).set_index("N°")["theme"]
    card_set = load_cards(path)
    start = time.perf_counter()
    synthesis = synthesize(card_set, Settings(seed=LEIDEN_SEED))
    seconds = time.perf_counter() - start
    print(f"\n{path.relative_to(ROOT)} (per category; whole pipeline {seconds:.1f} s)")
    print(HEADER)
    aris, isolated, aside = [], [], []
    for category, result in zip(card_set.categories, synthesis.categories):
        cards = [card for card in card_set.cards if card.category == category]
        truth = gold.loc[[card.id for card in cards]].to_numpy(dtype=str)
        labels = card_labels(synthesis, [card.id for card in cards])
        emb = embed_texts([card.text for card in cards])
        s = scores(truth, labels)
        aris.append(s["ari"])
        isolated += list(labels < 0)
        aside += list(truth == ISOLATED_GOLD)
        print(fmt_row(f"{category} (n={len(cards)})", s, scores(truth, kmeans_oracle(emb, truth)), 0.0) + f"  resolution {result.grain.get('resolution')}")
    isolated, aside = np.array(isolated), np.array(aside)
    hits = int((isolated & aside).sum())
    print(f"mean ARI {np.mean(aris):.3f}; « {ISOLATED_GOLD} » cards: {aside.sum()}, set aside by synth: {isolated.sum()}, both: {hits}"
          f" (recall {hits / max(1, aside.sum()):.2f}, precision {hits / max(1, isolated.sum()):.2f})")


ISOLATED_GOLD = "Idée isolée"
N_OFF_TOPIC = 3


def bench_asides(name: str, texts: list[str], fine: np.ndarray, others: dict[str, list[str]], n_draws: int, shape) -> None:
    """N_OFF_TOPIC texts of another set slipped into each idea draw: the share set aside (recall) and the share of the set-aside that they are (precision)."""
    rng_labels, per_label = shape or (DRAW_LABELS_FINE, PER_LABEL)
    draws = workshop_draws(fine, n_draws, seed=0, n_labels=rng_labels, per_label=per_label)
    for other, other_texts in others.items():
        rng = np.random.default_rng(5)
        hits = isolated = 0
        for idx in draws:
            inserted = [other_texts[i] for i in rng.choice(len(other_texts), N_OFF_TOPIC, replace=False)]
            labels = run_synth([texts[i] for i in idx] + inserted)[0]
            hits += int((labels[-N_OFF_TOPIC:] < 0).sum())
            isolated += int((labels < 0).sum())
        print(
            f"  asides: {N_OFF_TOPIC} {other} texts in each of {n_draws} {name} draws: recall {hits / (N_OFF_TOPIC * n_draws):.2f},"
            f" precision {hits / max(1, isolated):.2f}"
        )


def _str_col(df: pd.DataFrame, col: str) -> np.ndarray:
    return np.array([str(v) if isinstance(v, str) or not pd.isna(v) else "" for v in df[col]], dtype=str)


def _draw_shape(value: str) -> tuple[tuple[int, int], int]:
    """'12-15x10' -> ((12, 15), 10)."""
    try:
        labels, per_label = value.lower().split("x")
        low, _, high = labels.partition("-")
        shape = (int(low), int(high or low)), int(per_label)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected MIN-MAXxPER such as 12-15x10, got {value!r}") from None
    if not 2 <= shape[0][0] <= shape[0][1] or shape[1] < 1:
        raise argparse.ArgumentTypeError(f"expected 2 <= MIN <= MAX and PER >= 1, got {value!r}")
    return shape


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "eval")
    ap.add_argument("--quick", action="store_true", help="5 draws per set, no stability")
    ap.add_argument("--draws", type=int, default=20, help="workshop-scale draws per set (default 20)")
    ap.add_argument("--pairs", type=int, default=10, help="subsample pairs for the stability figure (default 10)")
    ap.add_argument("--draw-shape", type=_draw_shape, default=None, metavar="MIN-MAXxPER", help="labels per draw and texts per label, e.g. 12-15x10 (default: 8-12x12 fine, 5-7x12 coarse)")
    ap.add_argument("--seed", type=int, default=0, help="seed of synth's Leiden runs (default 0): the spread between seeds is a figure's noise")
    args = ap.parse_args()
    global LEIDEN_SEED
    LEIDEN_SEED = args.seed
    n_draws = 5 if args.quick else args.draws

    files = sorted(args.eval_dir.glob("*.csv"))
    if not files:
        sys.exit(f"no eval files in {args.eval_dir}")
    print(f"synth default: {synthesize(CardSet(Path('x'), [Card('a', 'essai', 'g', 'c', 2)])).method}, Leiden seed {LEIDEN_SEED}")
    print("columns: synth ARI / NMI / themes found / gold / isolated share / time | KMeans given gold k: ARI / NMI\n")
    print(HEADER)
    texts = {f.stem: pd.read_csv(f)["text"].tolist() for f in files}
    for f in files:
        df = pd.read_csv(f)
        fine_col = FINE.get(f.stem)
        fine = _str_col(df, fine_col) if fine_col and fine_col in df else None
        bench_set(f.stem, df["text"].tolist(), _str_col(df, "label"), fine, n_draws, 0 if args.quick else args.pairs, args.draw_shape)
        if f.stem == ASIDE_HOST and fine is not None and n_draws:
            bench_asides(f.stem, df["text"].tolist(), fine, {k: v for k, v in texts.items() if k != f.stem}, n_draws, args.draw_shape)
    ogd = ROOT / "corpora" / "ogd-occitanie-2023" / "cartes.csv"
    if ogd.exists():
        bench_ogd(ogd)


if __name__ == "__main__":
    main()
