"""Theme labels: short French headings that name what a theme's cards share.

A label is a phrase written in the theme's cards (respelled by the clean stage:
accents restored, number agreed): a noun group (« Connaissance du territoire ») or
an infinitive with its complement (« Clarifier les rôles »). A candidate must

- be **supported**: each of its content lemmas (or one of its family: « clarifier »,
  « clarification ») must be held by at least two units of the theme, so one card's
  wording, a joke above all (« Mascotte pour le réseau »), never names a theme; its
  support leans on its least held lemma, so a theme about the network's solidarity,
  whose cards say « réseau » but rarely « sociaux », is not named « Réseaux sociaux »;
- **not be a fragment**: parsed on its own, it is one constituent headed by a noun
  or an infinitive, with no dangling « que », « comme », « d'un même »…, no noun
  followed by a determiner, and adjectives agreeing with their noun (« Billetterie
  commun » is cut out of « système de billetterie commun ») (``fragment_reason``).

Among those, the score weighs that support (0.6),
its closeness to the theme's centre in the sentence space (0.25), and the c-TF-IDF
specificity of its lemmas against the other themes of the category (0.15); a
one-word heading is a last resort. The weights move the figures of
scripts/bench_labels.py by 3 points at most (0.45/0.35/0.2 and 0.35/0.45/0.2 tried). The
clean stage also offers each head noun with a single complement (« Connaissance du
territoire » out of longer groups), so when no whole group covers the theme the
safe generalisation wins over a catchy fragment. A heading that still names only the
subject (one word, or an acronym with one content word: « Visiteurs », « Petits OT »,
« TS et ANT ») is **widened** to the phrase of a central card that holds its content
word (« Questions des visiteurs », « Visibilité pour les petits OT »; ``_widening_pool``).
**Coverage first** for mixed themes: when the label of a theme of 6 units or more is carried
by fewer than a third of them, it becomes « A et b », the label and the best scored supported
phrase of the same kind (noun group or infinitive) that together carry at least a third
(« Données non partagées et outils numériques »; ``_coordinate_mixed_themes``); a heading
longer than 4 words is left alone. Themes are named in order of size and no two themes of a category share a label; a
penalty for resembling a label already given (MMR, 0.2) was dropped: it handed a
solidarity theme « Réseaux sociaux » because the larger one was named « Solidarité ».

Measured by scripts/bench_labels.py (demo: 44 themes at the finer grain; makeorg: 10
workshop draws, 93 themes), before → after widening and without MMR: lemma agreement
with the majority reference name 66 % → 66 % on the demo (86 % → 90 % where that name
holds half the theme or more; « Conseiller à un OT voisin » agreed through « OT » alone
and is now « Prêter un conseiller », see ``misread_as_a_verb``) and 18 % → 20 % on
makeorg, whose moderators' tags are abstract (« addictions » for « Consommation de
tabac », « institutions » for « Supprimer le Sénat »); fragments 0/44 and 1/93 → 0/44
and 0/93; labels naming only the subject 15/44 (12 single words, « TS et ANT », « CRTL
et CDD », « Petits OT ») → 0/44 on the demo. Coverage first and the phrase fixes of clean.py
(a complement without article kept: « Animer un groupe de travail »; no noun of quantity)
then moved labels carried by a third of their units 31/44 → 30/44 on the demo (a one-word
label widened to one card's phrase: « Apidae » → « Saisie mutualisée dans Apidae ») and 55/93 →
58/93 on makeorg, lemma agreement 66 % → 66 % and 23 % → 26 %.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from synthesis.clean import ANAPHORIC_LEMMAS, DANGLING_LEMMAS, EDGE_POS, CleanText, Phrase, load_nlp, parse_phrases
from synthesis.spelling import bare
from synthesis.summarise.scale import LemmaIndex

Encode = Callable[[list[str]], np.ndarray]

MAX_LABEL_WORDS = 7
#: Past this many units a theme's label candidates are its MAX_LABEL_CANDIDATES phrases written in the most units.
LARGE_THEME, MAX_LABEL_CANDIDATES = 500, 500
#: Units that must carry a label (fewer only in a smaller theme).
MIN_SUPPORT_UNITS = 2
#: Weights of support share, closeness to the theme centre and c-TF-IDF specificity.
LABEL_WEIGHTS = (0.6, 0.25, 0.15)
#: A one-word heading names the subject but not what is said of it: it wins only when clearly better supported.
_SINGLE_WORD_FACTOR = 0.8
#: Subtracted from a one-word heading's score, so that it names a theme only when no longer phrase can (10: always).
_SINGLE_WORD_LAST_RESORT = 10.0
#: Nouns that only open prepositional locutions (« au niveau de », « au sein de »).
_LOCUTION_HEADS = frozenset({"sein", "niveau", "matière", "terme", "cadre", "lieu", "faveur", "vue", "part", "côté"})


@dataclass(frozen=True)
class Label:
    text: str
    lemmas: tuple[str, ...]
    #: Share of the theme's units that carry the label (see ``carries``).
    support: float


def same_family(a: str, b: str) -> bool:
    """Whether two lemmas are one word or one family (« clarifier » / « clarification », « partage » / « partager »)."""
    if a == b:
        return True
    x, y = bare(a), bare(b)
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    if len(short) >= 5 and long.startswith(short) and len(long) - len(short) <= 2:
        return True
    return len(short) >= 8 and short[:7] == long[:7]


def holds(unit_lemmas: set[str], lemma: str) -> bool:
    """Whether a unit holds the lemma or one of its family."""
    return lemma in unit_lemmas or any(same_family(lemma, other) for other in unit_lemmas)


def carries(unit_lemmas: set[str], label_lemmas: Sequence[str]) -> bool:
    """Whether a unit holds (see ``holds``) at least half of the label's content lemmas (rounded up)."""
    wanted = set(label_lemmas)
    found = sum(holds(unit_lemmas, lemma) for lemma in wanted)
    return bool(wanted) and found >= math.ceil(len(wanted) / 2)


