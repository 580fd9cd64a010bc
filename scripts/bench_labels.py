"""How well theme labels, quotes and keywords read: against human theme names, by parse, by support.

On the demo corpus (reference `theme` column) and on workshop-sized draws of
``../shared/eval/makeorg_themes_fr.csv`` (8-12 moderator tags x 12 proposals, the fine
labels `tag_primary`), for every theme synth finds, prints:

- **lemma agreement**: the share of themes whose label shares a content lemma
  (accents ignored) with the reference name most of its cards carry; beside it, the
  same with lemmas of one family as ``summarise.labels.same_family`` reads them (spaCy
  lemmatises « passionnés » as « passionner » and « passionnées » as « passionné »),
  and a looser stem figure (first 6 letters of a lemma: « fiscalité » / « fiscal »);
- **whole constituents**: the share of labels that pass ``fragment_reason``;
- **support**: the share of themes whose label is carried by at least a third of
  their idea units (``summarise.labels.carries``), and the mean share carried;
- on the demo, **quotes**: the share of quotes whose fit is at or above their
  theme's median; **asides**: recall and precision of the cards set aside
  (« Idées isolées ») against the reference's « Idée isolée »; and the labels next to
  the reference names.

    python scripts/bench_labels.py [--draws 10] [--eval-dir DIR] [--cache DIR]

``--cache DIR`` keeps each run's clustering (units, vectors, clusters) and reruns only
the clean and summarise stages on later calls: for tuning labels, not for figures
that involve the clustering.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import synthesis.pipeline as pipeline  # noqa: E402
from synthesis.cards import Card, CardSet  # noqa: E402
from synthesis.clean import clean_texts  # noqa: E402
from synthesis.embed import load_embedder  # noqa: E402
from synthesis.load import load_cards  # noqa: E402
from synthesis.spelling import bare  # noqa: E402
from synthesis.summarise import fragment_reason, summarise_category  # noqa: E402
from synthesis.summarise.labels import same_family  # noqa: E402

from bench_quality import workshop_draws  # noqa: E402  (scripts/ is on the path when run as a script)

DEMO = ROOT / "corpora" / "ogd-occitanie-2023" / "cartes.csv"
DEFAULT_EVAL_DIR = ROOT.parent / "shared" / "eval"
#: The demo reference's name for asides: not a theme name to agree with.
ASIDE = "Idée isolée"
SUPPORT_THRESHOLD = 1 / 3
STEM = 6


@dataclass
class Run:
    """One synth run's categories, with what the metrics need."""

    categories: list  # CategoryResult
    fit: dict[str, float]  # unit id -> fit


def run_pipeline(card_set: CardSet, cache: Path | None, name: str) -> Run:
    """synth's default path; with a cache, the clustering is reused and clean + summarise rerun."""
    path = cache / f"{name}.pkl" if cache else None
    if path and path.exists():
        inputs, groups = pickle.loads(path.read_bytes())
        texts = [unit.text for data in inputs for unit in data.units]
        cleaned = iter(clean_texts(texts))
        encode = load_embedder().encode
        results = []
        for data in inputs:
            data = replace(data, cleaned=[next(cleaned) for _ in data.units])
            results.append(summarise_category(data, all_groups=groups, encode=encode)[0])
        return Run(results, {u.id: float(f) for data in inputs for u, f in zip(data.units, data.fit)})
    recorded = []
    original = pipeline.summarise_category

    def recording(data, **kwargs):
        recorded.append(data)
        return original(data, **kwargs)

    pipeline.summarise_category = recording
    try:
        synthesis = pipeline.synthesize(card_set)
    finally:
        pipeline.summarise_category = original
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps((recorded, synthesis.groups)))
    return Run(synthesis.categories, {uid: p.fit for uid, p in synthesis.placements.items()})


def content_lemmas(texts: list[str]) -> list[set[str]]:
    """Content lemmas and content words, accents ignored (« élus » read as a participle still meets « élu »)."""
    return [{bare(word) for word in cleaned.lemmas + cleaned.words} for cleaned in clean_texts(texts)]


