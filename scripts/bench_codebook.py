"""Bench of ``synth apply``: themes built on one half of a labelled set, applied as a codebook to the other half.

For each set, the applied themes of the second half are scored against the gold labels
(ARI, NMI; isolated cards count as one more group, as in bench_quality.py) next to
clustering the second half from scratch, with the share of cards sent to new themes
(« nouveau ») and to the isolated ideas. Sets:

- ../shared/eval/makeorg_themes_fr.csv, split in two halves by a fixed seed (one category);
- the demo (corpora/ogd-occitanie-2023/cartes.csv), split by groups (first half of the
  groups is the codebook), scored per category against its ``theme`` column;
- workshop-sized draws of makeorg (bench_quality's draws, each split in halves).

    python scripts/bench_codebook.py [--methods centre:0.1,knn:0.1] [--draws 5] [--seeds 0,1,2] [--skip demo,draws]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
from synthesis.cards import Card, CardSet  # noqa: E402
from synthesis.codebook import apply_codebook  # noqa: E402
from synthesis.load import load_cards  # noqa: E402
from synthesis.pipeline import Settings, synthesize  # noqa: E402

from bench_quality import FINE, card_labels, workshop_draws  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
DEMO = ROOT / "corpora" / "ogd-occitanie-2023" / "cartes.csv"
CACHE = Path(tempfile.mkdtemp(prefix="bench-codebook-cache-"))


def card_set(texts: list[str], ids: list[str]) -> CardSet:
    cards = [Card(id=i, text=t, group="Groupe unique", category="cartes", row=n + 2) for n, (i, t) in enumerate(zip(ids, texts))]
    return CardSet(Path("bench.csv"), cards)


def scored(run, card_ids: list[str], gold: np.ndarray) -> dict:
    labels = card_labels(run, card_ids)
    first_unit = {}
    for unit in run.units:
        first_unit.setdefault(unit.card_id, unit.id)
    new_ids = {t.id for t in run.themes() if t.new}
    new = np.array([run.placements[first_unit[c]].theme_id in new_ids for c in card_ids])
    return {"ari": adjusted_rand_score(gold, labels), "nmi": normalized_mutual_info_score(gold, labels),
            "new": float(new.mean()), "iso": float((labels < 0).mean()), "k": len(set(labels[labels >= 0].tolist()))}


def line(name: str, s: dict, seconds: float) -> str:
    return f"{name:30s} ARI {s['ari']:.3f}  NMI {s['nmi']:.3f}  themes {s['k']:5.1f}  nouveau {s['new']:5.1%}  isolées {s['iso']:5.1%}  {seconds:6.1f}s"


def methods_arg(text: str) -> list[tuple[str, float]]:
    return [(m.split(":")[0], float(m.split(":")[1])) for m in text.split(",")]


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def bench_halves(name: str, frame: pd.DataFrame, methods, seed: int) -> dict:
    order = np.random.default_rng(seed).permutation(len(frame))
    first, second = frame.iloc[np.sort(order[: len(frame) // 2])], frame.iloc[np.sort(order[len(frame) // 2:])]
    settings = Settings()
    codebook, dt = timed(synthesize, card_set(first.text.tolist(), first.id.tolist()), settings, cache_dir=CACHE)
    print(f"\n{name}: codebook on {len(first)} texts, applied to {len(second)} (seed {seed})")
    print(line("codebook (first half)", scored(codebook, first.id.tolist(), first.label.to_numpy()), dt))
    new_set = card_set(second.text.tolist(), second.id.tolist())
    scratch, dt = timed(synthesize, new_set, settings, cache_dir=CACHE)
    results = {"scratch": scored(scratch, second.id.tolist(), second.label.to_numpy())}
    print(line("second half from scratch", results["scratch"], dt))
    for method, quantile in methods:
        applied, dt = timed(apply_codebook, codebook, new_set, settings, method=method, quantile=quantile, cache_dir=CACHE)
        results[f"{method}:{quantile:g}"] = scored(applied, second.id.tolist(), second.label.to_numpy())
        print(line(f"applied, {method} q={quantile:g}", results[f"{method}:{quantile:g}"], dt))
    return results


def bench_demo(methods) -> None:
    """Both ways: the first half of the groups as codebook for the second, then the other way round."""
    gold = pd.read_csv(DEMO, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False).set_index("N°")["theme"]
    everything = load_cards(DEMO)
    groups = everything.groups
    halves = groups[: len(groups) // 2], groups[len(groups) // 2:]
    for codebook_groups, new_groups in (halves, halves[::-1]):
        first, second = (CardSet(DEMO, [c for c in everything.cards if c.group in half]) for half in (codebook_groups, new_groups))
        print(f"\ndemo: codebook on {', '.join(codebook_groups)} ({len(first.cards)} cards), applied to {', '.join(new_groups)} ({len(second.cards)} cards)")
        codebook, seconds = timed(synthesize, first, Settings(), cache_dir=CACHE)
        runs = {"codebook (its own groups)": ((codebook, seconds), first), "from scratch": (timed(synthesize, second, Settings(), cache_dir=CACHE), second)}
        for method, quantile in methods:
            runs[f"applied, {method} q={quantile:g}"] = (timed(apply_codebook, codebook, second, Settings(), method=method, quantile=quantile, cache_dir=CACHE), second)
        for name, ((run, seconds), cards) in runs.items():
            per_category = []
            for category in cards.categories:
                ids = [c.id for c in cards.cards if c.category == category]
                per_category.append(scored(run, ids, gold.loc[ids].to_numpy(dtype=str)))
            mean = {key: float(np.mean([s[key] for s in per_category])) for key in per_category[0]}
            print(line(f"{name} (mean of {len(per_category)} cat.)", mean, seconds) + "   ARI by category " +
                  " ".join(f"{s['ari']:.2f}" for s in per_category))


def bench_draws(frame: pd.DataFrame, methods, n_draws: int, seed: int) -> None:
    fine = frame[FINE["makeorg_themes_fr"]].fillna("").to_numpy(dtype=str)
    draws = workshop_draws(fine, n_draws, seed=seed, n_labels=(8, 12), per_label=12)
    table: dict[str, list[dict]] = {}
    for number, index in enumerate(draws):
        draw = frame.iloc[index].assign(label=fine[index])
        with _quiet():
            results = bench_halves(f"draw {number}", draw, methods, seed)
        for key, value in results.items():
            table.setdefault(key, []).append(value)
    n = np.mean([len(i) for i in draws])
    print(f"\nmakeorg workshop-sized draws ({n_draws} draws of ~{n:.0f} texts on fine tags, halves of ~{n / 2:.0f}), mean:")
    for key, values in table.items():
        mean = {k: float(np.mean([v[k] for v in values])) for k in values[0]}
        print(line(key, mean, 0.0))


class _quiet:
    def __enter__(self):
        self.stdout, sys.stdout = sys.stdout, open(os.devnull, "w")

    def __exit__(self, *exc):
        sys.stdout.close()
        sys.stdout = self.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", type=methods_arg, default=methods_arg("knn:0.02,centre:0.05"))
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--seeds", default="0,1,2,3,4", help="seeds of the makeorg halves (the mean is printed too)")
    parser.add_argument("--skip", default="", help="comma-separated: makeorg, demo, draws")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    frame = pd.read_csv(EVAL / "makeorg_themes_fr.csv", dtype=str, keep_default_na=False)
    seeds = [int(seed) for seed in args.seeds.split(",")]
    if "makeorg" not in skip:
        table: dict[str, list[dict]] = {}
        for seed in seeds:
            for key, value in bench_halves("makeorg_themes_fr", frame, args.methods, seed).items():
                table.setdefault(key, []).append(value)
        print(f"\nmakeorg_themes_fr halves, mean over seeds {args.seeds}:")
        for key, values in table.items():
            print(line(key, {k: float(np.mean([v[k] for v in values])) for k in values[0]}, 0.0))
    if "demo" not in skip:
        bench_demo(args.methods)
    if "draws" not in skip and args.draws:
        bench_draws(frame, args.methods, args.draws, seeds[0])


if __name__ == "__main__":
    main()