def label_support(label_lemmas: Sequence[str], unit_lemmas: Sequence[set[str]]) -> float:
    """Share of the units carrying the label."""
    if not unit_lemmas:
        return 0.0
    return sum(carries(lemmas, label_lemmas) for lemmas in unit_lemmas) / len(unit_lemmas)


def fragment_reason(label: str, doc=None) -> str | None:
    """Why a heading is not a whole French constituent (None when it is one), by spaCy's parse of it alone.

    A heading whose first word the parser reads as a conjugated verb or a participle with no
    subject (« Marque Occitanie », « Partage des données », « Saisie mutualisée dans Apidae »),
    or as an adverb (« Recrutement des saisonniers », by its ending), is parsed again after an
    article: a noun group then reads as one, while a clause (« Restent au niveau régional ») stays one.
    """
    nlp = load_nlp()
    doc = doc if doc is not None else nlp(label)
    tokens = [token for token in doc if not token.is_space]
    reason = _fragment_reason(tokens)
    first = tokens[0] if tokens else None
    misread = first is not None and (first.pos_ == "ADV" or first.pos_ == "VERB" and "Inf" not in first.morph.get("VerbForm"))
    if reason and misread and not any(c.dep_.startswith("nsubj") for c in first.children):
        for article in ("la ", "le "):
            again = [token for token in nlp(article + label[:1].lower() + label[1:]) if not token.is_space][1:]
            if again and again[0].pos_ in ("NOUN", "PROPN") and _fragment_reason(again) is None:
                return None
    return reason


