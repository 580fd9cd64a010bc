"""French spelling from the corpus and a French word list: lost accents restored, typos merged.

Workshop cards are typed fast: « roles », « frequentes », « connaisance »,
« communiction ». Labels and keywords must show correct French even then.

The word list is pyspellchecker's French frequency list (about 140,000 words with
their frequency in subtitles, accents included). A word of a corpus is respelled
only when the list does not have it and either

- an accented form of it is in the list (« roles » → « rôles », « diversite » →
  « diversité »), the corpus' own accented form first, else the most frequent; or
- a word of the same corpus that is in the list, more frequent in the corpus,
  is one letter inserted, dropped or two letters swapped away
  (« connaisance » → « connaissance », « communiction » → « communication »).

Words of the list or of spaCy's lemmatiser table are never touched (« cote »,
« photons », « croate »), nor are acronyms, words under four letters (« a »,
« ou »), names only the corpus uses (« Apidae ») and words the corpus only writes
with a capital inside a sentence (« Peter », « Gates »), except for an accent on
their capital (« Etat » → « État »).
On the demo corpus this corrects 15 words, all rightly (measured by reading them).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

#: Accented letters French can put in place of each plain one.
_ACCENTS = {"a": "aàâ", "e": "eéèêë", "i": "iîï", "o": "oô", "u": "uùûü", "c": "cç"}
#: Above this many accent combinations a word is left as it is (long words with many vowels).
_MAX_VARIANTS = 4096
#: Shorter words are too ambiguous to respell (« a », « ou », « la »).
_MIN_RESPELL_LENGTH = 4
#: Typos are only merged on words at least this long (« mise » ≠ « mine »).
_MIN_TYPO_LENGTH = 6
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@lru_cache(maxsize=1)
def word_frequencies() -> dict[str, int]:
    """pyspellchecker's French word list: lowercase word -> frequency."""
    from spellchecker import SpellChecker

    return SpellChecker(language="fr", distance=1).word_frequency.dictionary


def frequency(word: str) -> int:
    """How common a lowercase French word is (0: not a word of the list)."""
    return word_frequencies().get(word, 0)


@lru_cache(maxsize=1)
def _lemmatiser_words() -> frozenset[str]:
    """Lemmas of spaCy's French lemmatiser table (its forms are looked up one by one)."""
    return frozenset(lemma for lemmas in _lemmatiser_table().values() for lemma in lemmas)


@lru_cache(maxsize=1)
def _lemmatiser_table():
    from synthesis.clean import load_nlp

    return load_nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


def is_known(word: str) -> bool:
    """In the word list, or a form or lemma of spaCy's lemmatiser (« photons », « croate »): never respelled."""
    return frequency(word) > 0 or word in _lemmatiser_words() or _lemmatiser_table().get(word) is not None


