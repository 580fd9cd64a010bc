"""An on-disk cache of the clean stage, beside the embedding cache: a re-run analyses only new texts with spaCy.

At 30,000 texts spaCy costs as much as the embeddings, so a re-run after an edit is only
fast if both are cached. Entries are keyed by the SHA-256 of the text, in a folder named
after the spaCy model's version and the clean stage's own code (``clean.py``'s hash):
any change to either starts a new folder. Shards are JSON files written to a temporary
name and renamed into place (two runs may share the cache); a shard that cannot be read
is skipped, and its texts analysed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from synthesis import clean
from synthesis.clean import CleanText, Phrase, comparison_key
from synthesis.embed.cache import MAX_SHARDS, text_key


def cached_clean_texts(texts: list[str], cache_dir: Path, *, show_progress: bool = False) -> list[CleanText]:
    """``clean.clean_texts`` with the results of earlier runs read from cache_dir (and the new ones added)."""
    folder = Path(cache_dir) / _identity()
    known = _read_shards(folder)
    keys = [text_key(text).hex() for text in texts]
    missing = {key: text for key, text in zip(keys, texts) if key not in known}
    if missing:
        fresh = clean.clean_texts(list(missing.values()), show_progress=show_progress)
        new = {key: _to_json(result) for key, result in zip(missing, fresh)}
        known.update(new)
        _save(folder, new, known)
    return [_from_json(text, known[key]) for key, text in zip(keys, texts)]


def _identity() -> str:
    import spacy

    code = Path(clean.__file__).read_bytes()
    parts = json.dumps([clean.SPACY_MODEL, spacy.__version__, _model_version(), hashlib.sha256(code).hexdigest()])
    return "clean-" + hashlib.sha256(parts.encode()).hexdigest()[:24]


def _model_version() -> str:
    from importlib import metadata

    try:
        return metadata.version(clean.SPACY_MODEL)
    except metadata.PackageNotFoundError:
        return ""


def _to_json(result: CleanText) -> list:
    return [list(result.lemmas), [[phrase.text, list(phrase.lemmas)] for phrase in result.phrases]]


def _from_json(text: str, entry: list) -> CleanText:
    lemmas, phrases = entry
    return CleanText(text=text, lemmas=tuple(lemmas), phrases=tuple(Phrase(p, tuple(l)) for p, l in phrases),
                     key=comparison_key(text))


def _read_shards(folder: Path) -> dict[str, list]:
    known: dict[str, list] = {}
    if not folder.is_dir():
        return known
    for shard in sorted(folder.glob("*.json")):
        try:
            entries = json.loads(shard.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(entries, dict):
            known.update((key, entry) for key, entry in entries.items() if _valid(entry))
    return known


def _valid(entry) -> bool:
    return (isinstance(entry, list) and len(entry) == 2 and all(isinstance(word, str) for word in entry[0])
            and all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in entry[1]))


def _save(folder: Path, new: dict[str, list], known: dict[str, list]) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shards = sorted(folder.glob("*.json"))
        merge = len(shards) >= MAX_SHARDS
        written = _write_shard(folder, known if merge else new)
        if merge:
            for shard in shards:
                if shard != written:
                    shard.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full disk: the run goes on without the cache


def _write_shard(folder: Path, entries: dict[str, list]) -> Path:
    payload = json.dumps(entries, ensure_ascii=False, sort_keys=True)
    name = folder / (hashlib.sha256(payload.encode()).hexdigest()[:32] + ".json")
    handle, temporary = tempfile.mkstemp(prefix="tmp-", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(payload)
        os.replace(temporary, name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name
