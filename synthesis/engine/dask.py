"""The Dask engine: the partitions' calls run on a dask.distributed cluster and their results stay on its workers.

With no scheduler address it starts a ``LocalCluster`` of ``DEFAULT_WORKERS`` worker
processes, one thread each (spaCy and the encoder are not made faster by threads on a
shared machine, and each worker process loads the models once: ``engine.stages``).

Faults: every call is a task whose inputs are tasks or broadcast values, so when a
worker dies the scheduler recomputes what it held on the remaining workers (Dask's
lineage; a task may see ``distributed.scheduler.allowed-failures`` deaths, 3 by
default, before the run fails). A run that cannot finish raises :class:`EngineError`
(one French line); nothing is written before the whole result is computed, so the
previous outputs stay intact.
"""

from __future__ import annotations

import logging

from synthesis.engine import EngineError, default_partitions

DEFAULT_WORKERS = 2
#: Memory of one local worker: Dask's "auto", the machine's memory shared among the workers. The models take
#: about 1.5 GB and a partition of 10,000 texts a few hundred MB, but the worker that builds a large category's
#: space holds about 30 KB a text while it does (+0.87 GB at 30,000 texts): a fixed 4 GiB stopped near 80,000.
WORKER_MEMORY = "auto"
#: Seconds to wait for a scheduler given by address.
CONNECT_TIMEOUT = 20
#: Retries of a task that raised (a worker that dies is handled by the scheduler, not by these).
RETRIES = 1


def _plain(value) -> bool:
    from distributed import Future

    return value is None or isinstance(value, (str, int, float, bool, Future))


class DaskEngine:
    name = "dask"
    partitioned = True

    def __init__(self, scheduler: str | None = None, partitions: int | None = None, workers: int | None = None,
                 memory_limit: str = WORKER_MEMORY):
        from distributed import Client, LocalCluster

        self.partitions = partitions
        self.cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT)
            else:
                self.cluster = LocalCluster(n_workers=workers or DEFAULT_WORKERS, threads_per_worker=1, processes=True,
                                            memory_limit=memory_limit, dashboard_address=":0", silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as error:
            where = f"à l'adresse {scheduler}" if scheduler else "local"
            raise EngineError(f"cluster Dask {where} injoignable ({type(error).__name__}) ; vérifiez l'adresse du planificateur (--scheduler).") from None

    def partitions_for(self, n_units: int) -> int:
        return self.partitions or default_partitions(n_units)

    @property
    def n_workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {}))

    def map(self, function, *iterables, **shared) -> list:
        # Values shared by every call go to the workers once, as data (a large keyword argument would
        # otherwise become a task named after the keyword, which clashes from one map to the next).
        shared = {name: value if _plain(value) else self.share(value) for name, value in shared.items()}
        return self.client.map(function, *iterables, pure=False, retries=RETRIES, **shared)

    def gather(self, handles: list) -> list:
        try:
            return self.client.gather(handles)
        except Exception as error:
            if type(error).__module__.split(".")[0] in ("distributed", "tornado") or isinstance(error, (OSError, TimeoutError)):
                raise EngineError(
                    f"le calcul Dask n'a pas abouti ({type(error).__name__} : {str(error).splitlines()[0] if str(error) else 'nœud perdu'}) ; "
                    "les fichiers de sortie précédents sont intacts."
                ) from error
            raise

    def share(self, value):
        [future] = self.client.scatter([value], broadcast=True, hash=False)
        return future

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
