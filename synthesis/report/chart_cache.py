"""Charts kept on disk between processes, by what they show.

Drawing a category's two charts is most of ``synth report``'s time (demo: 1.8 s of 2.5 s,
the PNG at 200 dpi for Word alone 1.15 s). A re-render after an editor's change redraws
only the charts whose content changed; a new process (``synth report`` after a review,
or ``synth cluster`` again on the same export) finds the others here.

Off unless a command turns it on (the library writes nothing outside its output folder
by itself). A file's name is the hash of the chart's content key, of this package's
chart code and of matplotlib's version, so a new synth or matplotlib never serves an old
drawing. Files are JSON (never pickle: a shared cache must not run code), written
atomically; an unreadable one is ignored and redrawn. The folder is pruned to
``MAX_FILES`` by age.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path

MAX_FILES = 2000

_directory: Path | None = None


def use_directory(directory: Path | None) -> None:
    """Keep charts in ``directory`` (created when first written), or nowhere with None."""
    global _directory
    _directory = Path(directory) if directory is not None else None


@functools.cache
def _code_version() -> str:
    from importlib.metadata import version

    from synthesis.report import charts

    source = Path(charts.__file__).read_bytes()  # not matplotlib.__version__: importing it costs 0.2 s
    return hashlib.sha256(source + version("matplotlib").encode()).hexdigest()[:16]


def _path(key: tuple) -> Path | None:
    if _directory is None:
        return None
    digest = hashlib.sha256(repr((_code_version(), key)).encode("utf-8")).hexdigest()
    return _directory / f"{digest}.json"


def read(key: tuple, chart_type) -> list | None:
    """The charts stored for ``key`` (as ``chart_type`` instances), or None when absent or unreadable."""
    path = _path(key)
    if path is None or not path.is_file():
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return [chart_type(item["kind"], item["title"], item["description"], _decode(item["data"])) for item in stored]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a half-written or foreign file: drawn again and replaced


def write(key: tuple, drawn: list) -> None:
    """Store ``drawn`` for ``key``; a cache that cannot be written is skipped, never an error."""
    path = _path(key)
    if path is None:
        return
    items = [{"kind": c.kind, "title": c.title, "description": c.description, "data": _encode(c.data)} for c in drawn]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".chart-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(items, stream)
        os.replace(temporary, path)  # atomic: two runs sharing the cache never read half a file
        _prune(path.parent)
    except OSError:
        return


def _encode(data: bytes | str) -> dict:
    if isinstance(data, bytes):
        return {"png": base64.b64encode(data).decode("ascii")}
    return {"svg": data}


def _decode(data: dict) -> bytes | str:
    if "png" in data:
        return base64.b64decode(data["png"], validate=True)
    return str(data["svg"])


def _prune(directory: Path) -> None:
    files = [entry for entry in os.scandir(directory) if entry.name.endswith(".json")]
    if len(files) <= MAX_FILES:
        return
    for entry in sorted(files, key=lambda entry: entry.stat().st_mtime)[: len(files) - MAX_FILES]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass
