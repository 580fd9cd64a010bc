"""Records keyed by a 32-byte digest, kept on disk in ``.npz`` shards: the storage of synth's caches.

Each save adds one shard file, written under a temporary name and renamed into place, so two
runs sharing a folder never see half a file, and neither needs a lock. A shard that cannot be
read (a killed disk, a hand edit) is skipped and its records computed again: a cache can make
a run faster, never make it fail. Past ``MAX_SHARDS`` files, a save folds them into one.

What a record is depends on the cache (a vector, a parsed text): ``pack`` turns a list of
records into named arrays, ``unpack`` turns them back, and returns None for arrays it does
not recognise.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

#: Shards of one folder folded into one when a save finds more than this.
MAX_SHARDS = 32
DIGEST_BYTES = 32

Pack = Callable[[list], dict[str, np.ndarray]]
#: (named arrays, number of keys) -> one record per key, or None when the arrays are not what was packed.
Unpack = Callable[[dict[str, np.ndarray], int], "Iterable | None"]


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class ShardFolder:
    """One cache folder of shards (``folder=None``: nothing is read or written)."""

    def __init__(self, folder: Path | None, pack: Pack, unpack: Unpack, *, fold: bool = True):
        """fold: past MAX_SHARDS files, a save folds them into one (False: shards are only ever added)."""
        self.folder = Path(folder) if folder is not None else None
        self.pack, self.unpack, self.fold = pack, unpack, fold

    def read(self, wanted: set[bytes] | None = None) -> dict[bytes, object]:
        """Every readable record (only the shards holding one of ``wanted`` are unpacked, when given)."""
        return dict(self.records(wanted))

    def records(self, wanted: set[bytes] | None = None, *, older_than: float | None = None) -> Iterator[tuple[bytes, object]]:
        """(key, record) of every readable shard holding one of ``wanted`` (all shards: None), shard by shard.

        ``unpack`` may return an iterator that builds records one at a time: they are then never all in memory.
        older_than: only the shards last written before this file time (``os.stat``'s st_mtime).
        """
        if self.folder is None or not self.folder.is_dir():
            return
        for shard in sorted(self.folder.glob("*.npz")):
            try:
                if older_than is not None and shard.stat().st_mtime >= older_than:
                    continue
                with np.load(shard, allow_pickle=False) as data:
                    keys = data["keys"]
                    if keys.dtype != np.uint8 or keys.ndim != 2 or keys.shape[1] != DIGEST_BYTES:
                        continue
                    names = [key.tobytes() for key in keys]
                    if wanted is not None and wanted.isdisjoint(names):
                        continue
                    values = self.unpack({name: data[name] for name in data.files if name != "keys"}, len(names))
            except Exception:  # noqa: BLE001 - whatever makes a shard unreadable, its records are computed again
                continue
            if values is not None:
                yield from zip(names, values)

    def save(self, records: dict[bytes, object], everything: Callable[[], dict[bytes, object]] | None = None) -> None:
        """Add ``records`` as one shard; past MAX_SHARDS, write ``everything()`` (default: all readable records) as one instead."""
        if self.folder is None or not records:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            shards = sorted(self.folder.glob("*.npz")) if self.fold else []
            if self.fold and len(shards) >= MAX_SHARDS:
                self._fold(shards, {**(everything or self.read)(), **records})
            else:
                self._write(list(records), self.pack(list(records.values())))
        except OSError:
            self.folder = None  # a read-only or full disk: carry on without the cache

    def fold_if_many(self) -> None:
        """Past MAX_SHARDS files, fold them into one (what a save does; for folders written by ``add_packed`` only)."""
        if self.folder is None or not self.folder.is_dir():
            return
        try:
            shards = sorted(self.folder.glob("*.npz"))
            if len(shards) >= MAX_SHARDS:
                self._fold(shards, self.read())
        except OSError:
            self.folder = None

    def _fold(self, shards: list[Path], records: dict[bytes, object]) -> None:
        merged = self._write(list(records), self.pack(list(records.values())))
        for shard in shards:
            if shard != merged:
                shard.unlink(missing_ok=True)

    def add_packed(self, keys: list[bytes], arrays: dict[str, np.ndarray]) -> None:
        """Add one shard of records already packed (never folds)."""
        if self.folder is None or not keys:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._write(keys, arrays)
        except OSError:
            self.folder = None

    def _write(self, names: list[bytes], arrays: dict[str, np.ndarray]) -> Path:
        keys = digest_rows(names)
        path = self.folder / (hashlib.sha256(keys.tobytes()).hexdigest()[:32] + ".npz")
        write_npz(path, keys=keys, **arrays)
        return path


def digest_rows(keys: list[bytes]) -> np.ndarray:
    """Digests as rows of bytes: numpy's fixed-width bytes type would strip a digest's trailing zero bytes."""
    return np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), DIGEST_BYTES)


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    """Write an .npz file whole: not named *.npz until complete, so readers never see one being written."""
    handle, temporary = tempfile.mkstemp(prefix="tmp-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def pack_vectors(values: list) -> dict[str, np.ndarray]:
    return {"vectors": np.stack(values).astype(np.float32)}


def unpack_vectors(arrays: dict[str, np.ndarray], n: int) -> list | None:
    rows = arrays.get("vectors")
    if rows is None or rows.ndim != 2 or len(rows) != n:
        return None
    return list(rows)
