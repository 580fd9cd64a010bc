"""Clean stage: French text -> lemmas, candidate phrases and a near-duplicate key (spaCy).

One spaCy pass per text gives everything the later stages need, as plain
tuples of strings: content lemmas (for keywords and label scoring) and
candidate phrases in the card's own words (for theme labels).

Texts are respelled before the parse (``synthesis.spelling``: lost accents and
typos, from the corpus and a French word list), so lemmas, phrases and labels are
correct French even when cards are not, and « roles » and « rôles » are one lemma.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from synthesis.clean_cache import CachedParser, CleanedCache, ConsultedCounts
from synthesis.spelling import build_corrections, corpus_words, frequency, respell

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
#: Verbs whose object needs its attribute (« rendre les transports gratuits »): never cut after the object.
_ATTRIBUTE_VERBS = frozenset({"rendre", "laisser", "garder", "considérer", "maintenir", "trouver"})
#: Words that leave a phrase hanging on the rest of its sentence (« Sentiers comme les producteurs »).
DANGLING_LEMMAS = frozenset({"que", "qu'", "comme", "qui", "dont", "où", "quoi", "lequel", "laquelle", "lesquels"})
#: Adjectives that point back to the sentence after an indefinite article (« d'un même département », « un autre OT »).
ANAPHORIC_LEMMAS = frozenset({"même", "autre"})
#: Nouns whose complement carries the idea (« manque de moyens », « besoin de formations »):
#: that complement makes a label on its own, while the complement of a content noun
#: (« vision des élus sur le tourisme ») does not (« Élus sur le tourisme »).
FRAME_NOUNS = frozenset({
    "manque", "besoin", "absence", "insuffisance", "défaut", "problème", "difficulté", "question", "sujet", "enjeu",
    "amélioration", "renforcement", "développement", "partage", "mutualisation", "mise", "création", "plus", "peu", "trop",
    "moins", "beaucoup", "assez", "envie", "volonté", "importance", "ensemble", "part", "nombre", "type", "forme",
})

# Modal and support verbs open many cards ("Il faut…", "Pouvoir…") without
# saying anything about the theme.
_SUPPORT_LEMMAS = frozenset({"falloir", "devoir", "pouvoir", "vouloir", "aller", "faire", "avoir", "être", "permettre"})

# Very short tokens are mostly spaCy noise ("l'", "d'"); network acronyms such
# as "OT" or "RT" are kept by the uppercase test.
_MIN_LEMMA_LENGTH = 3


@dataclass(frozen=True)
class Phrase:
    """A candidate label phrase, as written in a card (respelled), with its lemmas for scoring."""

    text: str
    lemmas: tuple[str, ...]
    #: Lemma of the phrase's head word (« connaissance » for « Connaissance du territoire »).
    head: str = ""


@dataclass(frozen=True)
class CleanText:
    text: str
    #: Content lemmas, lowercased, stop words removed, in text order.
    lemmas: tuple[str, ...]
    #: Candidate phrases (noun groups and verb groups) in the card's own words.
    phrases: tuple[Phrase, ...]
    #: Accent-, case- and punctuation-free form, for spotting near-identical cards.
    key: str
    #: The content words as written (respelled; lower case unless an acronym or a name), one per lemma.
    words: tuple[str, ...] = ()
    #: The text as a report should quote it: a card typed in capitals in sentence case, accents restored.
    readable: str = ""


@lru_cache(maxsize=1)
def load_nlp():
    """The French spaCy pipeline, loaded once per process (named entities are not used)."""
    import spacy

    return spacy.load(SPACY_MODEL, exclude=["ner"])


#: From this many texts spaCy runs in two processes (when the machine has two cores or more): below it,
#: starting a second process and loading the model again costs more than it saves.
PARALLEL_FROM = 20_000


def clean_texts(texts: list[str], *, batch_size: int = 64, show_progress: bool = False,
                corpus: tuple[Counter, dict[str, str]] | None = None, n_process: int | None = None,
                parser: CachedParser | None = None, cleaned_cache: CleanedCache | None = None) -> list[CleanText]:
    """One CleanText per text; spelling is corrected from the whole batch (one corpus).

    ``corpus``: (word counts, corrections) of a larger corpus these texts are one part of
    (a partition of the distributed engine), used instead of the batch's own.
    ``n_process``: spaCy processes (default: 2 from ``PARALLEL_FROM`` texts on two cores or more).
    ``parser``: where parses are looked up before spaCy runs (``clean_cache``; None: every text is parsed);
    ``cleaned_cache``: where whole CleanTexts are looked up first (``clean_cache``: the same result, sooner).
    """
    normalised = [normalise_text(text) for text in texts]
    if corpus is None:
        words = corpus_words(normalised)
        corrections = build_corrections(words)
    else:
        words, corrections = corpus
    prepared = [respell(text, corrections) for text in normalised]
    readable = [fixed if normal != text else text for text, normal, fixed in zip(texts, normalised, prepared)]
    keys = [CleanedCache.key(*parts) for parts in zip(texts, prepared, readable)]
    found = cleaned_cache.found(keys, words) if cleaned_cache is not None else {}
    cleaned: list[CleanText | None] = [found.get(key) for key in keys]
    todo = [i for i, clean in enumerate(cleaned) if clean is None]
    if n_process is None:
        n_process = 2 if len(todo) >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2 else 1
    parser = parser or CachedParser(load_nlp(), None)
    made: dict[bytes, tuple[CleanText, dict[str, int]]] = {}
    # Distinct texts are parsed once, cached ones read back first, one Doc at a time (a Doc weighs about 24 KB).
    for positions, doc in parser.pipe_unordered([prepared[i] for i in todo], batch_size=batch_size if n_process == 1 else 256,
                                                n_process=n_process, progress=_progress_bar if show_progress else None):
        for i in (todo[position] for position in positions):
            consulted = ConsultedCounts(words)
            cleaned[i] = _clean_doc(texts[i], doc, consulted, readable=readable[i])
            made[keys[i]] = (cleaned[i], consulted.asked)
    if cleaned_cache is not None:
        cleaned_cache.save(made)
    return cleaned


def _progress_bar(docs, total: int):
    from tqdm import tqdm

    return tqdm(docs, total=total, desc="spaCy", unit=" textes", leave=False)


#: The run's cache of label phrases' parses (``phrase_parses``); None: phrases are parsed every time.
_PHRASE_PARSER: ContextVar[CachedParser | None] = ContextVar("phrase_parser", default=None)


def parse_phrases(texts: list[str]) -> list:
    """Candidate label phrases parsed alone (for ``fragment_reason``), through the run's cache when one is set."""
    return (_PHRASE_PARSER.get() or CachedParser(load_nlp(), None)).pipe(texts)