def _fragment_reason(tokens) -> str | None:
    if not tokens:
        return "vide"
    inside = {token.i for token in tokens}
    roots = [token for token in tokens if token.head.i == token.i or token.head.i not in inside]
    if len(roots) != 1:
        return "plusieurs constituants"
    root = roots[0]
    if tokens[0].pos_ in ("ADP", "CCONJ", "SCONJ", "DET", "PRON", "PUNCT"):
        return f"commence par « {tokens[0].text} »"
    if tokens[-1].pos_ in EDGE_POS - {"ADV", "NUM", "X"} or tokens[-1].text.casefold() in ("de", "d'", "du", "des", "et", "ou"):
        return f"finit par « {tokens[-1].text} »"
    for before, token in zip([None, *tokens], tokens):
        lemma = token.lemma_.casefold()
        if lemma in DANGLING_LEMMAS or token.pos_ == "SCONJ" or (lemma == "ni" and sum(t.lower_ == "ni" for t in tokens) == 1):
            return f"« {token.text} » sans sa proposition"
        if lemma in ANAPHORIC_LEMMAS and before is not None and before.pos_ == "DET":
            return f"« {before.text} {token.text} » renvoie à la phrase d'origine"
        if before is not None and before.pos_ in ("NOUN", "PROPN", "ADJ") and token.pos_ == "DET" and root.pos_ != "VERB" and token.text.casefold() not in ("du", "des"):
            return f"« {before.text} {token.text} » : un nom suivi d'un déterminant sans préposition"
        misread_noun = token.dep_ == "conj" and token.head.pos_ in ("NOUN", "PROPN", "ADJ")  # « … et entraide »
        if token.pos_ == "AUX" or ("Fin" in token.morph.get("VerbForm") and not misread_noun):
            return f"verbe conjugué « {token.text} »"
    for token in tokens:
        if token.pos_ == "ADJ" and token.dep_ == "amod" and token.head.pos_ in ("NOUN", "PROPN") and token.head.i in inside:
            if _disagree(token, token.head):
                return f"« {token.head.text} {token.text} » : accord"  # an error, or the adjective of a noun left out (« système de billetterie commun »)
    if root.lemma_.casefold() in _LOCUTION_HEADS:
        return f"« {root.text} » ouvre une locution"
    is_infinitive = root.pos_ == "VERB" and "Inf" in root.morph.get("VerbForm")
    nominal = root.pos_ in ("NOUN", "PROPN") or (root.pos_ == "ADJ" and root.i == tokens[0].i)
    if not (nominal or is_infinitive):
        return f"tête « {root.text} » ({root.pos_}) : ni nom ni infinitif"
    return None


def _disagree(adjective, noun) -> bool:
    """Whether an adjective and its noun differ in gender (by the parse), or in number by the parse and by their endings.

    The parse alone misreads the number of « Retours » (singular) in « Retours terrain réguliers ».
    """
    genders = adjective.morph.get("Gender"), noun.morph.get("Gender")
    if all(genders) and genders[0] != genders[1]:
        return True
    numbers = adjective.morph.get("Number"), noun.morph.get("Number")
    plural_looking = adjective.text.lower().endswith(("s", "x")), noun.text.lower().endswith(("s", "x", "z"))
    return all(numbers) and numbers[0] != numbers[1] and plural_looking[0] != plural_looking[1]


def class_tfidf(cleaned: Sequence[CleanText], labels: np.ndarray, theme_ids: Sequence[int]) -> dict[int, dict[str, float]]:
    """BERTopic's c-TF-IDF: tf of a lemma in a theme × log(1 + mean theme size / lemma frequency)."""
    counts = {label: Counter() for label in theme_ids}
    for text, label in zip(cleaned, labels.tolist()):
        if label in counts:
            counts[label].update(text.lemmas)
    overall = Counter()
    for counter in counts.values():
        overall.update(counter)
    mean_words = sum(overall.values()) / max(len(counts), 1)
    weights = {}
    for label, counter in counts.items():
        size = sum(counter.values()) or 1
        weights[label] = {lemma: (n / size) * math.log(1 + mean_words / overall[lemma]) for lemma, n in counter.items()}
    return weights


@dataclass(frozen=True)
class _Candidate:
    phrase: Phrase
    support: float


