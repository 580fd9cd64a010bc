"""On-disk caches of the clean stage: a re-run parses and cleans only the texts it has not seen.

The clean stage was the longest of a re-run once vectors were cached (45 of 129 s at 30,000
texts): spaCy's parse, then the lemmas and candidate phrases read off it (``clean._clean_doc``,
a third of the stage). Two caches, in the cache folder's ``parses/`` and ``cleaned/``:

**Parses** (``CachedParser``), of cards and of label phrases, are keyed by the pipeline's identity (spaCy and model versions, components)
and the SHA-256 of the exact text parsed, and stored as spaCy ``DocBin`` shards
(``synthesis.shards``): about 250 bytes a text, read back at about 25,000 texts a second
against 500 a second parsed on two cores. A parse read back has the same tokens, lemmas,
tags, morphology, heads and dependencies as a new one, so the clean and summarise stages
give the same output whether the cache is cold, warm or off.

Shards are never folded: a run reads only the shards that hold one of its texts, and decodes
them one parse at a time, so that 100,000 parses are never all in memory (about 24 KB each).

**Cleaned texts** (``CleanedCache``): each card's ``CleanText``, keyed by the clean stage's code
(a hash of ``clean.py`` and ``spelling.py``), the parser's identity, and the card's text as
written, respelled and shown. A CleanText depends on the rest of the corpus in one place
only: which number form of a noun after « manque de » the corpus uses most
(``clean._agreed_text``). The counts it consulted are kept with it, and it is reused only
while those words keep the same order of frequency in the new corpus: the same CleanText the
clean stage would compute.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from synthesis.shards import ShardFolder, digest


def parser_identity(nlp) -> str:
    """What a parse depends on: spaCy's version, the model's name and version, and its components."""
    import spacy

    meta = nlp.meta
    name = f"{meta.get('lang', '')}_{meta.get('name', '')}-{meta.get('version', '')}"
    return f"spacy-{spacy.__version__}-{name}-{'.'.join(nlp.pipe_names)}"


class CachedParser:
    """``nlp.pipe`` that looks parses up on disk first (``cache_dir=None``: every text is parsed, as by ``nlp.pipe``)."""

    def __init__(self, nlp, cache_dir: Path | None, *, kind: str = "texts", remember: bool = False):
        """kind: a subfolder per kind of text (cards, label phrases), so that a lookup reads only shards of its kind.
        remember: keep every parse read or made in memory for later calls (label phrases: thousands of small Docs,
        looked up a few at a time; cards: never, as 100,000 Docs weigh gigabytes)."""
        self.nlp = nlp
        self._memory: dict[bytes, object] | None = {} if remember else None
        folder = Path(cache_dir) / "parses" / parser_identity(nlp) / kind if cache_dir is not None else None
        self._shards = ShardFolder(folder, self._pack, self._unpack, fold=False)
        #: Texts found in the cache and texts parsed, over this object's life.
        self.hits = 0
        self.misses = 0

    def pipe(self, texts: list[str], **options) -> list:
        """One Doc per text, in order (all in memory: for short lists, such as label phrases)."""
        docs: list = [None] * len(texts)
        for positions, doc in self.pipe_unordered(texts, **options):
            for position in positions:
                docs[position] = doc
        return docs

    def pipe_unordered(
        self, texts: list[str], *, batch_size: int = 64, n_process: int = 1, progress: Callable | None = None
    ) -> Iterator[tuple[list[int], object]]:
        """(positions of a text in ``texts``, its Doc) for each distinct text, cached ones first, one Doc at a time.

        ``progress(docs, total)`` wraps the parses that are made (a progress bar).
        """
        positions: dict[bytes, list[int]] = {}
        for position, text in enumerate(texts):
            positions.setdefault(digest(text), []).append(position)
        memory = self._memory if self._memory is not None else {}
        for key in [key for key in positions if key in memory]:
            yield positions.pop(key), memory[key]
            self.hits += 1
        for key, doc in self._shards.records(set(positions)) if positions else ():
            if self._memory is not None:
                self._memory[key] = doc
            if key in positions:
                yield positions.pop(key), doc
                self.hits += 1
        self.misses += len(positions)
        if not positions:
            return
        from spacy.tokens import DocBin

        docs: Iterable = self.nlp.pipe([texts[found[0]] for found in positions.values()], batch_size=batch_size, n_process=n_process)
        if progress is not None:
            docs = progress(docs, len(positions))
        parsed = DocBin(store_user_data=False)
        for (key, found), doc in zip(positions.items(), docs):
            parsed.add(doc)
            if self._memory is not None:
                self._memory[key] = doc
            yield found, doc
        self._shards.add_packed(list(positions), self._pack(parsed))

    @staticmethod
    def _pack(docs) -> dict[str, np.ndarray]:
        """A DocBin of the parses (or a list of Docs made into one)."""
        from spacy.tokens import DocBin

        docbin = docs if isinstance(docs, DocBin) else DocBin(store_user_data=False, docs=docs)
        return {"docbin": np.frombuffer(docbin.to_bytes(), dtype=np.uint8)}

    def _unpack(self, arrays: dict[str, np.ndarray], n: int) -> Iterator | None:
        from spacy.tokens import DocBin

        if "docbin" not in arrays:
            return None
        docbin = DocBin().from_bytes(arrays["docbin"].tobytes())
        return docbin.get_docs(self.nlp.vocab) if len(docbin) == n else None


class ConsultedCounts:
    """A corpus' word counts that remember which words were looked up (``get``) and what they counted."""

    def __init__(self, counts):
        self.counts = counts
        self.asked: dict[str, int] = {}

    def get(self, word: str, default: int = 0) -> int:
        value = self.counts.get(word, default)
        self.asked[word] = value
        return value


