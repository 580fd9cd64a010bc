"""Clusterings kept in the cache: a re-run on the same texts reuses its themes, and a re-run of a
large category with a few new texts keeps the earlier themes and places the new texts in them.

A consultant re-runs synth while editing, and a survey's export grows by a few answers
between runs. On 30,000 texts the clustering is the longest stage once vectors and parses
are cached (43 of 129 s). So each clustering is saved, keyed by:

- what it depends on besides the texts (``settings_key``): the clustering code itself (a hash
  of the cluster modules and the pipeline, so an edited method never serves stale themes), the
  embedding model and spaCy pipeline, and the settings that reach the clustering;
- the category's texts, as embedded, with their lemmas, in order (``content_key``).

The same texts again give the saved clustering, byte for byte: a run from a warm cache gives
what the cold run gave. A category of more than ``REUSE_FROM`` distinct texts whose texts
differ from a saved from-scratch clustering's by at most ``MAX_CHANGED`` (new or gone) keeps
that clustering's themes: each earlier text keeps its theme (or stays aside), and each new
one goes to the theme with the closest centroid, or aside when it is further from every
centroid than Tukey's fence of the texts' own closeness (``isolate.TUKEY``), the default
method's far-from-every-theme rule. Only from-scratch clusterings serve as the earlier one,
so the themes never drift more than MAX_CHANGED from a real clustering. The run's journal
says so; ``--no-cache`` clusters from scratch.

The earlier one is sought among the MAX_CANDIDATES most recent from-scratch clusterings of the
same category (a folder of them per category, ``earlier/<digest of its name>``): a survey of 30
questions saves 30 clusterings a run, and one search window shared by every category, placed
runs included, lost a large question's earlier themes after a single re-run. Older ones are
removed from that folder, so the cache keeps MAX_CANDIDATES of them a category.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from synthesis.cluster import Clustering
from synthesis.cluster.isolate import TUKEY, lower_fence
from synthesis.cluster.large import LARGE_CATEGORY
from synthesis.cluster.partition import renumber
from synthesis.cluster.space import TextSpace
from synthesis.shards import DIGEST_BYTES, digest_rows, write_npz

#: Distinct texts from which a category may keep an earlier clustering's themes (below: clustered anew, in seconds).
REUSE_FROM = LARGE_CATEGORY
#: Largest share of texts new (of this run's) or gone (of the earlier run's) for the earlier themes to be kept.
MAX_CHANGED = 0.05
#: Saved clusterings read when looking for an earlier one (the most recent first).
MAX_CANDIDATES = 16
#: Label of a text the earlier clustering did not have.
NEW = -2


def settings_key(*parts: object) -> str:
    """Digest of what a clustering depends on besides its texts (``parts``: model, parser, settings), the code included."""
    package = Path(__file__).parents[1]
    code = hashlib.sha256()
    for module in [*sorted((package / "cluster").glob("*.py")), package / "pipeline.py"]:
        code.update(module.read_bytes())
    return hashlib.sha256(json.dumps([code.hexdigest(), *map(str, parts)]).encode("utf-8")).hexdigest()[:32]


def content_key(text_keys: list[bytes], lemmas) -> str:
    """Digest of a category's texts (their keys) and their lemmas, in order."""
    digest = hashlib.sha256()
    for key, text_lemmas in zip(text_keys, lemmas):
        digest.update(key)
        digest.update("\x1f".join(text_lemmas).encode("utf-8", "surrogatepass") + b"\x1e")
    return digest.hexdigest()[:32]