@dataclass
class Scores:
    themes: int = 0
    agree: int = 0
    agree_stem: int = 0
    agree_family: int = 0
    agree_tags: int = 0
    agree_keywords: int = 0
    whole: int = 0
    supported: int = 0
    support_sum: float = 0.0
    pure: int = 0  # themes whose majority reference name holds at least half of their cards
    pure_agree: int = 0

    def add(self, other: Scores) -> None:
        for key in vars(self):
            setattr(self, key, getattr(self, key) + getattr(other, key))

    def lines(self) -> list[str]:
        n = max(self.themes, 1)
        return [
            f"label shares a content lemma with the majority reference name: {self.agree}/{self.themes} = {self.agree / n:.0%}"
            f" (same family as the labels' support counts it: {self.agree_family / n:.0%}; stem, {STEM} letters: {self.agree_stem / n:.0%}"
            + (f"; any tag of those cards: {self.agree_tags / n:.0%})" if self.agree_tags else ")"),
            f"  label or keywords share one (as the earlier bench counted): {self.agree_keywords / n:.0%}",
            f"  among the {self.pure} themes whose majority name holds >= half their cards: {self.pure_agree / max(self.pure, 1):.0%}",
            f"labels that are whole constituents (fragment check): {self.whole}/{self.themes} = {self.whole / n:.0%}",
            f"labels carried by >= 1/3 of their theme's units: {self.supported}/{self.themes} = {self.supported / n:.0%}"
            f" (mean share {self.support_sum / n:.2f})",
        ]


def score_run(run: Run, reference: dict[str, str], tags: dict[str, str] | None = None) -> tuple[Scores, list[tuple]]:
    """Scores of one run's themes against reference names (card id -> name), and (label, majority, count, n) rows.

    tags (card id -> "tag|tag"): also count a label sharing a lemma with any tag of the majority's cards.
    """
    themes = [theme for category in run.categories for theme in category.themes if not theme.isolated]
    majorities = []
    for theme in themes:
        names = Counter(reference[c] for c in theme.card_ids if reference.get(c) and reference[c] != ASIDE)
        majorities.append(names.most_common(1)[0] if names else (ASIDE, 0))
    label_lemmas = content_lemmas([theme.label for theme in themes])
    keyword_lemmas = content_lemmas([" ".join(theme.keywords) for theme in themes])
    reference_lemmas = content_lemmas([name.replace("-", " ") for name, _ in majorities])
    docs = list(__import__("synthesis.clean", fromlist=["load_nlp"]).load_nlp().pipe([t.label for t in themes]))
    tag_lemmas = content_lemmas([
        " ".join(t.replace("-", " ") for c in theme.card_ids if reference.get(c) == name for t in tags[c].split("|"))
        for theme, (name, _) in zip(themes, majorities)
    ]) if tags else [set()] * len(themes)
    scores, rows = Scores(), []
    rows_in = zip(themes, majorities, label_lemmas, reference_lemmas, docs, tag_lemmas, keyword_lemmas)
    for theme, (name, count), found, wanted, doc, tagged, keywords in rows_in:
        if name == ASIDE:
            continue
        scores.themes += 1
        scores.agree_tags += bool(found & (tagged | wanted)) if tags else 0
        scores.agree += bool(found & wanted)
        scores.agree_keywords += bool((found | keywords) & wanted)
        if 2 * count >= theme.n_cards:
            scores.pure += 1
            scores.pure_agree += bool(found & wanted)
        scores.agree_stem += bool({w[:STEM] for w in found} & {w[:STEM] for w in wanted})
        scores.agree_family += any(same_family(a, b) for a in found for b in wanted)
        reason = fragment_reason(theme.label, doc)
        scores.whole += reason is None
        scores.supported += theme.label_support >= SUPPORT_THRESHOLD - 1e-9
        scores.support_sum += theme.label_support
        rows.append((theme, name, count, bool(found & wanted), reason))
    return scores, rows


def quote_fit_share(run: Run) -> tuple[int, int]:
    """(quotes whose fit is >= their theme's median fit, quotes)."""
    good = total = 0
    for category in run.categories:
        for theme in category.themes:
            if theme.isolated or not theme.quotes:
                continue
            median = float(np.median([run.fit[u] for u in theme.unit_ids]))
            for quote in theme.quotes:
                fits = [run.fit[u] for u in theme.unit_ids if u.split("#")[0] == quote.card_id]
                total += 1
                good += max(fits) >= median - 1e-9
    return good, total