def theme_labels(
    cleaned: Sequence[CleanText],
    vectors: np.ndarray,
    labels: np.ndarray,
    members: dict[int, np.ndarray],
    keywords: dict[int, list[str]],
    encode: Encode,
) -> dict[int, Label]:
    """A distinct label per theme (see the module docstring)."""
    weights = class_tfidf(cleaned, labels, list(members))
    unit_lemmas = [set(text.lemmas) for text in cleaned]
    candidates = {label: _supported_phrases(cleaned, idx, unit_lemmas) for label, idx in members.items()}
    texts = sorted({_capitalise(c.phrase.text) for found in candidates.values() for c in found})
    whole = {text for text, doc in zip(texts, parse_phrases(texts)) if fragment_reason(text, doc) is None}
    candidates = {label: [c for c in found if _capitalise(c.phrase.text) in whole] for label, found in candidates.items()}
    phrase_texts = sorted({c.phrase.text for found in candidates.values() for c in found})
    phrase_vectors = dict(zip(phrase_texts, encode(phrase_texts))) if phrase_texts else {}
    order = sorted(members, key=lambda lab: (-len(members[lab]), lab))
    centres = {label: _unit(vectors[members[label]].mean(axis=0)) for label in order}
    used: set[str] = set()
    chosen: dict[int, Phrase | None] = {}
    first_scores: dict[int, list[tuple[float, Phrase]]] = {}
    for label in order:
        first_scores[label] = _score(candidates[label], weights[label], centres[label], phrase_vectors)
        chosen[label] = _best_unused(first_scores[label], used)
        if chosen[label] is not None:
            used.add(_capitalise(chosen[label].text).casefold())
    # « Visiteurs », « Petits OT » name the subject, not what is said of it: the same word
    # with its complement as a central card writes it (« Questions des visiteurs »), or, with
    # no supported phrase at all, a card's phrase rather than two keywords joined. Widened
    # after every theme has its first choice, so that their phrases are embedded in one batch.
    to_widen = [label for label in order if chosen[label] is None or names_subject_only(chosen[label])]
    pools = {label: _widening_pool(chosen[label], cleaned, members[label], vectors, centres[label], unit_lemmas) for label in to_widen}
    missing = sorted({phrase.text for pool in pools.values() for _, phrase in pool} - set(phrase_vectors))
    phrase_vectors.update(zip(missing, encode(missing)) if missing else [])
    for label in to_widen:
        used.discard(_capitalise(chosen[label].text).casefold() if chosen[label] is not None else "")
        scored = _score([_Candidate(phrase, support) for support, phrase in pools[label]], weights[label], centres[label], phrase_vectors)
        chosen[label] = _best_unused(scored, used) or chosen[label]
        if chosen[label] is not None:
            used.add(_capitalise(chosen[label].text).casefold())
    sides = _coordinate_mixed_themes(chosen, order, first_scores, cleaned, members, unit_lemmas, used)
    result = {}
    for label in order:
        if chosen[label] is None:
            text = _fallback_label(keywords[label], used)
            used.add(text.casefold())
            lemmas = tuple(lemma for lemma in _lemmas_of(text, cleaned, members[label]))
        else:
            text, lemmas = _capitalise(chosen[label].text), chosen[label].lemmas
        index = LemmaIndex([unit_lemmas[i] for i in members[label]])
        carried = set().union(*(index.carrying(side.lemmas) for side in sides[label])) if label in sides else index.carrying(lemmas)
        support = len(carried) / len(index)
        result[label] = Label(text, lemmas, support)
    return result


def _supported_phrases(cleaned: Sequence[CleanText], indices: np.ndarray, unit_lemmas: list[set[str]]) -> list[_Candidate]:
    """The theme's phrases of 1 to 7 words each of whose content lemmas is held by MIN_SUPPORT_UNITS units or more.

    A candidate's support is the mean of the share of units holding its least held
    lemma and the mean share over its lemmas: every word of a heading must speak for
    the theme (« Réseaux sociaux », over a theme where « sociaux » is in 2 cards of 12
    and « réseau » in all, scores (2/12 + 7/12) / 2 = 0.375, below « Réseau solidaire »
    when 3 cards say « solidaire »), and a widely shared head counts for something
    (« Marque Occitanie » over « Sud de France » when both complements are in 2 cards).
    """
    members = [unit_lemmas[i] for i in indices]
    needed = min(MIN_SUPPORT_UNITS, len(members))
    seen: dict[str, Phrase] = {}
    for i in indices:
        for phrase in cleaned[i].phrases:
            if len(phrase.text.split()) <= MAX_LABEL_WORDS:
                seen.setdefault(phrase.text.casefold(), phrase)
    from synthesis.summarise import scale as summarise_scale

    if len(indices) > LARGE_THEME:
        seen = summarise_scale.most_written(seen, cleaned, indices, MAX_LABEL_CANDIDATES)
    # the units' lemmas indexed once: the same counts as ``holds`` over every unit per lemma, which took
    # 172 of the 188 s of summaries for 3,000 texts in 14 themes (synthesis/summarise/scale.py)
    held = summarise_scale.held_counts({lemma for phrase in seen.values() for lemma in phrase.lemmas}, members)
    found = []
    for phrase in seen.values():
        if all(lemma.isupper() for lemma in phrase.lemmas):
            continue  # "OT", "OT et ADT" name who, not what: a label needs a content word
        shares = [held[lemma] / len(members) for lemma in set(phrase.lemmas)]
        if min(shares) * len(members) >= needed:
            found.append(_Candidate(phrase, (min(shares) + sum(shares) / len(shares)) / 2))
    return found


