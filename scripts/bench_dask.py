"""Throughput of ``synth cluster --engine dask`` with 1 and 2 local workers, and a projection to 2 million texts.

    flock /tmp/synth-heavy.lock nice -n 5 python scripts/bench_dask.py --sizes 30000 --workers 2,1 [--agreement]

Inputs are grown from ../shared/eval and the demo as in scripts/bench_speed.py (one
category, every text distinct). Each run: a fresh LocalCluster (start time printed apart),
a cold embedding cache, the whole pipeline to a ``Synthesis`` (reports are the same as
on one machine and left out). Printed per run: wall time, texts/s, per-stage times, peak
memory of each worker process and of the driver (this process; it also hosts the
LocalCluster's scheduler), the driver's peak during each stage and how much it rose above
the stage's start (resident memory polled every 20 ms), and inside the clustering the wall time of the kNN blocks and
of the Leiden runs (both run on the workers). ``--agreement`` also runs the
single-machine path on the same input (after the Dask runs, so the driver's peak is not
inflated; with the embedding cache the first Dask run filled, which gives the same
vectors) and prints the ARI with the first Dask run at that size. ``--labels PREFIX`` writes
each run's theme of every unit to PREFIX-N-WORKERS.json, to compare runs of two versions.

The projection, from the run with the most workers at the largest size, splits it into:
the per-text work the workers share (spaCy + embedding, the keyword vocabulary: linear in
the texts, divided among the workers), the kNN blocks (divided among the workers; linear in the
texts when the run already searched among candidates, past ``space.APPROXIMATE_FROM`` distinct
texts, n^2 when it searched exactly), the Leiden runs (on the workers, a few tasks per round: taken as linear in the texts and spread
over at most LEIDEN_TASKS workers) and the rest, on the driver (splitting, the clustering's
space, consensus, dissolution and isolation, the summaries, merging: taken as linear).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TARGET = 2_000_000


def _peak_mib() -> float:
    """This process' peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _stage_peaks(peaks: dict[str, tuple[float, float]]):
    """-> a replacement of ``pipeline.stage_timer`` that also keeps, per stage, (the driver's peak resident MiB,
    its rise above the stage's start), polled every 20 ms: the driver's memory where the work is, not its peak
    over the run (which models, scheduler and summaries may set)."""
    from contextlib import contextmanager

    from synthesis.pipeline import stage_timer

    def timer(timings: dict[str, float]):
        timed = stage_timer(timings)

        @contextmanager
        def stage(name: str):
            start, peak, done = _rss_mib(), [0.0], threading.Event()

            def poll() -> None:
                while not done.wait(0.02):
                    peak[0] = max(peak[0], _rss_mib())

            watcher = threading.Thread(target=poll, daemon=True)
            watcher.start()
            try:
                with timed(name):
                    yield
            finally:
                done.set()
                watcher.join()
                top = max(peak[0], _rss_mib())
                before = peaks.get(name, (0.0, 0.0))
                peaks[name] = (max(before[0], top), max(before[1], top - start))

        return stage

    return timer


#: Leiden tasks per consensus round past 20,000 texts (24 runs, RUNS_PER_TASK = 4: 3 views x 2, then 6).
LEIDEN_TASKS = 6


def _timed(module, name: str, timings: dict, label: str) -> None:
    """Wrap module.name so that its wall time adds up in timings[label] (the clustering's inner steps)."""
    function = getattr(module, name)

    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timings[label] = timings.get(label, 0.0) + time.perf_counter() - began

    setattr(module, name, timed)


def run_dask(path: Path, workers: int, partitions: int | None, cache: Path) -> dict:
    from synthesis.cluster import large, partition
    from synthesis.engine import partitioned
    from synthesis.engine.dask import DaskEngine
    from synthesis.load import load_cards
    from synthesis.pipeline import synthesize

    started = time.perf_counter()
    engine = DaskEngine(workers=workers, partitions=partitions, memory_limit="8GiB")
    start_s = time.perf_counter() - started
    inner: dict[str, float] = {}
    saved = large.knn_graphs, partition.leiden_runs, partitioned.stage_timer
    stage_peaks: dict[str, tuple[float, float]] = {}
    partitioned.stage_timer = _stage_peaks(stage_peaks)
    _timed(large, "knn_graphs", inner, "kNN blocks")
    _timed(partition, "leiden_runs", inner, "Leiden runs")
    try:
        cards = load_cards(path)
        timings: dict[str, float] = {}
        began = time.perf_counter()
        synthesis = synthesize(cards, engine=engine, cache_dir=cache, timings=timings)
        wall = time.perf_counter() - began
        worker_peaks = engine.client.run(_peak_mib)
    finally:
        large.knn_graphs, partition.leiden_runs, partitioned.stage_timer = saved
        engine.close()
    timings.update({f"  of which {label}": seconds for label, seconds in inner.items()})
    return {"start_s": start_s, "wall_s": wall, "timings": timings, "worker_peaks": sorted(worker_peaks.values()),
            "driver_peak": _peak_mib(), "stage_peaks": stage_peaks, "synthesis": synthesis, "partitions": engine.partitions_for(len(synthesis.units))}