def aside_scores(run: Run, reference: dict[str, str]) -> tuple[int, int, int]:
    """(cards synth set aside that the reference calls « Idée isolée », cards synth set aside, reference asides)."""
    isolated = {c for category in run.categories for theme in category.themes if theme.isolated for c in theme.card_ids}
    asides = {card for card, name in reference.items() if name == ASIDE}
    return len(isolated & asides), len(isolated), len(asides)


def bench_demo(cache: Path | None) -> None:
    frame = pd.read_csv(DEMO, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    reference = dict(zip(frame["N°"], frame["theme"]))
    start = time.perf_counter()
    run = run_pipeline(load_cards(DEMO), cache, "demo")
    scores, rows = score_run(run, reference)
    good, total = quote_fit_share(run)
    print(f"demo ({DEMO.relative_to(ROOT)}), {time.perf_counter() - start:.0f} s")
    for line in scores.lines():
        print("  " + line)
    print(f"  quotes whose fit is >= their theme's median: {good}/{total} = {good / max(total, 1):.0%}")
    hits, isolated, asides = aside_scores(run, reference)
    print(f"  « {ASIDE} » cards set aside: recall {hits}/{asides} = {hits / max(asides, 1):.2f}, precision {hits}/{isolated} = {hits / max(isolated, 1):.2f}")
    print(f"\n  {'label':<44} {'sup':>4}  {'majority reference name (cards)':<46} agree")
    for theme, name, count, agree, reason in rows:
        mark = ("yes" if agree else "-") + (f"  FRAGMENT: {reason}" if reason else "")
        print(f"  {theme.label[:44]:<44} {theme.label_support:>4.2f}  {f'{name} ({count}/{theme.n_cards})'[:46]:<46} {mark}")


def bench_makeorg(eval_dir: Path, n_draws: int, cache: Path | None, show: int) -> None:
    frame = pd.read_csv(eval_dir / "makeorg_themes_fr.csv", dtype=str, keep_default_na=False)
    fine = frame["tag_primary"].to_numpy(dtype=str)
    total, shown, start = Scores(), [], time.perf_counter()
    for k, idx in enumerate(workshop_draws(fine, n_draws, seed=0, n_labels=(8, 12))):
        cards = [Card(id=frame["id"][i], text=frame["text"][i], group="Groupe unique", category="cartes", row=n + 2) for n, i in enumerate(idx)]
        run = run_pipeline(CardSet(Path("makeorg"), cards), cache, f"makeorg-{k}")
        scores, rows = score_run(run, dict(zip(frame["id"], frame["tag_primary"])), dict(zip(frame["id"], frame["label_fine"])))
        total.add(scores)
        shown += rows
    print(f"\nmakeorg_themes_fr: {n_draws} workshop draws (8-12 tags x 12 proposals), {total.themes} themes, {time.perf_counter() - start:.0f} s")
    for line in total.lines():
        print("  " + line)
    print(f"\n  {'label (first draws)':<50} {'sup':>4}  {'majority tag (proposals)':<34} agree")
    for theme, name, count, agree, reason in shown[:show]:
        mark = ("yes" if agree else "-") + (f"  FRAGMENT: {reason}" if reason else "")
        print(f"  {theme.label[:50]:<50} {theme.label_support:>4.2f}  {f'{name} ({count}/{theme.n_cards})'[:34]:<34} {mark}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    parser.add_argument("--draws", type=int, default=10, help="makeorg workshop draws (default 10)")
    parser.add_argument("--show", type=int, default=25, help="makeorg labels to print with their tag")
    parser.add_argument("--cache", type=Path, default=None, help="reuse the clustering stored here (tuning only)")
    args = parser.parse_args()
    bench_demo(args.cache)
    if (args.eval_dir / "makeorg_themes_fr.csv").is_file():
        bench_makeorg(args.eval_dir, args.draws, args.cache, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