def _score(candidates: list[_Candidate], weights: dict[str, float], centre: np.ndarray, vectors: dict) -> list[tuple[float, Phrase]]:
    best_weight = max(weights.values(), default=1.0) or 1.0
    scored = []
    for candidate in candidates:
        phrase = candidate.phrase
        lemmas = set(phrase.lemmas)
        specificity = sum(weights.get(lemma, 0.0) for lemma in lemmas) / best_weight / math.sqrt(len(lemmas))
        closeness = float(vectors[phrase.text] @ centre)
        share_weight, closeness_weight, specificity_weight = LABEL_WEIGHTS
        score = share_weight * candidate.support + closeness_weight * closeness + specificity_weight * min(specificity, 1.0)
        words = len(phrase.text.split())
        score *= 1.0 - 0.03 * max(words - 3, 0)  # longer phrases should not win by adding words
        if words == 1:
            score = score * _SINGLE_WORD_FACTOR - _SINGLE_WORD_LAST_RESORT
        scored.append((score, phrase))
    return scored


#: Words of a widened one-word label (« Questions des visiteurs »): short enough to stay a heading.
MAX_WIDENED_WORDS = 5
#: The best supported phrases of a widening that are parsed and embedded to be scored.
MAX_WIDENING_CANDIDATES = 8


def names_subject_only(phrase: Phrase) -> bool:
    """Whether a heading is one word, or an acronym with one content word at most (« Métier », « Petits OT », « TS et ANT »).

    « Projets du CRTL » says what of whom and is kept.
    """
    if len(phrase.text.split()) == 1:
        return True
    head = phrase.head or phrase.lemmas[0]
    return head.isupper() and len({lemma for lemma in phrase.lemmas if not lemma.isupper()}) <= 1


def _widening_pool(
    word: Phrase | None,
    cleaned: Sequence[CleanText],
    indices: np.ndarray,
    vectors: np.ndarray,
    centre: np.ndarray,
    unit_lemmas: list[set[str]],
) -> list[tuple[float, Phrase]]:
    """(support, phrase) of up to MAX_WIDENING_CANDIDATES whole phrases of 2 to MAX_WIDENED_WORDS words that say more than ``word``.

    Each holds ``word``'s content word (see ``names_subject_only``), up to MAX_LABEL_WORDS
    words when no shorter phrase does, and is drawn from the theme's central units (cosine
    to the centre at or above the theme's lower quartile), so a joke, which sits at the theme's edge, seldom names it; from all its units only
    when ``word`` is None and no central unit offers a phrase. Its support is the mean
    share of the theme's units that hold each of its lemmas (its complement may be one
    card's); acronyms are left out of it, as they say who, not what (« Conseiller à un
    OT voisin » is not carried by every card naming an OT).
    """
    closeness = vectors[indices] @ centre
    central = indices[closeness >= np.percentile(closeness, 25) - 1e-9]
    anchors = {lemma for lemma in word.lemmas if not lemma.isupper()} if word is not None else set()
    phrases = (
        _phrases_holding(cleaned, central, anchors) or _phrases_holding(cleaned, central, anchors, MAX_LABEL_WORDS)  # « Sensibiliser nos élus au travail en réseau »
        or (_phrases_holding(cleaned, indices, anchors) if word is None else [])
    )
    members = [unit_lemmas[i] for i in indices]
    from synthesis.summarise import scale as summarise_scale

    held = summarise_scale.held_counts({lemma for phrase in phrases for lemma in phrase.lemmas}, members)
    supported = sorted(
        ((float(np.mean([held[lemma] / len(members) for lemma in set(phrase.lemmas) if not lemma.isupper()])), phrase) for phrase in phrases),
        key=lambda item: (-item[0], len(item[1].text.split()), item[1].text),
    )[:MAX_WIDENING_CANDIDATES]  # parsing and embedding every phrase of a large theme would double the summarise stage
    texts = [_capitalise(phrase.text) for _, phrase in supported]
    written = [cleaned[i].readable or cleaned[i].text for i in indices]
    return [
        item for item, text, doc in zip(supported, texts, parse_phrases(texts))
        if fragment_reason(text, doc) is None and not misread_as_a_verb(item[1].text, doc, written)
    ]


#: Determiners before which a word is a noun (« un conseiller à un OT voisin »).
_NOUN_DETERMINERS = ("un", "une", "le", "la", "les", "l'", "l’", "des", "du", "ce", "cet", "cette", "ces", "mon", "ma", "mes", "notre", "nos", "votre", "vos", "leur", "leurs", "chaque")