def bare(word: str) -> str:
    """Lowercase without accents."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


def accent_variants(word: str) -> list[str]:
    """Every way of accenting a plain lowercase word (the word itself first); [] when there are too many."""
    options = [_ACCENTS.get(char, char) for char in word]
    count = 1
    for option in options:
        count *= len(option)
    if count > _MAX_VARIANTS:
        return []
    return ["".join(letters) for letters in itertools.product(*options)]


class CorpusWords(Counter):
    """Lowercase words of a corpus with their counts, and those only ever written as names."""

    names: frozenset[str] = frozenset()
    #: What ``names`` is made of, kept so that the counts of a corpus' parts can be merged (see ``merge_corpus_words``).
    capitalised_inside: frozenset[str] = frozenset()
    lowercase: frozenset[str] = frozenset()


def corpus_words(texts: Iterable[str]) -> CorpusWords:
    """Lowercase words with their counts (hyphenated words kept whole).

    A word the corpus writes with a capital inside a sentence and never in lower case
    is taken for a name (« Peter », « Gates ») and never respelled.
    """
    counts, capitalised_inside, lowercase = CorpusWords(), set(), set()
    for text in texts:
        for match in _WORD.finditer(text):
            word = match.group(0)
            counts[word.casefold()] += 1
            if word.islower():
                lowercase.add(word)
            elif word[:1].isupper() and not word.isupper() and text[: match.start()].strip(" \t\"«(-") and not re.search(r"[.!?:;]\s*$", text[: match.start()]):
                capitalised_inside.add(word.casefold())
    counts.names = frozenset(capitalised_inside - lowercase)
    counts.capitalised_inside, counts.lowercase = frozenset(capitalised_inside), frozenset(lowercase)
    return counts


def merge_corpus_words(parts: Iterable[CorpusWords]) -> CorpusWords:
    """The ``corpus_words`` of a corpus from those of its parts (the distributed engine counts each partition apart)."""
    merged, capitalised_inside, lowercase = CorpusWords(), set(), set()
    for part in parts:
        merged.update(part)
        capitalised_inside |= part.capitalised_inside
        lowercase |= part.lowercase
    merged.names = frozenset(capitalised_inside - lowercase)
    merged.capitalised_inside, merged.lowercase = frozenset(capitalised_inside), frozenset(lowercase)
    return merged


def build_corrections(counts: Counter) -> dict[str, str]:
    """{misspelt lowercase word: corrected word} for the words of one corpus (see module docstring)."""
    names = getattr(counts, "names", frozenset())
    corrections = {}
    for word, n in counts.items():
        if len(word) < _MIN_RESPELL_LENGTH or not word.isalpha() or is_known(word):
            continue
        fixed = _accented_form(word, counts) or _typo_target(word, n, counts)
        if word in names and fixed and fixed[1:] != word[1:]:
            continue  # a name (« Peter »); only the accent typists drop on a capital is restored (« Etat » → « État »)
        if fixed and fixed != word:
            corrections[word] = fixed
    return corrections


def _accented_form(word: str, counts: Counter) -> str | None:
    if bare(word) != word:
        return None  # accented already but unknown: a name, or a word the list lacks
    found = [variant for variant in accent_variants(word)[1:] if frequency(variant) > 0]
    if not found:
        return None
    # The corpus' own form first; then the fewest accents added (« entraine » → « entraîne »,
    # not « entraîné »: a typist who drops accents drops them all, so no variant is likelier); then the commonest.
    return min(found, key=lambda form: (-counts.get(form, 0), sum(a != b for a, b in zip(form, word)), -frequency(form), form))


def _typo_target(word: str, n: int, counts: Counter) -> str | None:
    """A listed word of the corpus, more frequent there, one letter inserted, dropped or swapped away.

    Substitutions are left out: they mostly join two real words (« visios » / « vision »).
    """
    if len(word) < _MIN_TYPO_LENGTH:
        return None
    plain = bare(word)
    close = [
        other for other, m in counts.items()
        if m > n and other[:1] == word[:1] and abs(len(other) - len(word)) <= 1
        and frequency(other) > 0 and _one_edit(plain, bare(other))
    ]
    return max(close, key=lambda other: (counts[other], frequency(other), other)) if close else None


def _one_edit(a: str, b: str) -> bool:
    """Whether b is a with one letter inserted or deleted, or two neighbouring letters swapped."""
    if a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(long) - len(short) != 1:
        return False
    i = next((k for k, (x, y) in enumerate(zip(short, long)) if x != y), len(short))
    # A letter added at the very end is an inflection (« variée », « variées »), not a typo.
    return i < len(short) and short[i:] == long[i + 1 :]


def respell(text: str, corrections: dict[str, str]) -> str:
    """The text with each misspelt word corrected, its capitals kept (« Roles » → « Rôles »)."""
    if not corrections:
        return text

    def fix(match: re.Match) -> str:
        word = match.group(0)
        fixed = corrections.get(word.casefold())
        if fixed is None:
            return word
        if word.isupper() and len(word) > 1:
            return fixed.upper()
        return fixed[:1].upper() + fixed[1:] if word[:1].isupper() else fixed

    return _WORD.sub(fix, text)