def agreement(path: Path, spread, cache: Path) -> tuple[float, float]:
    from sklearn.metrics import adjusted_rand_score

    from synthesis.load import load_cards
    from synthesis.pipeline import synthesize

    began = time.perf_counter()
    single = synthesize(load_cards(path), cache_dir=cache)
    wall = time.perf_counter() - began
    ids = [unit.id for unit in single.units]
    return adjusted_rand_score([single.placements[i].theme_id for i in ids], [spread.placements[i].theme_id for i in ids]), wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30000,100000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--agreement", action="store_true", help="also run the single-machine path and print the ARI")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="one embedding cache for every run (warm when it was filled before; times are then not cold)")
    parser.add_argument("--labels", metavar="PREFIX", help="write each run's theme of every unit to PREFIX-N-WORKERS.json")
    args = parser.parse_args()
    import bench_speed as bench  # scripts/ is on the path when run as a script, as bench_quality imports bench_embedders
    print(f"{os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at start", flush=True)
    largest = None
    for n in (int(size) for size in args.sizes.split(",")):
        folder = Path(tempfile.mkdtemp(prefix="bench-dask-"))
        path = folder / f"grown-{n}.csv"
        bench.write_input(path, bench.grown_texts(n, 0))
        first = None
        for i, workers in enumerate(int(w) for w in args.workers.split(",")):
            cache = args.cache_dir or folder / f"cache-{i}"  # a cold cache each run, unless one is given
            result = run_dask(path, workers, args.partitions, cache)
            stages = " · ".join(f"{name} {seconds:.1f}" for name, seconds in result["timings"].items())
            peaks = ", ".join(f"{peak:.0f}" for peak in result["worker_peaks"])
            themes = sum(1 for theme in result["synthesis"].themes() if not theme.isolated)
            print(f"{n} texts, {workers} worker(s), {result['partitions']} partitions: cluster start {result['start_s']:.1f} s, "
                  f"run {result['wall_s']:.1f} s = {n / result['wall_s']:.1f} texts/s, {themes} themes", flush=True)
            print(f"  stages (s): {stages}", flush=True)
            print(f"  peak memory (MiB): workers {peaks}; driver (with the scheduler) {result['driver_peak']:.0f}", flush=True)
            print("  driver per stage, peak MiB (rise above the stage's start): " + " · ".join(
                f"{name} {peak:.0f} (+{rise:.0f})" for name, (peak, rise) in result["stage_peaks"].items()), flush=True)
            if args.labels:
                placements = result["synthesis"].placements
                Path(f"{args.labels}-{n}-{workers}.json").write_text(
                    json.dumps({unit: placement.theme_id for unit, placement in sorted(placements.items())}), encoding="utf-8")
            print(f"  load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at end", flush=True)
            first = first or (workers, result)
            if largest is None or (n, workers) >= largest[:2]:
                largest = (n, workers, result)
            result.pop("synthesis") if result is not first[1] else None
        if args.agreement and first is not None:
            ari, wall = agreement(path, first[1]["synthesis"], args.cache_dir or folder / "cache-0")
            print(f"  single-machine path on the same input (embeddings from the first run's cache): {wall:.1f} s; "
                  f"ARI with the {first[0]}-worker Dask run: {ari:.3f}", flush=True)
            print(f"  load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at end", flush=True)
    if largest is not None:
        project(*largest)
    return 0


def project(n: int, workers: int, result: dict) -> None:
    """Time for TARGET texts on N workers, from the stage times of one run (see the module docstring)."""
    timings = result["timings"]
    shared = timings.get("spacy + embedding", 0.0) + timings.get("keyword vocabulary", 0.0)
    knn, leiden = timings.get("  of which kNN blocks", 0.0), timings.get("  of which Leiden runs", 0.0)
    driver = sum(seconds for name, seconds in timings.items() if not name.startswith(" ")) - shared - knn - leiden
    from synthesis.cluster.space import APPROXIMATE_FROM

    grow = TARGET / n
    # the run's category held about n distinct texts: past APPROXIMATE_FROM its kNN searched among candidates (linear)
    knn_grow = grow if n > APPROXIMATE_FROM else grow**2
    print(f"projection to {TARGET:,} texts from the {n:,}-text run on {workers} worker(s):")
    print(f"  worker-seconds at {n:,}: per-text stages {shared * workers:.0f} ({shared * workers / n * 1000:.1f} ms a text), "
          f"kNN {knn * workers:.0f} ({'among candidates: linear' if knn_grow == grow else 'exact: n^2'}), "
          f"Leiden {leiden * min(workers, LEIDEN_TASKS):.0f}; driver alone {driver:.0f} s")
    for n_workers in (2, 8, 32, 128):
        minutes = (shared * workers * grow / n_workers + knn * workers * knn_grow / n_workers
                   + leiden * min(workers, LEIDEN_TASKS) * grow / min(n_workers, LEIDEN_TASKS) + driver * grow) / 60
        print(f"  {n_workers:>3} workers: ~{minutes:,.0f} min (kNN ~{knn * workers * knn_grow / n_workers / 60:,.0f} of them, "
              f"driver alone ~{driver * grow / 60:,.0f})")


if __name__ == "__main__":
    sys.exit(main())
