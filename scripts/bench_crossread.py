"""« Des constats aux engagements » on the demo, against the pairs a reader makes.

Runs synth on the demo corpus, names each theme by the reference theme most of its cards
carry (column ``theme``), and checks every pair the cross reading proposes (weakness ->
expectation, weakness -> contribution) against READER_PAIRS below: the remedies a reader
of the reference themes would name for each weakness. Prints every pair with its verdict,
the precision of the proposed pairs and the share of weaknesses with a right answer.

    python scripts/bench_crossread.py
"""

from __future__ import annotations

import csv
import os
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEMO = REPO / "corpora" / "ogd-occitanie-2023" / "cartes.csv"

#: Reference weakness -> (expectations that answer it, contributions that offer to meet it), as a reader pairs them.
READER_PAIRS: dict[str, tuple[set[str], set[str]]] = {
    "Manque de communication entre échelons": (
        {"Rencontres régulières du réseau", "Clarifier qui fait quoi", "Co-construire la stratégie régionale"},
        {"Remonter l'information du terrain", "Animer des groupes de travail"},
    ),
    "Rôles OT/ADT/CRTL flous": (
        {"Clarifier qui fait quoi", "Co-construire la stratégie régionale"},
        {"Animer des groupes de travail", "Remonter l'information du terrain"},
    ),
    "Moyens humains et financiers limités": (
        {"Mutualiser les outils et achats", "Plus de visibilité pour les petits OT"},
        {"Renfort d'équipes entre OT en saison", "Partager nos données et outils", "Partager nos savoir-faire et bonnes pratiques"},
    ),
    "Outils numériques disparates": (
        {"Mutualiser les outils et achats", "Formations communes"},
        {"Partager nos données et outils", "Partager nos savoir-faire et bonnes pratiques"},
    ),
    "Données d'observation peu partagées": (
        {"Partager les données d'observation"},
        {"Partager nos données et outils", "Remonter l'information du terrain"},
    ),
    "Turn-over et précarité des équipes": (
        {"Formations communes"},
        {"Accueillir des formations et des stagiaires", "Partager nos savoir-faire et bonnes pratiques", "Renfort d'équipes entre OT en saison"},
    ),
    "Dépendance aux élus et à la politique locale": (
        {"Co-construire la stratégie régionale"},
        {"Faire le lien avec élus et socio-pros"},
    ),
    "Saisonnalité de l'activité": (
        {"Appui sur la clientèle étrangère"},
        {"Renfort d'équipes entre OT en saison"},
    ),
}


def reference_themes(path: Path = DEMO) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["N°"]: row["theme"] for row in csv.DictReader(handle, delimiter=";")}


def majority_names(synthesis, reference: dict[str, str]) -> dict[str, str]:
    """Theme id -> the reference theme most of its cards carry."""
    return {
        theme.id: Counter(reference.get(card_id, "") for card_id in theme.card_ids).most_common(1)[0][0]
        for theme in synthesis.themes()
    }


def card_pair_share(weakness, other, reference: dict[str, str], kind: int) -> float:
    """Share of (weakness card, other card) pairs whose reference themes a reader pairs: robust to mixed themes."""
    pairs = [(reference.get(a, ""), reference.get(b, "")) for a in weakness.card_ids for b in other.card_ids]
    return sum(b in READER_PAIRS.get(a, (set(), set()))[kind] for a, b in pairs) / len(pairs) if pairs else 0.0


