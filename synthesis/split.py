"""Split cards that clearly hold several ideas into idea segments, conservatively.

"- formation / - mutualisation", one idea per line, "observation ; données
partagées" or "Accueil chaleureux mais manque de personnel l'été" become one
segment per idea, each keeping its parent card. Anything less clear stays whole:
a wrong split scatters one idea over two themes, a missed one only blurs a quote.

Survey answers (``sentences=True``) are longer: an answer of several sentences is
also cut at spaCy's sentence boundaries, then each sentence goes through the rules
above, so one answer can feed several themes. A sentence of fewer than
:data:`SENTENCE_MIN_WORDS` content words (« Oui. », « Merci pour cette enquête. »,
« C'est notre principal souci. ») stays with its neighbour. Workshop cards are not cut into sentences: a card is one idea written
in a hurry, its full stops are not boundaries between ideas.
"""

from __future__ import annotations

import re

from synthesis.cards import Card, IdeaUnit
from synthesis.clean import french_stop_words

_BULLET = r"(?:[-–—•*·▪►+]|\d{1,2}[.)])"
_BULLET_START = re.compile(rf"^\s*{_BULLET}\s+")
_SLASHED_BULLETS = re.compile(rf"\s+/\s+(?={_BULLET}\s)")
_SEMICOLON = re.compile(r"\s*;\s*")
# "mais" opposes two statements ("chaleureux mais manque de personnel"); "et",
# "ou" and commas join parts of one idea too often to be split on. Even "mais"
# mostly qualifies one idea ("correct mais pas exceptionnel", "non pas aux grandes
# entreprises mais aux petites"): it splits only a short card whose second part
# opens on a content word, i.e. states something new ("mais manque de personnel").
_BUT = re.compile(r"(?<![.!?])\s*,?\s+mais\s+", re.IGNORECASE)
_BUT_MAX_WORDS = 15
#: "mais trop cher", "mais pas assez": the second part grades the first idea.
_DEGREE_WORDS = frozenset({"trop", "très", "peu", "assez", "plus", "moins", "bien", "mal", "pas", "parfois", "souvent", "toujours", "jamais"})
_SEMICOLON_MAX_WORDS = 25
#: Words of three letters or more a segment needs to stand alone: one where the
#: writer separated the ideas (line, bullet, ";"), two around "mais".
_EXPLICIT_MIN_WORDS, _CONJUNCTION_MIN_WORDS = 1, 2
#: A sentence needs this many content words (three letters or more, not stop words) to stand alone as a segment of an answer.
SENTENCE_MIN_WORDS = 3
#: Only texts with an end of sentence followed by more text are parsed for sentences (spaCy is the slow part).
_MAYBE_SEVERAL_SENTENCES = re.compile(r"[.!?…](?:\s|[»\"”)])*\s+\S")


def split_text(text: str) -> list[str]:
    """The idea segments of one card, each a verbatim substring of it (one segment if no clear split)."""
    splitters = (
        (_split_lines, _EXPLICIT_MIN_WORDS),
        (_split_slashed_bullets, _EXPLICIT_MIN_WORDS),
        (_split_semicolons, _EXPLICIT_MIN_WORDS),
        (_split_but, _CONJUNCTION_MIN_WORDS),
    )
    for splitter, min_words in splitters:
        parts = splitter(text)
        if len(parts) > 1 and all(_substantial(part, min_words) for part in parts):
            return parts
    return [text.strip()]


def split_sentences(texts: list[str]) -> list[list[str]]:
    """Each text's sentences (verbatim substrings), short ones joined to a neighbour; [text] when one sentence."""
    parsed = [i for i, text in enumerate(texts) if _MAYBE_SEVERAL_SENTENCES.search(text)]
    found = [[text.strip()] for text in texts]
    if not parsed:
        return found
    from synthesis.clean import load_nlp

    nlp = load_nlp()
    only_parser = [name for name in nlp.pipe_names if name not in ("tok2vec", "parser", "senter")]
    for i, doc in zip(parsed, nlp.pipe([texts[i] for i in parsed], disable=only_parser)):
        spans = [(sent.start_char, sent.end_char) for sent in doc.sents if sent.text.strip()]
        found[i] = [texts[i][start:end].strip() for start, end in _join_short(texts[i], _written_boundaries(texts[i], spans))]
    return found


