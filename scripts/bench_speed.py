"""Run times and memory of `synth cluster` on the demo corpus (or any export).

- cold: a new process (imports, spaCy and embedder loading included); the first
  of the runs also pays for an empty OS file cache when the machine is fresh;
- warm: the same call again in a process that already holds the models, which
  is what a notebook or a long-lived service pays.

    python scripts/bench_speed.py [FILE] [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "corpora" / "ogd-occitanie-2023" / "cartes.csv"


def cold_run(path: Path, out: Path) -> float:
    synth = Path(sys.executable).with_name("synth")
    start = time.perf_counter()
    subprocess.run([str(synth), "cluster", str(path), "-o", str(out), "--quiet"], check=True, capture_output=True,
                   env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return time.perf_counter() - start


def warm_runs(path: Path, out: Path, runs: int) -> list[tuple[str, float]]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from synthesis.load import load_cards
    from synthesis.pipeline import synthesize
    from synthesis.report import write_outputs

    timings = []
    for run in range(runs + 1):
        start = time.perf_counter()
        write_outputs(synthesize(load_cards(path)), out)
        timings.append(("first in process (loads models)" if run == 0 else f"warm #{run}", time.perf_counter() - start))
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEMO)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for run in range(args.runs):
            print(f"cold (new process) #{run + 1}: {cold_run(args.file, out / 'cold'):.1f} s")
        for name, seconds in warm_runs(args.file, out / "warm", args.runs):
            print(f"in-process {name}: {seconds:.1f} s")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the in-process runs: {peak_mib:.0f} MiB ({os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