@contextmanager
def phrase_parses(cache_dir: Path | None):
    """Within: ``parse_phrases`` looks parses up in ``cache_dir`` (a run's summaries parse thousands of phrases)."""
    token = _PHRASE_PARSER.set(CachedParser(load_nlp(), cache_dir, kind="phrases", remember=True) if cache_dir is not None else None)
    try:
        yield
    finally:
        _PHRASE_PARSER.reset(token)


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
    text = " ".join(text.split())
    letters = "".join(filter(str.isalpha, text))  # builtins over the string: this runs on every text, twice
    if len(letters) < 8 or sum(map(str.isupper, letters)) < 0.6 * len(letters):
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


def _clean_doc(text: str, doc, counts, *, readable: str) -> CleanText:
    content = [token for token in doc if _is_content(token)]
    return CleanText(
        text=text,
        lemmas=tuple(_lemma(token) for token in content),
        phrases=_candidate_phrases(doc, counts),
        key=comparison_key(text),
        words=tuple(_surface(token) for token in content),
        readable=readable,
    )


def _surface(token) -> str:
    if token.text.isupper() and len(token.text) <= 6 or token.pos_ == "PROPN" and token.text[:1].isupper():
        return token.text
    return token.text.lower()


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
    lemma = token.lemma_.casefold()
    # The rule lemmatiser invents stems for mistagged words ("Manque" tagged ADJ -> "manqu"):
    # a lemma that is no French word gives way to the word itself when that is one.
    if frequency(lemma) == 0 and frequency(token.lower_) > 0:
        return token.lower_
    return lemma


def _candidate_phrases(doc, counts) -> tuple[Phrase, ...]:
    seen: dict[str, Phrase] = {}
    for span in _phrase_spans(doc):
        phrase = _trimmed_phrase(span, counts)
        if phrase is not None and phrase.text.casefold() not in seen:
            seen[phrase.text.casefold()] = phrase
    return tuple(seen.values())


