"""Where batches run: an engine maps the stage code over partitions of the idea units.

- ``local`` (:class:`LocalEngine`, the default): this process. Without ``partitions``
  ``synth cluster`` runs today's single-machine pipeline (``pipeline.synthesize``);
  with them, the partitioned flow runs in this process (tests, and a reference for the
  distributed one).
- ``dask`` (:class:`~synthesis.engine.dask.DaskEngine`): a dask.distributed cluster (a
  ``LocalCluster`` of worker processes when no scheduler address is given).

Both run the same flow (``engine.partitioned``) over the same stage functions
(``engine.stages``, themselves thin calls to clean, embed, cluster and summarise): an
engine only decides where a call runs and where its result stays. The interface:

- ``map(function, *iterables, **shared)`` -> one handle per call (its result, or where it lives);
  items may be handles of a previous map, ``shared`` values go to every call;
- ``gather(handles)`` -> the results, in order, brought to the driver;
- ``share(value)`` -> a handle every call can take (broadcast once);
- ``partitions_for(n_units)`` -> how many partitions (fixed for an input: the result of a
  run depends on it, never on how many workers answer);
- ``close()``.
"""

from __future__ import annotations

from synthesis.engine.local import LocalEngine

__all__ = ["ENGINES", "EngineError", "LocalEngine", "calls_of", "make_engine", "partition_bounds", "default_partitions"]

ENGINES = ("local", "dask")
#: Idea units per partition when ``--partitions`` is not given, and the fewest partitions (so two workers have work).
PARTITION_SIZE = 10_000
MIN_PARTITIONS = 4


class EngineError(RuntimeError):
    """The distributed engine could not run or finish (scheduler unreachable, workers lost): one French line."""


def default_partitions(n_units: int) -> int:
    return max(1, min(n_units, max(MIN_PARTITIONS, -(-n_units // PARTITION_SIZE))))


def partition_bounds(n: int, n_partitions: int) -> list[tuple[int, int]]:
    """Contiguous (start, stop) slices of n items, as even as possible, none empty (n_partitions capped at n)."""
    n_partitions = max(1, min(n_partitions, n)) if n else 1
    edges = [round(i * n / n_partitions) for i in range(n_partitions + 1)]
    return [(a, b) for a, b in zip(edges, edges[1:])]


def calls_of(engine):
    """-> ``map_calls(function, *iterables, **shared) -> results``: the engine's map, then gather (what ``cluster_large`` takes)."""
    return lambda function, *iterables, **shared: engine.gather(engine.map(function, *iterables, **shared))


def make_engine(name: str = "local", *, scheduler: str | None = None, partitions: int | None = None, workers: int | None = None):
    """The engine of that name (``local`` or ``dask``); a dask engine connects (or starts its LocalCluster) here."""
    if name == "local":
        return LocalEngine(partitions=partitions)
    if name == "dask":
        from synthesis.engine.dask import DaskEngine

        return DaskEngine(scheduler=scheduler, partitions=partitions, workers=workers)
    raise ValueError(f"unknown engine {name!r}")