def misread_as_a_verb(phrase: str, doc, texts: Sequence[str]) -> bool:
    """Whether a heading read alone opens on an infinitive that its cards write as a noun.

    « Conseiller à un OT voisin », out of « Prêter un conseiller à un OT voisin », reads
    alone as « to advise a neighbouring OT ».
    """
    root = next((token for token in doc if token.head.i == token.i), None)
    if root is None or root.i != 0 or root.pos_ != "VERB" or "Inf" not in root.morph.get("VerbForm"):
        return False
    before = r"(?:^|\s)(?:" + "|".join(re.escape(word) for word in _NOUN_DETERMINERS) + r")\s*" + re.escape(phrase)
    return any(re.search(before, text, flags=re.IGNORECASE) for text in texts)


def _phrases_holding(cleaned: Sequence[CleanText], indices: np.ndarray, anchors: set[str], max_words: int = MAX_WIDENED_WORDS) -> list[Phrase]:
    """The units' phrases of 2 to ``max_words`` words that do not name only a subject and hold the anchors."""
    pool: dict[str, Phrase] = {}
    for i in indices:
        for phrase in cleaned[i].phrases:
            if not 2 <= len(phrase.text.split()) <= max_words or names_subject_only(phrase):
                continue
            if not all(any(same_family(lemma, anchor) for lemma in phrase.lemmas) for anchor in anchors):
                continue
            pool.setdefault(phrase.text.casefold(), phrase)
    return sorted(pool.values(), key=lambda phrase: phrase.text)


#: A theme whose label is carried by fewer than this share of its units is named by two ideas when together they carry more.
COVERAGE_SHARE = 1 / 3
#: Below this many units a theme is one idea, and one card's phrase may name it.
MIN_COORDINATED_UNITS = 6
#: Words of each side of a coordinated heading (« Perte de compétences et petites équipes »).
MAX_COORDINATED_SIDE_WORDS = 4
#: The best scored supported phrases among which the pair is sought.
MAX_COORDINATED_POOL = 6


def _coordinate_mixed_themes(chosen, order, scored, cleaned, members, unit_lemmas, used) -> dict[int, tuple[Phrase, Phrase]]:
    """Coverage first for mixed themes: a label carried by fewer than COVERAGE_SHARE of the units
    gives way to two supported phrases joined by « et » that together carry at least that share
    (« Perte de compétences et petites équipes » over « Perte de compétences » on a theme about
    turn-over, small teams and lost skills). Changes ``chosen`` and ``used`` in place; returns each
    coordinated theme's two sides, as a unit carries the heading when it carries either."""
    pending = {}
    for label in order:
        idx = members[label]
        index = LemmaIndex([unit_lemmas[i] for i in idx])
        current = index.carrying(chosen[label].lemmas) if chosen[label] is not None else set()
        if len(idx) >= MIN_COORDINATED_UNITS and len(current) < COVERAGE_SHARE * len(idx):
            pair = _best_pair(scored[label], index, chosen[label], _lowercase_words(cleaned, idx))
            if pair is not None:
                pending[label] = pair
    texts = sorted({_capitalise(joined.text) for joined, _, _ in pending.values()})
    whole = {text for text, doc in zip(texts, parse_phrases(texts)) if fragment_reason(text, doc) is None}
    sides = {}
    for label in order:
        text = _capitalise(pending[label][0].text) if label in pending else ""
        if text not in whole or text.casefold() in used:
            continue
        if chosen[label] is not None:
            used.discard(_capitalise(chosen[label].text).casefold())
        chosen[label], sides[label] = pending[label][0], pending[label][1:]
        used.add(text.casefold())
    return sides


