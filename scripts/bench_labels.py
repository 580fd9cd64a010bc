"""How well theme labels name what humans grouped: makeorg proposals against moderator themes.

Runs synth's default path (the same code as ``synth cluster``) on
``../shared/eval/makeorg_themes_fr.csv`` and, for each theme found, checks
whether its label or keywords share a lemma with the moderator theme or the
moderator tags of its majority gold class (tags of the theme's own cards of
that class). Prints that rate and a sample of labels next to their gold theme.

    python scripts/bench_labels.py [--eval-dir DIR] [--show 10] [--granularity 1]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from synthesis.clean import clean_texts  # noqa: E402
from synthesis.load import load_cards  # noqa: E402
from synthesis.pipeline import Settings, synthesize  # noqa: E402

DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "eval"


def bare(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def lemma_set(texts: list[str]) -> set[str]:
    return {bare(lemma) for cleaned in clean_texts(texts) for lemma in cleaned.lemmas}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    parser.add_argument("--show", type=int, default=10, help="labels to print with their gold theme")
    parser.add_argument("--granularity", type=float, default=0.0, help="as synth cluster --granularity")
    args = parser.parse_args()
    path = args.eval_dir / "makeorg_themes_fr.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        gold = {row["id"]: row for row in csv.DictReader(handle)}

    start = time.perf_counter()
    synthesis = synthesize(load_cards(path, text_column="text", id_column="id"), Settings(granularity=args.granularity))
    elapsed = time.perf_counter() - start

    rows, matched = [], 0
    themes = [theme for theme in synthesis.themes() if not theme.isolated]
    for theme in themes:
        classes = Counter(gold[card_id]["label"] for card_id in theme.card_ids)
        majority, count = classes.most_common(1)[0]
        tags = [tag.replace("-", " ") for card_id in theme.card_ids if gold[card_id]["label"] == majority
                for tag in gold[card_id]["label_fine"].split("|") if tag]
        gold_lemmas = lemma_set([majority.replace("/", " ")] + tags)
        found_lemmas = lemma_set([theme.label] + theme.keywords)
        shared = sorted(found_lemmas & gold_lemmas)
        matched += bool(shared)
        rows.append((theme, majority, count, shared))

    print(f"makeorg_themes_fr: {len(themes)} themes from {len(synthesis.cards)} proposals in {elapsed:.1f} s")
    print(f"label or keywords share a lemma with the majority class's theme or tags: {matched}/{len(themes)} = {matched / len(themes):.0%}")
    print()
    print(f"{'label':<45} {'n':>3}  {'gold theme (share)':<42} shared lemmas")
    for theme, majority, count, shared in rows[: args.show]:
        share = f"{majority} ({count}/{theme.n_cards})"
        print(f"{theme.label[:45]:<45} {theme.n_cards:>3}  {share[:42]:<42} {', '.join(shared[:4]) or '—'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
