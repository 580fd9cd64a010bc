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
  or an infinitive, with no dangling « que », « comme », « d'un même »…
  (``fragment_reason``).

Among those, the score weighs that support (0.6),
its closeness to the theme's centre in the sentence space (0.25), and the c-TF-IDF
specificity of its lemmas against the other themes of the category (0.15); a
one-word heading scores 0.8 of its value. The weights move the figures of
scripts/bench_labels.py by 3 points at most (0.45/0.35/0.2 and 0.35/0.45/0.2 tried). The
clean stage also offers each head noun with a single complement (« Connaissance du
territoire » out of longer groups), so when no whole group covers the theme the
safe generalisation wins over a catchy fragment. Themes are named in order of
size, a candidate close to a label already given being demoted (maximal marginal
relevance), and no two themes of a category share a label.

Measured by scripts/bench_labels.py: on the demo, 38/38 labels pass the fragment
check, 71 % are carried by a third of their theme's units or more, 66 % share a
content word with the reference name of the theme's majority (83 % where that name
holds half the theme or more); on 10 workshop draws of makeorg proposals, 100 %,
53 % and 24 % (the moderators' tags are abstract: « addictions » for « Consommation
de tabac », « statut de l'élu » for « Indemnités des parlementaires »).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from synthesis.clean import ANAPHORIC_LEMMAS, DANGLING_LEMMAS, EDGE_POS, CleanText, Phrase, load_nlp
from synthesis.spelling import bare

Encode = Callable[[list[str]], np.ndarray]

MAX_LABEL_WORDS = 7
#: Past this many units a theme's label candidates are its MAX_LABEL_CANDIDATES phrases written in the most units.
LARGE_THEME, MAX_LABEL_CANDIDATES = 500, 500
#: Units that must carry a label (fewer only in a smaller theme).
MIN_SUPPORT_UNITS = 2
#: Weights of support share, closeness to the theme centre and c-TF-IDF specificity.
LABEL_WEIGHTS = (0.6, 0.25, 0.15)
#: How much a candidate label loses for resembling a label already given in the category (MMR).
LABEL_DIVERSITY = 0.2
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

    A heading whose first word the parser reads as a verb with no subject (« Marque
    Occitanie », « Partage des données ») is parsed again after « la »: a noun group
    then reads as one, while a clause (« Restent au niveau régional ») stays one.
    """
    nlp = load_nlp()
    doc = doc if doc is not None else nlp(label)
    tokens = [token for token in doc if not token.is_space]
    reason = _fragment_reason(tokens)
    first = tokens[0] if tokens else None
    if reason and first is not None and "Fin" in first.morph.get("VerbForm") and not any(c.dep_.startswith("nsubj") for c in first.children):
        again = [token for token in nlp("la " + label[:1].lower() + label[1:]) if not token.is_space][1:]
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
        if lemma in DANGLING_LEMMAS or token.pos_ == "SCONJ":
            return f"« {token.text} » sans sa proposition"
        if lemma in ANAPHORIC_LEMMAS and before is not None and before.pos_ == "DET":
            return f"« {before.text} {token.text} » renvoie à la phrase d'origine"
        misread_noun = token.dep_ == "conj" and token.head.pos_ in ("NOUN", "PROPN", "ADJ")  # « … et entraide »
        if token.pos_ == "AUX" or ("Fin" in token.morph.get("VerbForm") and not misread_noun):
            return f"verbe conjugué « {token.text} »"
    if root.lemma_.casefold() in _LOCUTION_HEADS:
        return f"« {root.text} » ouvre une locution"
    is_infinitive = root.pos_ == "VERB" and "Inf" in root.morph.get("VerbForm")
    nominal = root.pos_ in ("NOUN", "PROPN") or (root.pos_ == "ADJ" and root.i == tokens[0].i)
    if not (nominal or is_infinitive):
        return f"tête « {root.text} » ({root.pos_}) : ni nom ni infinitif"
    return None


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
    whole = {text for text, doc in zip(texts, load_nlp().pipe(texts)) if fragment_reason(text, doc) is None}
    candidates = {label: [c for c in found if _capitalise(c.phrase.text) in whole] for label, found in candidates.items()}
    phrase_texts = sorted({c.phrase.text for found in candidates.values() for c in found})
    phrase_vectors = dict(zip(phrase_texts, encode(phrase_texts))) if phrase_texts else {}
    used: set[str] = set()
    chosen_vectors: list[np.ndarray] = []
    result = {}
    for label in sorted(members, key=lambda lab: (-len(members[lab]), lab)):
        centre = _unit(vectors[members[label]].mean(axis=0))
        scored = _score(candidates[label], weights[label], centre, phrase_vectors)
        chosen = _most_relevant_unused(scored, phrase_vectors, chosen_vectors, used)
        if chosen is None:
            text = _fallback_label(keywords[label], used)
            lemmas = tuple(lemma for lemma in _lemmas_of(text, cleaned, members[label]))
        else:
            chosen_vectors.append(phrase_vectors[chosen.text])
            text, lemmas = _capitalise(chosen.text), chosen.lemmas
        used.add(text.casefold())
        result[label] = Label(text, lemmas, label_support(lemmas, [unit_lemmas[i] for i in members[label]]))
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


def _most_relevant_unused(scored: list[tuple[float, Phrase]], vectors: dict, chosen_vectors: list, used: set[str]) -> Phrase | None:
    best, best_key = None, None
    for score, phrase in scored:
        if _capitalise(phrase.text).casefold() in used:
            continue
        redundancy = max((float(vectors[phrase.text] @ other) for other in chosen_vectors), default=0.0)
        key = (score - LABEL_DIVERSITY * max(redundancy, 0.0), phrase.text)
        if best_key is None or key[0] > best_key[0] or (key[0] == best_key[0] and key[1] < best_key[1]):
            best, best_key = phrase, key
    return best


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