class SavedClusterings:
    """One folder of saved clusterings per settings key (``cache_dir=None``: nothing saved or found)."""

    def __init__(self, cache_dir: Path | None, key: str):
        self.folder = Path(cache_dir) / "clusterings" / key if cache_dir is not None else None

    def same(self, content: str) -> Clustering | None:
        """The clustering saved for exactly these texts, if any."""
        record = self._read(self.folder / f"{content}.npz") if self.folder is not None else None
        return record[1] if record is not None else None

    def earlier(self, category: str, text_keys: list[bytes]) -> tuple[dict[bytes, int], Clustering, int] | None:
        """(theme of each earlier text, the earlier clustering, texts gone) of the closest from-scratch clustering saved for
        this category within MAX_CHANGED of these texts, or None."""
        if self.folder is None or not self._earlier_folder(category).is_dir():
            return None
        distinct = set(text_keys)
        best = None
        for path in self._recent(self._earlier_folder(category)):
            record = self._read(path, from_scratch_only=True)
            if record is None:
                continue
            keys, clustering = record
            earlier = dict(zip(keys, clustering.labels.tolist()))
            n_new, n_gone = len(distinct - earlier.keys()), len(earlier.keys() - distinct)
            if n_new <= MAX_CHANGED * len(distinct) and n_gone <= MAX_CHANGED * len(earlier):
                rank = (n_new + n_gone, path.name)
                if best is None or rank < best[0]:
                    best = (rank, earlier, clustering, n_gone)
        return best[1:] if best is not None else None

    def save(self, content: str, text_keys: list[bytes], clustering: Clustering, *, from_scratch: bool, category: str | None = None) -> None:
        """Keep the clustering of these texts; a from-scratch one of a ``category`` also serves its later runs as the earlier one."""
        if self.folder is None:
            return
        meta = {"n_themes": clustering.n_themes, "method": clustering.method, "grain": clustering.grain, "from_scratch": from_scratch}
        arrays = {"keys": digest_rows(text_keys), "labels": np.asarray(clustering.labels, dtype=np.int64),
                  "fit": np.asarray(clustering.fit, dtype=np.float64), "meta": np.array(json.dumps(meta))}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_npz(self.folder / f"{content}.npz", **arrays)
            if from_scratch and category is not None:
                earlier = self._earlier_folder(category)
                earlier.mkdir(parents=True, exist_ok=True)
                write_npz(earlier / f"{content}.npz", **arrays)
                for stale in self._recent(earlier, keep=None)[MAX_CANDIDATES:]:
                    stale.unlink(missing_ok=True)
        except OSError:
            self.folder = None  # a read-only or full disk: carry on without saving

    def _earlier_folder(self, category: str) -> Path:
        return self.folder / "earlier" / hashlib.sha256(category.encode("utf-8", "surrogatepass")).hexdigest()[:16]

    @staticmethod
    def _recent(folder: Path, keep: int | None = MAX_CANDIDATES) -> list[Path]:
        """The folder's saved clusterings, the most recent first (``keep`` of them; None: all)."""
        paths = []
        for path in folder.glob("*.npz"):
            try:
                paths.append((-path.stat().st_mtime, path.name, path))
            except OSError:
                continue
        return [path for *_, path in sorted(paths)[:keep]]

    @staticmethod
    def _read(path: Path, *, from_scratch_only: bool = False) -> tuple[list[bytes], Clustering] | None:
        """(text keys, clustering) of a saved file; None when absent or unreadable (a cache never fails a run)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if from_scratch_only and not meta["from_scratch"]:
                    return None
                keys, labels, fit = data["keys"], data["labels"], data["fit"]
            if keys.ndim != 2 or keys.shape[1] != DIGEST_BYTES or not len(keys) == len(labels) == len(fit):
                return None
            clustering = Clustering(labels, fit, int(meta["n_themes"]), str(meta["method"]), dict(meta["grain"]))
        except Exception:  # noqa: BLE001 - whatever makes a file unreadable, the category is clustered again
            return None
        return [key.tobytes() for key in keys], clustering


def place_new_texts(embeddings: np.ndarray, lemmas, earlier: np.ndarray, *, lexical_weight: float) -> tuple[np.ndarray, np.ndarray] | None:
    """-> (labels, fit) keeping ``earlier`` (each text's earlier theme, -1 aside, NEW for a new text) and placing the new texts.

    Centroids and closeness are the default method's (``TextSpace.centroid_sims``: embedding and
    lemma TF-IDF together). None when the earlier clustering had no theme.
    """
    themes = np.unique(earlier[earlier >= 0])
    if not len(themes):
        return None
    space = TextSpace.build(embeddings, lemmas, lexical_weight, approximate=False, distinct=False)
    sims = space.centroid_sims(earlier, themes)
    best = sims.max(axis=1)
    kept = np.flatnonzero(earlier >= 0)
    fence = lower_fence(np.round(sims[kept, np.searchsorted(themes, earlier[kept])], 6), TUKEY)
    labels = earlier.copy()
    new = np.flatnonzero(earlier == NEW)
    labels[new] = np.where(np.round(best[new], 6) < fence, -1, themes[sims[new].argmax(axis=1)])
    placed = np.flatnonzero(labels >= 0)
    fit = best.copy()
    fit[placed] = sims[placed, np.searchsorted(themes, labels[placed])]
    return renumber(labels), np.clip(fit, 0.0, 1.0)
