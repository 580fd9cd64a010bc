"""Run times, per-stage times and peak memory of synth, from the demo to 100,000 texts in one category.

Every measured run is a new process (imports, spaCy and embedder loading included) that
runs load -> synthesize -> write_outputs, as ``synth cluster`` does:

- cold: an empty cache (embeddings, parses, cleaned texts, clusterings, charts);
- warm: the same cache again, on the same input with 1 % of the texts replaced by new
  ones (a re-run after an edit; for the demo, the input unchanged);
- in-process (demo only): the same call again in a process that already holds the
  models, which is what a notebook or a long-lived service pays.

Inputs beyond the demo are one category of n texts grown by resampling the texts of
../shared/eval/ and of the demo with light perturbation (a word dropped, doubled or
swapped, a case or punctuation change, until every text is distinct), so that the cache
cannot serve duplicates. The growth exponent between two sizes is
log(t2 / t1) / log(n2 / n1) (1: linear).

    python scripts/bench_speed.py [--sizes 400,3000,30000,100000] [--no-warm]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "ogd-occitanie-2023" / "cartes.csv"
EVAL = ROOT.parent / "shared" / "eval"
N_GROUPS = 12
NEW_SHARE = 0.01


# --- inputs -------------------------------------------------------------------


def source_texts() -> list[str]:
    texts = []
    for path in sorted(EVAL.glob("*.csv")):
        with path.open(encoding="utf-8") as stream:
            texts += [row["text"] for row in csv.DictReader(stream) if row["text"].strip()]
    with DEMO.open(encoding="utf-8-sig") as stream:
        texts += [row["Carte"] for row in csv.DictReader(stream, delimiter=";") if row["Carte"].strip()]
    return texts


def perturb(text: str, rng: random.Random) -> str:
    """One light edit of a text: a reader would call it the same answer, the cache a new text."""
    words = text.split()
    edit = rng.randrange(5)
    if edit == 0 and len(words) > 3:
        del words[rng.randrange(len(words))]
    elif edit == 1 and words:
        i = rng.randrange(len(words))
        words.insert(i, words[i])
    elif edit == 2 and len(words) > 2:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    elif edit == 3 and words:
        i = rng.randrange(len(words))
        words[i] = words[i].lower() if words[i][:1].isupper() else words[i].capitalize()
    else:
        words.append(rng.choice(["!", "...", "?", ";", "(à voir)", "- important", "merci", "svp"]))
    return " ".join(words)


def grown_texts(n: int, seed: int, avoid: set[str] = frozenset()) -> list[str]:
    """n distinct texts drawn from the sources, each perturbed until new (and not in avoid)."""
    rng = random.Random(seed)
    sources = source_texts()
    seen, out = set(avoid), []
    while len(out) < n:
        text = rng.choice(sources)
        for _ in range(1 + rng.randrange(3)):
            text = perturb(text, rng)
        while text in seen:
            text = perturb(text, rng)
        seen.add(text)
        out.append(text)
    return out


def write_input(path: Path, texts: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["N°", "Groupe", "Catégorie", "Carte"])
        for i, text in enumerate(texts):
            writer.writerow([f"R{i + 1:06d}", f"Groupe {i % N_GROUPS + 1}", "Réponses", text])


def with_new_share(texts: list[str], seed: int) -> list[str]:
    """The same texts with NEW_SHARE of them (at least one) replaced by new ones."""
    rng = random.Random(seed + 1)
    out = list(texts)
    replaced = rng.sample(range(len(texts)), max(1, round(NEW_SHARE * len(texts))))
    for i, text in zip(replaced, grown_texts(len(replaced), seed + 2, avoid=set(texts))):
        out[i] = text
    return out


# --- one measured run (a child process) -----------------------------------------


def child(path: Path, out: Path, cache: Path, in_process_repeats: int) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(ROOT))
    from synthesis.load import load_cards
    from synthesis.pipeline import synthesize
    from synthesis.report import chart_cache, write_outputs

    chart_cache.use_directory(cache / "charts")  # as ``synth cluster`` does with its cache folder

    imports = time.perf_counter() - START
    walls = []
    for _ in range(1 + in_process_repeats):
        begin = time.perf_counter()
        timings: dict[str, float] = {"imports": imports} if not walls else {}
        t = time.perf_counter()
        card_set = load_cards(path)
        timings["load"] = time.perf_counter() - t
        synthesis = synthesize(card_set, cache_dir=cache, timings=timings)
        t = time.perf_counter()
        write_outputs(synthesis, out)
        timings["reports"] = time.perf_counter() - t
        walls.append((time.perf_counter() - (START if not walls else begin), timings))
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    themes = sum(len([t for t in c.themes if not t.isolated]) for c in synthesis.categories)
    print(json.dumps({"walls": walls, "peak_mib": peak_self, "peak_children_mib": peak_children, "themes": themes}))


def measure(path: Path, out: Path, cache: Path, in_process_repeats: int = 0) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path), str(out), str(cache), str(in_process_repeats)],
        check=True, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- report -----------------------------------------------------------------------

STAGES = ["imports", "load", "split", "spacy", "model load", "embedding", "keyword vocabulary", "clustering", "summaries",
          "cross-reading", "reports"]


def stage_line(timings: dict) -> str:
    return " · ".join(f"{name} {timings[name]:.1f}" for name in STAGES if name in timings)


def print_run(label: str, result: dict) -> None:
    wall, timings = result["walls"][0]
    peak = result["peak_mib"]
    extra = f" (+ child processes {result['peak_children_mib']:.0f} MiB)" if result["peak_children_mib"] > 1 else ""
    print(f"  {label}: {wall:.1f} s, peak {peak:.0f} MiB{extra}, {result['themes']} themes "
          f"(load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at its end)", flush=True)
    print(f"    stages (s): {stage_line(timings)}", flush=True)
    for repeat, (seconds, stages) in enumerate(result["walls"][1:], start=1):
        print(f"  in-process repeat #{repeat} (models loaded, cache warm): {seconds:.1f} s — {stage_line(stages)}", flush=True)


def exponent(n1: int, v1: float, n2: int, v2: float) -> float:
    return math.log(v2 / v1) / math.log(n2 / n1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="400,3000,30000,100000", help="400 is the demo itself; other sizes are grown inputs")
    parser.add_argument("--no-warm", action="store_true", help="cold runs only")
    parser.add_argument("--warm-sizes", default="400,3000,30000", help="sizes also measured with a warm cache")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), Path(args.child[2]), int(args.child[3]))
        return 0
    sizes = [int(size) for size in args.sizes.split(",")]
    warm_sizes = set() if args.no_warm else {int(size) for size in args.warm_sizes.split(",")}
    print(f"{os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at start", flush=True)
    colds = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in sizes:
            cache = tmp / f"cache-{n}"
            if n == 400:
                path, label = DEMO, "demo (400 cards, 4 categories)"
            else:
                texts = grown_texts(n, args.seed + n)
                path, label = tmp / f"grown-{n}.csv", f"{n} texts in one category"
                write_input(path, texts)
            print(f"{label}", flush=True)
            colds[n] = cold = measure(path, tmp / f"out-{n}", cache)
            print_run("cold cache", cold)
            if n in warm_sizes:
                if n == 400:
                    warm = measure(path, tmp / f"out-{n}-warm", cache, in_process_repeats=1)
                    print_run("warm cache, same input (new process)", warm)
                else:
                    edited = tmp / f"grown-{n}-edited.csv"
                    write_input(edited, with_new_share(texts, args.seed + n))
                    warm = measure(edited, tmp / f"out-{n}-warm", cache)
                    print_run(f"warm cache, {NEW_SHARE:.0%} new texts", warm)
                print(f"  cold / warm: {cold['walls'][0][0] / warm['walls'][0][0]:.1f}x", flush=True)
    grown = [n for n in sizes if n in colds]
    for a, b in zip(grown, grown[1:]):
        (wa, _), (wb, _) = colds[a]["walls"][0], colds[b]["walls"][0]
        print(f"growth {a} -> {b}: time exponent {exponent(a, wa, b, wb):.2f}, "
              f"memory exponent {exponent(a, colds[a]['peak_mib'], b, colds[b]['peak_mib']):.2f}")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