def _phrase_spans(doc):
    """Noun groups (a noun with its modifiers) and verb groups (a verb with its object).

    Besides the whole groups, each head with a single complement (« Connaissance du
    territoire » out of « Bonne connaissance du territoire et de ses acteurs »): the
    safe generalisation a theme's label falls back on when no whole group covers it.
    """
    for token in doc:
        if token.pos_ in ("NOUN", "PROPN"):
            yield doc[token.left_edge.i : token.i + 1]  # the bare noun chunk
            yield doc[token.left_edge.i : token.right_edge.i + 1]  # with its complements
            for child in token.rights:
                if child.dep_ in ("amod", "nmod"):
                    yield _head_with(token, child)
        elif token.pos_ == "VERB" and "Inf" in token.morph.get("VerbForm"):
            # Only infinitives open a label ("Mutualiser les outils"); a conjugated
            # verb gives a fragment ("Restent au niveau régional").
            objects = [child for child in token.children if child.dep_ in ("obj", "obl", "obl:arg", "xcomp")]
            if objects:
                end = max(child.right_edge.i for child in objects)
                if token.lemma_ in _ATTRIBUTE_VERBS:
                    end = token.right_edge.i  # the attribute may hang anywhere on the verb
                yield doc[token.i : end + 1]
                if len(objects) == 1 and objects[0].dep_ == "obj" and token.lemma_ not in _ATTRIBUTE_VERBS:
                    yield _head_with(token, objects[0])  # not "Rendre les transports" out of "… gratuits"
    if len(doc) <= MAX_PHRASE_TOKENS:
        yield doc[:]


def _head_with(head, child):
    """The head word through one complement's core (its preposition, article and adjectives; not its own complements)."""
    core = [child] + [grand for grand in child.children if grand.dep_ in ("case", "det", "amod", "fixed", "flat:name") and grand.i > head.i]
    end = max(token.i for token in core)
    if child.dep_ == "amod":
        end = child.right_edge.i  # "riche et varié": an adjective keeps its coordination
    doc = head.doc
    while end + 1 < len(doc) and _opens_a_bare_complement(doc[end + 1], set(range(head.i, end + 1))):
        end += 2  # « Animer un groupe de travail »: the complement without article is part of the name
        while end + 1 < len(doc) and doc[end + 1].head.i == end and doc[end + 1].dep_ in ("amod", "nummod", "fixed", "flat:name"):
            end += 1  # with its own adjective or number (« prêts à taux zéro »)
    return head.doc[head.i : end + 1]


#: Nouns of quantity: « une partie de la clientèle » is about the clientèle.
_QUANTITY_NOUNS = frozenset({"partie", "plupart", "majorité", "minorité", "moitié", "totalité", "nombre", "quantité"})


def _opens_a_quantity(tokens) -> bool:
    return len(tokens) > 1 and tokens[0].lemma_.casefold() in _QUANTITY_NOUNS and tokens[1].lower_ in ("de", "d'", "d’", "du", "des")


def _opens_locution(tokens) -> bool:
    return len(tokens) > 1 and tokens[0].lemma_.casefold() in _LOCUTION_NOUNS and tokens[1].pos_ == "ADP"


def _cuts_a_word(first, last) -> bool:
    doc = first.doc
    def joins(left: str, right: str) -> bool:
        return (left.isalnum() or left == "-") and (right.isalnum() or right == "-")

    glued_before = first.i > 0 and not doc[first.i - 1].whitespace_ and joins(doc[first.i - 1].text[-1:], first.text[:1])
    glued_after = last.i + 1 < len(doc) and not last.whitespace_ and joins(last.text[-1:], doc[last.i + 1].text[:1])
    return glued_before or glued_after or not (first.text[:1].isalnum() and last.text[-1:].isalnum())


def _phrase_head(tokens):
    """The word of the phrase that its other words hang on (the first one whose head lies outside)."""
    inside = {token.i for token in tokens}
    return next((token for token in tokens if token.head.i not in inside or token.head.i == token.i), tokens[0])


def _hangs_on_its_sentence(tokens) -> bool:
    """Whether the phrase only makes sense with words left out of it (see DANGLING_LEMMAS, FRAME_NOUNS)."""
    for before, token in zip([None, *tokens], tokens):
        lemma = token.lemma_.casefold()
        if lemma in DANGLING_LEMMAS or token.pos_ == "SCONJ":
            return True
        if lemma in ANAPHORIC_LEMMAS and before is not None and before.pos_ == "DET":
            return True
    head = _phrase_head(tokens)
    if head.lemma_.casefold() in _LOCUTION_NOUNS or tokens[-1].lemma_.casefold() in _LOCUTION_NOUNS:
        return True  # "Niveau régional", "laïcité au sein"
    governor = head.head
    return (
        head.dep_ == "nmod"
        and governor.i != head.i
        and governor.pos_ == "NOUN"
        and _lemma(governor) not in FRAME_NOUNS
        and any(token.dep_ == "nmod" for token in tokens if token.head.i == head.i)
    )


