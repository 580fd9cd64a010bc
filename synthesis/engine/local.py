"""The local engine: every call runs here, in order, and its result stays in memory.

``LocalEngine()`` (no partitions) means today's single-machine pipeline; with
``partitions`` it runs the partitioned flow in this process, the same calls the Dask
engine spreads over workers (tests compare the two).
"""

from __future__ import annotations


class LocalEngine:
    name = "local"

    def __init__(self, partitions: int | None = None):
        self.partitions = partitions

    @property
    def partitioned(self) -> bool:
        return self.partitions is not None

    def partitions_for(self, n_units: int) -> int:
        from synthesis.engine import default_partitions

        return self.partitions or default_partitions(n_units)

    def map(self, function, *iterables, **shared) -> list:
        return [function(*items, **shared) for items in zip(*iterables)]

    def gather(self, handles: list) -> list:
        return list(handles)

    def share(self, value):
        return value

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
