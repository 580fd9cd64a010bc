"""Throughput of ``synth cluster --engine dask`` with 1 and 2 local workers, and a projection to 2 million texts.

    nice -n 10 python scripts/bench_dask.py --sizes 30000,100000 --workers 1,2 [--agreement]

Inputs are grown from ../shared/eval and the demo as in scripts/bench_speed.py (one
category, every text distinct). Each run: a fresh LocalCluster (start time printed apart),
a cold embedding cache, the whole pipeline to a ``Synthesis`` (reports are the same as
on one machine and left out). Printed per run: wall time, texts/s, per-stage times, peak
memory of each worker process and of the driver (this process; it also hosts the
LocalCluster's scheduler). ``--agreement`` also runs the single-machine path on the same
input (after the Dask runs, so the driver's peak is not inflated) and prints the ARI.

The projection splits a run into the part the workers share (spaCy + embedding, the
keyword vocabulary, the per-partition passes of the clustering) and the part the driver
does alone (the clustering over the micro-clusters' centres, the summaries of each
theme's best placed units, merging), measured at the largest size.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
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


def run_dask(path: Path, workers: int, partitions: int | None) -> dict:
    from synthesis.engine.dask import DaskEngine
    from synthesis.load import load_cards
    from synthesis.pipeline import synthesize

    started = time.perf_counter()
    engine = DaskEngine(workers=workers, partitions=partitions, memory_limit="8GiB")
    start_s = time.perf_counter() - started
    try:
        cards = load_cards(path)
        timings: dict[str, float] = {}
        with tempfile.TemporaryDirectory(prefix="bench-dask-cache-") as cache:
            began = time.perf_counter()
            synthesis = synthesize(cards, engine=engine, cache_dir=Path(cache), timings=timings)
            wall = time.perf_counter() - began
        worker_peaks = engine.client.run(_peak_mib)
    finally:
        engine.close()
    return {"start_s": start_s, "wall_s": wall, "timings": timings, "worker_peaks": sorted(worker_peaks.values()),
            "driver_peak": _peak_mib(), "synthesis": synthesis, "partitions": engine.partitions_for(len(synthesis.units))}


def agreement(path: Path, spread) -> tuple[float, float]:
    from sklearn.metrics import adjusted_rand_score

    from synthesis.load import load_cards
    from synthesis.pipeline import synthesize

    began = time.perf_counter()
    single = synthesize(load_cards(path))
    wall = time.perf_counter() - began
    ids = [unit.id for unit in single.units]
    return adjusted_rand_score([single.placements[i].theme_id for i in ids], [spread.placements[i].theme_id for i in ids]), wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30000,100000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--agreement", action="store_true", help="also run the single-machine path and print the ARI")
    args = parser.parse_args()
    import bench_speed as bench  # scripts/ is on the path when run as a script, as bench_quality imports bench_embedders
    print(f"{os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at start", flush=True)
    last = None
    for n in (int(size) for size in args.sizes.split(",")):
        path = Path(tempfile.mkdtemp(prefix="bench-dask-")) / f"grown-{n}.csv"
        bench.write_input(path, bench.grown_texts(n, 0))
        for workers in (int(w) for w in args.workers.split(",")):
            result = run_dask(path, workers, args.partitions)
            stages = " · ".join(f"{name} {seconds:.1f}" for name, seconds in result["timings"].items())
            peaks = ", ".join(f"{peak:.0f}" for peak in result["worker_peaks"])
            themes = sum(1 for theme in result["synthesis"].themes() if not theme.isolated)
            print(f"{n} texts, {workers} worker(s), {result['partitions']} partitions: cluster start {result['start_s']:.1f} s, "
                  f"run {result['wall_s']:.1f} s = {n / result['wall_s']:.1f} texts/s, {themes} themes", flush=True)
            print(f"  stages (s): {stages}", flush=True)
            print(f"  peak memory (MiB): workers {peaks}; driver (with the scheduler) {result['driver_peak']:.0f}", flush=True)
            last = (n, workers, result)
        if args.agreement and last is not None:
            ari, wall = agreement(path, last[2]["synthesis"])
            print(f"  single-machine path on the same input: {wall:.1f} s; ARI with the Dask run: {ari:.3f}", flush=True)
    if last is not None:
        project(*last)
    return 0


def project(n: int, workers: int, result: dict) -> None:
    """Time for TARGET texts on N workers, from the stage times of the largest run."""
    timings = result["timings"]
    shared = timings.get("spacy + embedding", 0.0) + timings.get("keyword vocabulary", 0.0)
    driver = sum(seconds for name, seconds in timings.items() if name not in ("spacy + embedding", "keyword vocabulary"))
    per_text_worker = shared * workers / n  # worker-seconds per text
    print(f"projection to {TARGET:,} texts from the {n:,}-text run on {workers} worker(s):")
    print(f"  worker-seconds per text (spaCy + embedding + vocabulary): {per_text_worker * 1000:.2f} ms; "
          f"driver-side (clustering, summaries, merge): {driver:.1f} s at {n:,}")
    for n_workers in (2, 8, 32, 128):
        workers_s = TARGET * per_text_worker / n_workers
        print(f"  {n_workers:>3} workers: ~{(workers_s + driver * TARGET / n) / 60:.0f} min if the driver part grows "
              f"linearly, ~{(workers_s + driver) / 60:.0f} min if it stays bounded (micro-clusters capped)")


if __name__ == "__main__":
    sys.exit(main())