def _stops_before_its_complement(tokens) -> bool:
    """The phrase ends where its last word's list or agent goes on: « Lien entre élus » out of « lien entre
    élus, pros et réseau », « Apidae alimentée » out of « Apidae alimentée par tous »; or before a complement
    without article that makes one name with a word of it (see ``_opens_a_bare_complement``)."""
    last = tokens[-1]
    if len(tokens) == 1:
        return False  # one word of a list (« élus ») is a word of the card, not a cut
    if any(child.dep_ == "conj" and child.i > last.i for child in last.children):
        return True
    following = last.nbor(1) if last.i + 1 < len(last.doc) else None
    if following is not None and _opens_a_bare_complement(following, {token.i for token in tokens}):
        return True
    return "Part" in last.morph.get("VerbForm") and following is not None and following.lower_ == "par"


#: Prepositions that open a complement without article, one word with what it completes (« travail en réseau »).
_BARE_COMPLEMENT_PREPOSITIONS = frozenset({"en", "de", "d'", "d’", "à"})


def _opens_a_bare_complement(token, inside: set[int]) -> bool:
    """Whether ``token`` opens « en réseau », « de travail », « en séjour »: a preposition and a noun with no
    article, hung on a word of the phrase, that make one name with it (« Sensibiliser nos élus au travail »
    cut out of « … au travail en réseau », « Animer un groupe » out of « … un groupe de travail »)."""
    if token.lower_ not in _BARE_COMPLEMENT_PREPOSITIONS or token.i + 1 >= len(token.doc):
        return False
    noun = token.nbor(1)
    return noun.pos_ == "NOUN" and noun.head.i in inside and not any(child.dep_ == "det" for child in noun.children)


def _trimmed_phrase(span, counts) -> Phrase | None:
    tokens = list(span)
    while tokens and (tokens[0].pos_ in EDGE_POS or tokens[0].lemma_.casefold() in _LEADING_QUANTIFIERS or _opens_locution(tokens) or _opens_a_quantity(tokens)):
        tokens.pop(0)
    while tokens and (tokens[-1].pos_ in EDGE_POS or tokens[-1].is_stop):
        last = tokens[-1]
        modifies_inside = last.head.i in {token.i for token in tokens[:-1]}
        if modifies_inside and (last.pos_ in ("NUM", "ADJ") or last.pos_ == "ADV" and not last.is_stop):
            return None  # "prêts à taux zéro", "à taux bas": the number or adverb is part of the idea
        tokens.pop()
    if not tokens or len(tokens) > MAX_PHRASE_TOKENS or (len(tokens) == 1 and tokens[0].lemma_.casefold() in _QUANTITY_NOUNS):
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
    if _hangs_on_its_sentence(tokens) or _stops_before_its_complement(tokens):
        return None
    lemmas = tuple(_lemma(token) for token in tokens if _is_content(token))
    if not lemmas:
        return None
    return Phrase(text=_agreed_text(tokens, counts), lemmas=lemmas, head=_lemma(_phrase_head(tokens)))


def _agreed_text(tokens, counts) -> str:
    """The phrase's text with the number agreement a card may have skipped.

    « Manque de moyen »: after a frame noun and a bare « de », the noun takes the number
    the corpus uses most (« moyens »); an adjective takes its noun's number when the
    other form is a French word (« Équipes motivée » → « Équipes motivées »).
    """
    words = []
    for token in tokens:
        text = token.text
        head = token.head
        if token.pos_ == "NOUN" and token.dep_ in ("nmod", "obl:arg") and _lemma(head) in FRAME_NOUNS and not any(
            child.dep_ == "det" for child in token.children
        ):
            text = max(_number_forms(text), key=lambda form: (counts.get(form.lower(), 0), form == text))
        elif token.pos_ == "ADJ" and token.dep_ == "amod" and head.pos_ == "NOUN" and head.i == token.i - 1 and not _is_complement(head):
            # Only right after a noun that is no one's complement: in « Turn-over des équipes
            # important » the parse ties the adjective to the wrong noun.
            plural_head = "Plur" in head.morph.get("Number")
            if plural_head != text.lower().endswith(("s", "x")):
                other = [form for form in _number_forms(text) if form != text and frequency(form.lower()) > 0]
                text = other[0] if other else text
        words.append(text + token.whitespace_)
    return "".join(words).strip()


def _is_complement(noun) -> bool:
    """A noun introduced by a preposition, or following another noun (« Turn-over des équipes »)."""
    before = noun.left_edge.i - 1
    return any(child.dep_ == "case" for child in noun.children) or (before >= 0 and noun.doc[before].pos_ in ("NOUN", "PROPN"))


def _number_forms(word: str) -> list[str]:
    """The word and its other number, by the regular rule (« moyen » / « moyens »)."""
    if word.lower().endswith(("s", "x", "z")):
        return [word, word[:-1]] if word.lower().endswith("s") else [word]
    return [word, word + "s"]