def same_order(asked: dict[str, int], counts) -> bool:
    """Whether the words looked up keep, in ``counts``, the order of frequency they had when looked up."""
    now = {word: counts.get(word, 0) for word in asked}
    words = sorted(asked)
    return all(
        (asked[a] > asked[b]) - (asked[a] < asked[b]) == (now[a] > now[b]) - (now[a] < now[b])
        for i, a in enumerate(words) for b in words[i + 1:]
    )


def cleaned_identity(nlp) -> str:
    """What a CleanText depends on besides its text: the clean stage's code and the parser."""
    package = Path(__file__).parent
    code = hashlib.sha256(b"".join((package / name).read_bytes() for name in ("clean.py", "spelling.py"))).hexdigest()[:16]
    return f"{parser_identity(nlp)}-{code}"


class CleanedCache:
    """CleanTexts on disk (``cache_dir=None``: nothing found, nothing saved); see the module docstring."""

    def __init__(self, nlp, cache_dir: Path | None):
        folder = Path(cache_dir) / "cleaned" / cleaned_identity(nlp) if cache_dir is not None else None
        self._shards = ShardFolder(folder, _pack_cleaned, _unpack_cleaned)
        self.hits = 0

    @staticmethod
    def key(text: str, prepared: str, readable: str) -> bytes:
        return digest("\x1f".join((text, prepared, readable)))

    def found(self, keys: list[bytes], counts) -> dict[bytes, object]:
        """The saved CleanTexts of these keys that still hold with the corpus' ``counts``."""
        if self._shards.folder is None:
            return {}
        wanted = set(keys)
        found = {key: clean for key, (clean, asked) in self._shards.records(wanted) if key in wanted and same_order(asked, counts)}
        self.hits += sum(1 for key in keys if key in found)
        return found

    def save(self, records: dict[bytes, tuple[object, dict[str, int]]]) -> None:
        """Add (CleanText, counts it consulted) by key."""
        self._shards.save(records)


def _pack_cleaned(values: list) -> dict[str, np.ndarray]:
    rows = [
        [clean.text, clean.lemmas, [[phrase.text, phrase.lemmas, phrase.head] for phrase in clean.phrases], clean.key,
         clean.words, clean.readable, asked]
        for clean, asked in values
    ]
    return {"json": np.array(json.dumps(rows, ensure_ascii=False))}


def _unpack_cleaned(arrays: dict[str, np.ndarray], n: int) -> list | None:
    from synthesis.clean import CleanText, Phrase

    if "json" not in arrays:
        return None
    rows = json.loads(str(arrays["json"]))
    if len(rows) != n:
        return None
    return [
        (CleanText(text, tuple(lemmas), tuple(Phrase(p_text, tuple(p_lemmas), head) for p_text, p_lemmas, head in phrases), key,
                   tuple(words), readable), {str(word): int(count) for word, count in asked.items()})
        for text, lemmas, phrases, key, words, readable, asked in rows
    ]