def score(synthesis, reference: dict[str, str], *, show: bool = True) -> dict[str, float]:
    names = majority_names(synthesis, reference)
    themes = {theme.id: theme for theme in synthesis.themes()}
    shares, chance = [], []
    for link in synthesis.cross_reading:
        for kind, category, matches in ((0, "attentes", link.answers), (1, "contributions", link.offers)):
            shares += [card_pair_share(themes[link.theme_id], themes[m.theme_id], reference, kind) for m in matches]
            chance += [card_pair_share(themes[link.theme_id], t, reference, kind)
                       for t in themes.values() if t.category == category and not t.isolated]
    proposed = right = answered = 0
    for link in synthesis.cross_reading:
        weakness = names[link.theme_id]
        expected_answers, expected_offers = READER_PAIRS.get(weakness, (set(), set()))
        if show:
            print(f"\n{link.label}  [réf. : {weakness}]")
        hit = False
        for kind, matches, expected in (("attente", link.answers, expected_answers), ("contribution", link.offers, expected_offers)):
            for match in matches:
                ok = names[match.theme_id] in expected
                proposed, right, hit = proposed + 1, right + ok, hit or ok
                if show:
                    print(f"  {'OK ' if ok else 'NON'} {kind:12} {match.label}  [réf. : {names[match.theme_id]}]"
                          f"  sim {match.similarity:.2f} · {len(match.shared_groups)} groupes communs · force {match.strength:.2f} ({match.level})")
        answered += hit
    n = len(synthesis.cross_reading)
    return {"weaknesses": n, "pairs": proposed, "precision": right / proposed if proposed else 0.0,
            "weaknesses_with_a_right_match": answered / n if n else 0.0,
            "card_pairs_right": sum(shares) / len(shares) if shares else 0.0,
            "card_pairs_right_by_chance": sum(chance) / len(chance) if chance else 0.0}


def on_reference_themes(card_set, reference: dict[str, str]) -> None:
    """The matcher alone, on the reference themes (no clustering error): is each weakness's first match a reader's pair?"""
    from synthesis.clean import normalise_text
    from synthesis.crossread import cross_read, theme_centres
    from synthesis.embed import DEFAULT_EMBEDDER, load_embedder
    from synthesis.result import CategoryResult, Theme

    vectors = load_embedder(DEFAULT_EMBEDDER).encode([normalise_text(card.text) for card in card_set.cards])
    members: dict[tuple[str, str], list] = {}
    for card in card_set.cards:
        name = reference.get(card.id, "")
        if name and name != "Idée isolée":
            members.setdefault((card.category, name), []).append(card)
    categories = []
    for category in ("faiblesses", "attentes", "contributions"):
        themes = [Theme(name, category, name, [c.id for c in cards], [c.id for c in cards], sorted({c.group for c in cards}), len(cards), 0, [])
                  for (cat, name), cards in members.items() if cat == category]
        categories.append(CategoryResult(category, themes, sum(t.n_cards for t in themes)))
    centres = theme_centres(categories, [card.id for card in card_set.cards], vectors)
    links = cross_read(categories, centres, n_weaknesses=len(READER_PAIRS))
    print("Sur les thèmes de référence (le rapprochement seul, sans erreur de regroupement) :")
    for kind, index in (("attentes", 0), ("contributions", 1)):
        firsts = [(link.label, (link.answers, link.offers)[index][:1]) for link in links if link.label in READER_PAIRS]
        right = sum(bool(m) and m[0].label in READER_PAIRS[label][index] for label, m in firsts)
        print(f"  {kind} : première réponse juste pour {right} faiblesses sur {len(firsts)}")
        for label, m in firsts:
            print(f"    {label} -> {m[0].label + f' ({m[0].strength:.2f})' if m else '(rien au-dessus du seuil)'}")


def main() -> None:
    from synthesis.load import load_cards
    from synthesis.pipeline import synthesize

    card_set = load_cards(DEMO)
    reference = reference_themes()
    on_reference_themes(card_set, reference)
    synthesis = synthesize(card_set)
    print("\nSur les thèmes de synth (étiquettes de synth, thème de référence majoritaire entre crochets) :")
    figures = score(synthesis, reference)
    print(f"\n{figures['weaknesses']} faiblesses lues, {figures['pairs']} paires proposées ; "
          f"précision {figures['precision']:.2f} ; faiblesses avec au moins une bonne réponse "
          f"{figures['weaknesses_with_a_right_match']:.2f}")
    print(f"Paires de cartes (faiblesse, réponse) qu'un lecteur rapproche : {figures['card_pairs_right']:.2f} "
          f"dans les paires proposées, {figures['card_pairs_right_by_chance']:.2f} au hasard")


if __name__ == "__main__":
    main()