def _best_pair(
    scored: list[tuple[float, Phrase]], index: LemmaIndex, anchor: Phrase | None, lowercase: set[str],
) -> tuple[Phrase, Phrase, Phrase] | None:
    """(« A et b », a, b): two short supported phrases, of one kind and no shared word, that together carry the most units.

    Sides are sought among the MAX_COORDINATED_POOL best scored phrases. The first is the theme's label (``anchor``) when it can stand as one side, so the heading
    keeps its best phrase and adds the next most held idea; any pair of the pool when the label
    names only a subject (« Élus ») or there is none; no pair when it is longer than a side.
    None when they carry fewer than COVERAGE_SHARE of the units, or no more than the label.
    """
    def fits(phrase: Phrase) -> bool:  # a figure (« Employés de 50-55 ans ») is one card's detail, not a side of a theme
        return 2 <= len(phrase.text.split()) <= MAX_COORDINATED_SIDE_WORDS and not names_subject_only(phrase) and not any(ch.isdigit() for ch in phrase.text)

    # the best scored sides (support, closeness to the theme, specificity): coverage alone
    # would pair in a phrase of generic words (« Partie de la clientèle »)
    pool = [phrase for _, phrase in sorted(scored, key=lambda item: (-item[0], item[1].text)) if fits(phrase)][:MAX_COORDINATED_POOL]
    carried = {phrase.text: index.carrying(phrase.lemmas) for phrase in pool}
    anchored = anchor is not None and fits(anchor)
    if anchor is not None and not anchored and not names_subject_only(anchor):
        return None  # a longer heading (« Animer un groupe de travail ») stays as it is
    if anchored:
        pool, carried[anchor.text] = [anchor, *(phrase for phrase in pool if phrase.text != anchor.text)], index.carrying(anchor.lemmas)
    kinds = {phrase.text: _kind(doc) for phrase, doc in zip(pool, parse_phrases([_capitalise(phrase.text) for phrase in pool]))}
    current = len(index.carrying(anchor.lemmas)) if anchor is not None else 0
    best, best_key = None, None
    for i, first in enumerate(pool):
        for second in pool[i + 1:]:
            if anchored and anchor.text not in (first.text, second.text):
                continue
            if kinds[first.text] != kinds[second.text] or any(same_family(a, b) for a in first.lemmas for b in second.lemmas):
                continue
            sides = (second, first) if anchored and second.text == anchor.text else (first, second)
            union = len(carried[first.text] | carried[second.text])
            key = (union, -len(first.text.split()) - len(second.text.split()))
            if best_key is None or key > best_key:
                best, best_key = sides, key
    if best is None or best_key[0] < COVERAGE_SHARE * len(index) or best_key[0] <= current:
        return None
    first, second = best
    lowered = second.text[:1].lower() + second.text[1:]
    text = f"{first.text} et {lowered if lowered.split()[0].casefold() in lowercase else second.text}"
    return Phrase(text=text, lemmas=tuple(dict.fromkeys(first.lemmas + second.lemmas)), head=first.head), first, second


def _kind(doc) -> str:
    """« inf » for a phrase headed by an infinitive, « noun » otherwise: only phrases of one kind are coordinated."""
    root = next((token for token in doc if token.head.i == token.i), None)
    return "inf" if root is not None and root.pos_ == "VERB" and "Inf" in root.morph.get("VerbForm") else "noun"


def _lowercase_words(cleaned: Sequence[CleanText], indices: np.ndarray) -> set[str]:
    """Words the theme's cards write in lower case (« accueil »; not « Apidae », « OT »): a second side starts with one."""
    return {word for i in indices for word in cleaned[i].words if word.islower()}


def _best_unused(scored: list[tuple[float, Phrase]], used: set[str]) -> Phrase | None:
    """The best scored phrase that no larger theme of the category already bears (ties: alphabetical)."""
    free = [(score, phrase) for score, phrase in scored if _capitalise(phrase.text).casefold() not in used]
    return min(free, key=lambda item: (-item[0], item[1].text))[1] if free else None


def _fallback_label(keywords: list[str], used: set[str]) -> str:
    """A label from the theme's keywords when no phrase is carried by two of its units."""
    if len(keywords) >= 2:
        base = _capitalise(f"{keywords[0]} et {keywords[1]}")
    elif keywords:
        base = _capitalise(keywords[0])
    else:
        base = "Thème sans mots-clés"
    label, suffix = base, 2
    while label.casefold() in used:
        label, suffix = f"{base} ({suffix})", suffix + 1
    return label


def _lemmas_of(text: str, cleaned: Sequence[CleanText], indices: np.ndarray) -> list[str]:
    """The lemmas of a fallback label's words, looked up in the theme's own cards."""
    by_word = {word.casefold(): lemma for i in indices for lemma, word in zip(cleaned[i].lemmas, cleaned[i].words)}
    return [by_word[word] for word in (w.casefold() for w in text.replace("(", " ").split()) if word in by_word]


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
