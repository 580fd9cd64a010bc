"""Clean stage: French text -> lemmas, candidate phrases and a near-duplicate key (spaCy).

One spaCy pass per text gives everything the later stages need, as plain
tuples of strings: content lemmas (for keywords and label scoring) and
candidate phrases in the card's own words (for theme labels).
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SPACY_MODEL = "fr_core_news_md"

#: Parts of speech that carry a card's content.
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})
#: Words that may not open or close a label ("de la", "et", "les"...).
EDGE_POS = frozenset({"DET", "ADP", "CCONJ", "SCONJ", "PUNCT", "PRON", "AUX", "PART", "SYM", "X", "SPACE", "ADV", "NUM"})
#: Quantifier-like adjectives that make a poor first word for a label ("Tous les OT", "Différents outils").
_LEADING_QUANTIFIERS = frozenset({"tout", "différent", "chaque", "autre", "certain", "plusieurs", "même", "divers", "quelque"})
#: Nouns of prepositional locutions ("au sein de", "au niveau de", "en matière de"): not a subject.
_LOCUTION_NOUNS = frozenset({"sein", "niveau", "matière", "terme", "cadre", "lieu", "faveur", "vue"})
MAX_PHRASE_TOKENS = 7

# Modal and support verbs open many cards ("Il faut…", "Pouvoir…") without
# saying anything about the theme.
_SUPPORT_LEMMAS = frozenset({"falloir", "devoir", "pouvoir", "vouloir", "aller", "faire", "avoir", "être", "permettre"})

# Very short tokens are mostly spaCy noise ("l'", "d'"); network acronyms such
# as "OT" or "RT" are kept by the uppercase test.
_MIN_LEMMA_LENGTH = 3


@dataclass(frozen=True)
class Phrase:
    """A candidate label phrase, as written in a card, with its lemmas for scoring."""

    text: str
    lemmas: tuple[str, ...]


@dataclass(frozen=True)
class CleanText:
    text: str
    #: Content lemmas, lowercased, stop words removed, in text order.
    lemmas: tuple[str, ...]
    #: Candidate phrases (noun groups and verb groups) in the card's own words.
    phrases: tuple[Phrase, ...]
    #: Accent-, case- and punctuation-free form, for spotting near-identical cards.
    key: str


@lru_cache(maxsize=1)
def load_nlp():
    """The French spaCy pipeline, loaded once per process (named entities are not used)."""
    import spacy

    return spacy.load(SPACY_MODEL, exclude=["ner"])


#: From this many texts spaCy runs in two processes (when the machine has two cores or more): below it,
#: starting a second process and loading the model again costs more than it saves.
PARALLEL_FROM = 20_000


def clean_texts(texts: list[str], *, batch_size: int = 64, show_progress: bool = False) -> list[CleanText]:
    nlp = load_nlp()
    prepared = [normalise_text(text) for text in texts]
    n_process = 2 if len(texts) >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2 else 1
    docs = nlp.pipe(prepared, batch_size=batch_size if n_process == 1 else 256, n_process=n_process)
    if show_progress:
        from tqdm import tqdm

        docs = tqdm(docs, total=len(texts), desc="spaCy", unit=" textes", leave=False)
    return [_clean_doc(text, doc) for text, doc in zip(texts, docs)]


def static_word_vectors(words: list[str]) -> tuple[dict[str, np.ndarray], int]:
    """-> ({word: vector} for the words the French model has a static vector for, the vectors' dimension).

    fr_core_news_md's 300-d vectors, trained on French web text: free once spaCy is
    loaded, and a second opinion on what words are about, next to the sentence model's.
    """
    vocab = load_nlp().vocab
    return {word: vocab.get_vector(word) for word in words if vocab.has_vector(word)}, vocab.vectors_length


def normalise_text(text: str) -> str:
    """The form analysed and embedded: single spaces, and shouting cards brought to lower case.

    Cards typed in capitals otherwise cluster together by their casing alone
    (measured on the demo corpus); acronyms such as "OT", "ADT" or "CRTL" keep
    their capitals.
    """
    text = re.sub(r"\s+", " ", text).strip()
    letters = [char for char in text if char.isalpha()]
    if len(letters) < 8 or sum(char.isupper() for char in letters) < 0.6 * len(letters):
        return text
    lowered = re.sub(r"\w+", _lower_unless_acronym, text)
    return lowered[:1].upper() + lowered[1:]


def _lower_unless_acronym(match: re.Match) -> str:
    word = match.group(0)
    if len(word) <= 4 and word.casefold() not in french_stop_words():
        return word
    return word.lower()


@lru_cache(maxsize=1)
def french_stop_words() -> frozenset[str]:
    """spaCy's French stop words (importable without loading the pipeline)."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def comparison_key(text: str) -> str:
    """Lowercase, accents and punctuation removed, words single-spaced."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.findall(r"[a-z0-9]+", bare))


def _clean_doc(text: str, doc) -> CleanText:
    return CleanText(
        text=text,
        lemmas=tuple(_lemma(token) for token in doc if _is_content(token)),
        phrases=_candidate_phrases(doc),
        key=comparison_key(text),
    )


def _is_content(token) -> bool:
    if token.is_stop or token.is_punct or token.like_num or token.pos_ not in CONTENT_POS:
        return False
    if token.lemma_.casefold() in _SUPPORT_LEMMAS:
        return False
    return len(token.text) >= _MIN_LEMMA_LENGTH or token.text.isupper()


def _lemma(token) -> str:
    # Acronyms keep their spelling ("OT", "ADT"): spaCy lemmatises them unevenly.
    if token.text.isupper() and len(token.text) <= 6:
        return token.text
    return token.lemma_.casefold()


def _candidate_phrases(doc) -> tuple[Phrase, ...]:
    seen: dict[str, Phrase] = {}
    for span in _phrase_spans(doc):
        phrase = _trimmed_phrase(span)
        if phrase is not None and phrase.text.casefold() not in seen:
            seen[phrase.text.casefold()] = phrase
    return tuple(seen.values())


def _phrase_spans(doc):
    """Noun groups (a noun with its modifiers) and verb groups (a verb with its object)."""
    for token in doc:
        if token.pos_ in ("NOUN", "PROPN"):
            yield doc[token.left_edge.i : token.i + 1]  # the bare noun chunk
            yield doc[token.left_edge.i : token.right_edge.i + 1]  # with its complements
        elif token.pos_ == "VERB" and "Inf" in token.morph.get("VerbForm"):
            # Only infinitives open a label ("Mutualiser les outils"); a conjugated
            # verb gives a fragment ("Restent au niveau régional").
            objects = [child for child in token.children if child.dep_ in ("obj", "obl", "obl:arg", "xcomp")]
            if objects:
                end = max(child.right_edge.i for child in objects)
                yield doc[token.i : end + 1]
    if len(doc) <= MAX_PHRASE_TOKENS:
        yield doc[:]


def _opens_locution(tokens) -> bool:
    return len(tokens) > 1 and tokens[0].lemma_.casefold() in _LOCUTION_NOUNS and tokens[1].pos_ == "ADP"


def _cuts_a_word(first, last) -> bool:
    doc = first.doc
    def joins(left: str, right: str) -> bool:
        return (left.isalnum() or left == "-") and (right.isalnum() or right == "-")

    glued_before = first.i > 0 and not doc[first.i - 1].whitespace_ and joins(doc[first.i - 1].text[-1:], first.text[:1])
    glued_after = last.i + 1 < len(doc) and not last.whitespace_ and joins(last.text[-1:], doc[last.i + 1].text[:1])
    return glued_before or glued_after or not (first.text[:1].isalnum() and last.text[-1:].isalnum())


def _trimmed_phrase(span) -> Phrase | None:
    tokens = list(span)
    while tokens and (tokens[0].pos_ in EDGE_POS or tokens[0].lemma_.casefold() in _LEADING_QUANTIFIERS or _opens_locution(tokens)):
        tokens.pop(0)
    while tokens and (tokens[-1].pos_ in EDGE_POS or tokens[-1].is_stop):
        tokens.pop()
    if not tokens or len(tokens) > MAX_PHRASE_TOKENS:
        return None
    if _cuts_a_word(tokens[0], tokens[-1]):
        return None  # "Turn-over" tokenised as "Turn" "-over": never keep half of it
    if any(token.is_punct and token.text not in "'’-" for token in tokens):
        return None  # a phrase spanning punctuation joins two ideas
    if any(token.pos_ in ("AUX", "PRON") or "Fin" in token.morph.get("VerbForm") for token in tokens):
        return None  # a clause ("un OT est en difficulté", "les développer") reads as a fragment
    if tokens[0].lemma_.casefold() in _SUPPORT_LEMMAS:
        return None  # "Faire l'école": the support verb carries no theme
    if any(a.pos_ == "CCONJ" and b.pos_ in ("DET", "ADP") for a, b in zip(tokens, tokens[1:])):
        return None  # "citoyennes et des citoyens": a coordination cut in the middle of a list
    lemmas = tuple(_lemma(token) for token in tokens if _is_content(token))
    if not lemmas:
        return None
    text = span.doc[tokens[0].i : tokens[-1].i + 1].text
    return Phrase(text=text, lemmas=lemmas)
