"""Editor review figures on the demo corpus (printed; no assertion).

- re-render: ``synth report`` in a new process (imports included), after the cluster
  run that drew the charts (the usual case) and with an empty chart cache, and the same
  render in a warm process (load the saved result, apply the edits, write the reports);
- click: from a click in the review page (Debian's chromium through Playwright) to the
  page saying that the edit is saved and the reports re-rendered, for --clicks renames;
- theme ids: the share of a run's themes whose id a re-run keeps, for re-runs with
  another seed and with 10% new cards (the run made without one card in ten);
  each re-run is a full clustering (~15 s).

    python scripts/bench_review.py [--clicks 10] [--seeds 1 2 3] [--tenths 7 3 5] [--screenshot page.png]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "ogd-occitanie-2023" / "cartes.csv"


def report_in_new_process(out: Path, cache: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "synthesis.cli", "report", str(out)], check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT), "SYNTH_CACHE_DIR": str(cache)})
    return time.perf_counter() - start


def report_times(out: Path, cache: Path) -> tuple[float, float, float]:
    """New process with the charts the cluster run drew, new process drawing every chart, warm process."""
    from synthesis.corrections import render_folder

    after_cluster = statistics.median(report_in_new_process(out, cache) for _ in range(3))
    with tempfile.TemporaryDirectory() as empty:
        no_charts = report_in_new_process(out, Path(empty))
    render_folder(out)  # imports
    warm = min(render_folder(out).seconds for _ in range(3))
    return after_cluster, no_charts, warm


def click_times(out: Path, clicks: int, screenshot: str | None) -> list[float]:
    import re

    from playwright.sync_api import expect, sync_playwright

    from synthesis.review.server import ReviewServer

    server = ReviewServer(out)
    server.start()
    timings = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(server.url)
            page.locator("section.theme").first.wait_for()
            for i in range(1, clicks + 1):
                label = page.locator('section.theme[data-theme-id="forces-02"] input.label')
                label.fill(f"Relations de confiance ({i})")
                start = time.perf_counter()
                label.press("Enter")
                expect(page.locator("#status")).to_have_text(re.compile(rf"correction n° {i}\)\. Comptes rendus à jour"), timeout=30_000)
                timings.append(time.perf_counter() - start)
            if screenshot:
                page.locator('section.theme[data-theme-id="forces-04"] select.merge-target').select_option("forces-05")
                page.locator('section.theme[data-theme-id="forces-04"] button.merge').click()
                expect(page.locator("#status")).to_have_text(re.compile(r"^Enregistré : fusionner"), timeout=30_000)
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=screenshot)
            browser.close()
    finally:
        server.close()
    return timings


def id_stability(seeds: list[int], tenths: list[int]) -> None:
    from synthesis.corrections import match_theme_ids
    from synthesis.load import load_cards
    from synthesis.pipeline import Settings, synthesize

    cards = load_cards(DEMO)
    base = synthesize(cards)
    for seed in seeds:
        _, matching = match_theme_ids(base, synthesize(cards, Settings(seed=seed)))
        print(f"  seed 0 -> seed {seed}: {matching.by_overlap + matching.by_centre}/{matching.previous} ids kept "
              f"({matching.kept_share:.0%}; by centre: {matching.by_centre})")
    for tenth in tenths:
        partial = synthesize(dataclasses.replace(cards, cards=[c for i, c in enumerate(cards.cards) if i % 10 != tenth]))
        _, matching = match_theme_ids(partial, base)
        print(f"  90% (without i % 10 == {tenth}) -> all cards: {matching.by_overlap + matching.by_centre}/{matching.previous} "
              f"ids kept ({matching.kept_share:.0%}; by centre: {matching.by_centre})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--tenths", type=int, nargs="*", default=[7, 3, 5])
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory() as folder:
        out, cache = Path(folder) / "out", Path(folder) / "cache"
        subprocess.run([sys.executable, "-m", "synthesis.cli", "cluster", str(DEMO), "-o", str(out), "--quiet"], check=True,
                       capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT), "SYNTH_CACHE_DIR": str(cache)})
        after_cluster, no_charts, warm = report_times(out, cache)
        print(f"synth report in a new process: {after_cluster:.2f} s (median of 3; charts drawn by the cluster run), "
              f"{no_charts:.2f} s drawing every chart (empty cache); {warm:.2f} s warm (load + apply + write the reports)")
        if args.clicks:
            timings = click_times(out, args.clicks, args.screenshot)
            print(f"click -> reports re-rendered ({len(timings)} renames): median {statistics.median(timings):.2f} s, "
                  f"max {max(timings):.2f} s")
    if args.seeds or args.tenths:
        print("theme ids kept by a re-run (share of the previous run's themes):")
        id_stability(args.seeds, args.tenths)


if __name__ == "__main__":
    main()