_SENTENCE_END = re.compile(r"(?:[.!?…]|\n)[\s»\"”)\]]*$")


def _written_boundaries(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep only the parser's boundaries that the writer marked (. ! ? … or a line break): it also cuts
    inside clauses (« Certains sites sont saturés | l'été, avec des problèmes… »)."""
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if kept and not _SENTENCE_END.search(text[kept[-1][0]:start]):
            kept[-1] = (kept[-1][0], end)
        else:
            kept.append((start, end))
    return kept


def _join_short(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a sentence too short to stand alone to the one before it (the first one to the one after)."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and (not _stands_alone(text[start:end]) or not _stands_alone(text[slice(*joined[-1])])):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _stands_alone(sentence: str) -> bool:
    """Enough content words to be an idea: « Merci pour cette enquête. », « C'est notre principal souci. » are not."""
    acronym = re.fullmatch(r"[A-ZÀ-Ý]{2,6}", sentence.strip()) is not None
    content = [word for word in re.findall(r"\w{3,}", sentence) if word.casefold() not in french_stop_words()]
    return acronym or len(content) >= SENTENCE_MIN_WORDS


def answer_segments(texts: list[str]) -> list[list[str]]:
    """Survey answers: the multi-idea rules, then sentences, then the rules again on each sentence."""
    parts = [split_text(text) for text in texts]
    flat = [part for text_parts in parts for part in text_parts]
    sentences = iter(split_sentences(flat))
    return [
        [piece for part in text_parts for sentence in next(sentences) for piece in split_text(sentence)]
        for text_parts in parts
    ]


def split_cards(cards: list[Card], *, enabled: bool = True, sentences: bool = False) -> list[IdeaUnit]:
    """Idea units with ids unique in the run: segment k of card ``a`` is ``a#k``, or
    ``a#k-2`` when a card is itself named ``a#k``. ``sentences``: survey answers, also cut into sentences."""
    units = []
    taken = {card.id for card in cards}
    by_sentence = answer_segments([card.text for card in cards]) if enabled and sentences else None
    for index, card in enumerate(cards):
        if by_sentence is not None:
            segments = by_sentence[index]
        else:
            segments = split_text(card.text) if enabled else [card.text]
        if len(segments) == 1:
            units.append(IdeaUnit(id=card.id, card=card, text=card.text))
            continue
        for k, part in enumerate(segments, start=1):
            unit_id = _free_id(f"{card.id}#{k}", taken)
            taken.add(unit_id)
            units.append(IdeaUnit(id=unit_id, card=card, text=part, segment=k))
    return units


def _free_id(wanted: str, taken: set[str]) -> str:
    unit_id, suffix = wanted, 2
    while unit_id in taken:
        unit_id, suffix = f"{wanted}-{suffix}", suffix + 1
    return unit_id


def _split_lines(text: str) -> list[str]:
    return [_strip_bullet(line) for line in text.splitlines() if line.strip()]


def _split_slashed_bullets(text: str) -> list[str]:
    return [_strip_bullet(part) for part in _SLASHED_BULLETS.split(text) if part.strip()]


def _split_semicolons(text: str) -> list[str]:
    # In long prose a semicolon joins two clauses of one statement; on a card it lists ideas.
    if len(text.split()) > _SEMICOLON_MAX_WORDS:
        return [text]
    return [part.strip() for part in _SEMICOLON.split(text) if part.strip()]


def _split_but(text: str) -> list[str]:
    parts = [part.strip() for part in _BUT.split(text)]
    if len(parts) != 2 or not all(parts) or len(text.split()) > _BUT_MAX_WORDS:
        return [text]
    return parts if _opens_on_content_word(parts[1]) else [text]


def _opens_on_content_word(text: str) -> bool:
    """Not a function word ("pour", "ce", "très") nor an adverb in -ment ("légèrement")."""
    first = re.split(r"[\s'’]+", text.casefold(), maxsplit=1)[0]
    return first not in french_stop_words() and first not in _DEGREE_WORDS and not first.endswith("ment")


def _strip_bullet(part: str) -> str:
    return _BULLET_START.sub("", part, count=1).strip()


def _substantial(part: str, min_words: int) -> bool:
    acronym = re.fullmatch(r"[A-ZÀ-Ý]{2,6}", part.strip()) is not None  # "OT", "CRTL"
    return acronym or len(re.findall(r"\w{3,}", part)) >= min_words
