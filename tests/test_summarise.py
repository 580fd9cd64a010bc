"""The summarise stage: labels, keywords, quotes, ranking, consensus flags."""

import numpy as np
import pytest

from synthesis.cards import Card, IdeaUnit
from synthesis.clean import clean_texts, comparison_key, load_nlp
from synthesis.summarise import (
    CategoryInput,
    find_near_duplicates,
    fragment_reason,
    log_likelihood,
    over_represented_group,
    summarise_category,
    theme_scope,
)
from synthesis.summarise.labels import misread_as_a_verb

FUNCTION_WORDS = {"le", "la", "les", "l'", "de", "des", "du", "d'", "un", "une", "et", "ou", "à", "au", "aux", "en", "pour", "par", "sur", "avec", "entre"}

CARDS = [
    ("Manque de communication entre OT et ADT", "Groupe 1", 0),
    ("Pas assez de communication entre les OT et l'ADT", "Groupe 2", 0),
    ("La communication entre échelons est insuffisante", "Groupe 3", 0),
    ("Communication interne au réseau à améliorer", "Groupe 4", 0),
    ("Formations communes pour les conseillers en séjour", "Groupe 1", 1),
    ("Des formations communes entre OT", "Groupe 2", 1),
    ("Formations communes !!", "Groupe 5", 1),
    ("formations communes", "Groupe 6", 1),
    ("Un robot pour l'accueil", "Groupe 7", -1),
]


@pytest.fixture(scope="module")
def category(use_embedder):
    cards = [Card(id=f"c{i}", text=t, group=g, category="attentes", row=i + 2, votes=i % 3) for i, (t, g, _) in enumerate(CARDS)]
    cards = [IdeaUnit(id=card.id, card=card, text=card.text) for card in cards]
    vectors = use_embedder.encode([c.text for c in cards])
    labels = np.array([label for _, _, label in CARDS])
    fit = np.array([0.9, 0.8, 0.7, 0.6, 0.9, 0.8, 0.7, 0.6, 0.3])
    data = CategoryInput("attentes", cards, clean_texts([c.text for c in cards]), vectors, labels, fit)
    result, duplicates = summarise_category(data, all_groups=[f"Groupe {i}" for i in range(1, 10)], encode=use_embedder.encode)
    return data, result, duplicates


def test_every_card_is_in_exactly_one_theme_and_isolated_cards_come_last(category):
    data, result, _ = category
    ids = [card_id for theme in result.themes for card_id in theme.card_ids]
    assert sorted(ids) == sorted(card.id for card in data.units)
    assert result.themes[-1].isolated and result.themes[-1].card_ids == ["c8"]


def test_labels_are_distinct_short_and_do_not_end_on_a_function_word(category):
    _, result, _ = category
    labels = [theme.label for theme in result.themes if not theme.isolated]
    assert len({label.casefold() for label in labels}) == len(labels)
    for label in labels:
        words = label.split()
        assert 1 <= len(words) <= 7, label
        assert words[-1].lower() not in FUNCTION_WORDS, label


def test_labels_come_from_the_theme_cards(category):
    data, result, _ = category
    by_label = {theme.label: theme for theme in result.themes if not theme.isolated}
    for label, theme in by_label.items():
        texts = [comparison_key(card.text) for card in data.units if card.id in theme.card_ids]
        assert any(comparison_key(label) in text for text in texts), label


def test_quotes_are_verbatim_from_several_groups_and_never_repeat_a_duplicate(category):
    data, result, duplicates = category
    texts = {card.id: card.text for card in data.units}
    for theme in result.themes:
        for quote in theme.quotes:
            assert quote.text == texts[quote.card_id] and quote.segment_of == ""
        if not theme.isolated and theme.n_groups >= 2:
            assert len({quote.group for quote in theme.quotes}) >= 2
        quoted = [quote.card_id for quote in theme.quotes]
        assert not any(duplicates[card_id] in quoted for card_id in quoted)


def test_near_identical_cards_are_spotted_but_paraphrases_are_not(use_embedder):
    texts = ["Formations communes !!", "formations communes", "Former ensemble les conseillers", "Apidae"]
    duplicates = find_near_duplicates(clean_texts(texts), use_embedder.encode(texts))
    assert duplicates == [None, 0, None, None]


def test_themes_are_ranked_by_groups_then_cards(category):
    _, result, _ = category
    ranked = [theme for theme in result.themes if not theme.isolated]
    keys = [(theme.n_groups, theme.n_cards) for theme in ranked]
    assert keys == sorted(keys, reverse=True)


def test_summary_names_the_leading_theme_with_its_counts(category):
    _, result, _ = category
    leader = result.themes[0]
    assert f"« {leader.label} »" in result.summary
    assert f"{leader.n_groups} groupes sur 9" in result.summary


@pytest.mark.parametrize(("n_groups", "total", "scope"), [(6, 9, "transversal"), (9, 9, "transversal"), (5, 9, ""), (2, 9, "spécifique"), (1, 9, "spécifique"), (1, 2, "")])
def test_scope_follows_the_two_thirds_and_two_groups_rules(n_groups, total, scope):
    assert theme_scope(n_groups, total) == scope


def test_over_representation_needs_a_significant_excess():
    category = [f"Groupe {g}" for g in range(1, 10) for _ in range(10)]
    concentrated = ["Groupe 3"] * 8 + ["Groupe 1", "Groupe 2"]
    spread = [f"Groupe {g}" for g in range(1, 10)]
    assert over_represented_group(concentrated, category) == "Groupe 3"
    assert over_represented_group(spread, category) is None


def test_log_likelihood_is_positive_for_over_represented_lemmas_only():
    assert log_likelihood(8, 10, 2, 90) > 10
    assert log_likelihood(1, 10, 20, 90) < 0
    assert log_likelihood(0, 0, 5, 90) == 0


def summarise(use_embedder, themes: list[list[str]], category: str = "attentes", votes: dict[str, int] | None = None, split: bool = False):
    """Summarise crafted themes (one list of card texts per theme), one group per card."""
    from synthesis.split import split_cards

    cards = [
        Card(id=f"t{k}c{i}", text=text, group=f"Groupe {i + 1}", category=category, row=2, votes=(votes or {}).get(text))
        for k, texts in enumerate(themes) for i, text in enumerate(texts)
    ]
    units = split_cards(cards, enabled=split)
    texts = [unit.text for unit in units]
    labels = np.array([int(unit.card_id[1:].split("c")[0]) for unit in units])
    vectors = use_embedder.encode(texts)
    centres = {k: vectors[labels == k].mean(axis=0) for k in set(labels.tolist())}
    fit = np.array([float(v @ centres[k] / np.linalg.norm(centres[k])) for v, k in zip(vectors, labels)])
    data = CategoryInput(category, units, clean_texts(texts), vectors, labels, fit)
    result, _ = summarise_category(data, all_groups=[f"Groupe {i}" for i in range(1, 9)], encode=use_embedder.encode)
    return data, result


def test_labels_of_unaccented_cards_are_written_with_their_accents(use_embedder):
    _, result = summarise(use_embedder, [
        ["Clarifier les roles", "clarifier les roles entre OT et ADT", "Les roles de chacun sont a clarifier", "Roles flous"],
        ["Rencontres plus frequentes", "des rencontres frequentes", "Rencontres frequentes entre OT", "Se voir plus souvent"],
    ])
    labels = {theme.label for theme in result.themes}
    assert any("rôles" in label.casefold() for label in labels), labels
    assert any("fréquentes" in label.casefold() for label in labels), labels
    keywords = {word for theme in result.themes for word in theme.keywords}
    assert {"rôles", "fréquentes"} <= keywords and not {"roles", "frequentes", "frequente"} & keywords


def test_a_joke_card_never_labels_its_theme(use_embedder):
    joke = "Une mascotte pour le réseau !"
    _, result = summarise(use_embedder, [
        [joke, "Des rencontres régulières du réseau", "Se rencontrer plus souvent en réseau", "Rencontres entre OT du réseau", "Une rencontre annuelle"],
        ["Formations communes", "formations communes entre OT", "Des formations partagées"],
    ], votes={joke: 9})
    theme = next(theme for theme in result.themes if any(card_id == "t0c0" for card_id in theme.card_ids))
    assert "mascotte" not in theme.label.casefold()
    assert "rencontre" in comparison_key(theme.label), theme.label


def test_a_label_names_the_theme_in_the_sense_its_cards_use(use_embedder):
    _, result = summarise(use_embedder, [[
        "Réseau solidaire et bienveillant", "Un réseau soudé", "solidarité du réseau OT", "Réseau solidaire, on s'entraide",
        "Entraide dans le réseau", "Bonne présence sur les réseaux sociaux", "Réseau existant et actif",
    ]], category="forces")
    assert "sociaux" not in result.themes[0].label.casefold()


def test_cards_in_capitals_are_quoted_in_sentence_case_with_accents(use_embedder):
    cards = ["RESEAU SOLIDAIRE ET BIENVEILLANT", "UN RESEAU TRES SOLIDAIRE", "RESEAU SOLIDAIRE, ON S'ENTRAIDE", "LE RESEAU EST SOLIDAIRE"]
    _, result = summarise(use_embedder, [cards], category="forces")
    expected = {"t0c0": "Réseau solidaire et bienveillant", "t0c1": "Un réseau très solidaire",
                "t0c2": "Réseau solidaire, on s'entraide", "t0c3": "Le réseau est solidaire"}
    quotes = result.themes[0].quotes
    assert quotes and all(quote.text == expected[quote.card_id] for quote in quotes)


def test_a_split_card_counts_once_per_theme_its_segments_are_quoted_as_extracts_and_contradictions_flagged(use_embedder):
    card = "Accueil chaleureux mais manque de personnel l'été"
    data, result = summarise(use_embedder, [[card, "Accueil chaleureux des visiteurs", "Un accueil de qualité"]], category="forces", split=True)
    assert [unit.id for unit in data.units][:2] == ["t0c0#1", "t0c0#2"]
    theme = result.themes[0]
    assert theme.card_ids.count("t0c0") == 1 and theme.n_cards == 3
    assert result.n_cards_in_several_themes == sum(t.n_cards for t in result.themes) - result.n_cards == 0
    assert all(quote.segment_of == card for quote in theme.quotes if quote.card_id == "t0c0")
    assert [flag.unit_id for flag in result.flags] == ["t0c0#2"]


def test_a_theme_with_no_shared_phrase_is_named_by_a_central_phrase_not_one_word(use_embedder):
    # only « visiteurs » is written by two cards: one word names the subject, not what the theme says of it
    joke = "Des croissants pour les visiteurs le lundi"
    _, result = summarise(use_embedder, [[
        "Faire remonter les questions des visiteurs", "Transmettre les retours des visiteurs au CRTL",
        "Noter ce que demandent les visiteurs au comptoir", joke,
    ]], category="contributions")
    label = result.themes[0].label
    assert len(label.split()) >= 2 and "visiteurs" in label.casefold() and fragment_reason(label) is None, label
    assert "croissant" not in label.casefold() and "lundi" not in label.casefold()


def test_an_adjective_on_an_acronym_is_widened_to_what_is_said_of_it(use_embedder):
    _, result = summarise(use_embedder, [[
        "Plus de visibilité pour les petits OT", "Que les petits OT aient voix au chapitre", "Ne pas oublier les petits OT",
        "Valoriser les OT ruraux", "Écouter les petites structures",
    ]])
    label = result.themes[0].label
    assert label.casefold() != "petits ot" and "petits ot" in label.casefold() and len(label.split()) >= 3, label


def test_a_label_keeps_its_sense_when_a_larger_theme_already_names_a_near_word(use_embedder):
    # a penalty for resembling the label already given (« Solidarité … ») used to hand this theme « Réseaux sociaux »
    _, result = summarise(use_embedder, [
        ["Solidarité entre OT", "solidarité du réseau OT", "Solidarité entre collègues", "Entraide entre OT voisins", "Esprit d'équipe entre OT", "Les OT s'entraident"],
        ["Réseau solidaire", "RESEAU SOLIDAIRE ET BIENVEILLANT", "Réseau ! ", "Un réseau soudé", "Compétences web et réseaux sociaux en interne", "Bonne maîtrise des réseaux sociaux"],
    ], category="forces")
    second = next(theme for theme in result.themes if "t1c0" in theme.card_ids)
    assert "sociaux" not in second.label.casefold(), second.label


@pytest.mark.parametrize(("phrase", "card", "misread"), [
    ("conseiller à un OT voisin", "Prêter un conseiller à un OT voisin en haute saison", True),
    ("Animer un groupe", "Animer un groupe de travail", False),
    ("Supprimer le Sénat", "Il faut supprimer le Sénat", False),
])
def test_a_heading_that_reads_alone_as_a_verb_its_card_wrote_as_a_noun_is_told(phrase, card, misread):
    assert misread_as_a_verb(phrase, load_nlp()(phrase[:1].upper() + phrase[1:]), [card]) is misread


@pytest.mark.parametrize("label", [
    "Sentiers comme les producteurs", "OT d'un même département", "Conseiller d'un autre OT", "Niveau régional", "Restent au niveau régional", "Manque de",
    "Citoyen les moyens", "Projets du CRTL une fois", "Fréquentation ni croisés",
    "Billetterie commun", "Formation régional", "Promotion régionales", "Énergie alternatives",
])
def test_fragments_are_told_by_their_parse(label):
    assert fragment_reason(label) is not None


@pytest.mark.parametrize("label", [
    "Connaissance du territoire", "Clarifier les rôles", "Moyens humains et financiers limités", "Réseau solidaire et entraide", "Manque de moyens",
    "Partage des données d'observation", "Rendre le vote obligatoire", "Supprimer le Sénat", "Visibilité pour les petits OT",
    "Retours terrain réguliers au CRTL", "Équipes motivées", "Pays basque",
])
def test_whole_headings_pass_the_fragment_check(label):
    assert fragment_reason(label) is None


def test_demo_labels_are_whole_supported_headings_and_quotes_fit_their_theme(demo_synthesis):
    themes = [theme for theme in demo_synthesis.themes() if not theme.isolated]
    docs = load_nlp().pipe([theme.label for theme in themes])
    fragments = [(theme.label, fragment_reason(theme.label, doc)) for theme, doc in zip(themes, docs)]
    assert [item for item in fragments if item[1]] == []
    supported = [theme for theme in themes if theme.label_support >= 1 / 3]
    assert len(supported) >= 0.6 * len(themes)  # measured 0.74 (scripts/bench_labels.py)
    fit = {unit_id: placement.fit for unit_id, placement in demo_synthesis.placements.items()}
    for theme in themes:
        median = float(np.median([fit[u] for u in theme.unit_ids]))
        for quote in theme.quotes:
            assert max(fit[u] for u in theme.unit_ids if u.split("#")[0] == quote.card_id) >= median, (theme.label, quote.text)
            # capitals become sentence case; a bare acronym card (« TS », taxe de séjour) has no other case
            assert not quote.text.isupper() or (len(quote.text.split()) == 1 and len(quote.text) <= 6), quote.text


def test_demo_keywords_are_words_the_cards_wrote(demo_synthesis):
    written = {word.casefold() for text in clean_texts([unit.text for unit in demo_synthesis.units]) for word in text.words}
    keywords = {word.casefold() for theme in demo_synthesis.themes() for word in theme.keywords}
    assert keywords <= written
    assert not {"conner", "manqu", "varier", "connaisance", "communiction", "diversite"} & keywords


def test_demo_quotes_are_at_least_as_close_to_their_label_as_the_median_card(demo_synthesis, use_embedder):
    # Before this rule 15 of 127 demo quotes were further from their label than the theme's median card,
    # e.g. « Entraide entre structures » under « Apidae »; a small theme may keep its two closest.
    row = {unit.id: k for k, unit in enumerate(demo_synthesis.units)}
    themes = [theme for theme in demo_synthesis.themes() if not theme.isolated]
    label_vectors = use_embedder.encode([theme.label for theme in themes])
    for theme, label_vector in zip(themes, label_vectors):
        closeness = {u: float(demo_synthesis.unit_vectors[row[u]] @ label_vector) for u in theme.unit_ids}
        median = float(np.median(list(closeness.values())))
        for quote in theme.quotes:
            own = max(c for u, c in closeness.items() if u.split("#")[0] == quote.card_id)
            assert own >= median - 1e-6 or len(theme.unit_ids) <= 2 * 2, (theme.label, quote.text)


def test_quotes_open_on_a_capital_unless_the_first_word_is_a_name(use_embedder):
    _, result = summarise(use_embedder, [[
        "connaissance fine du territoire", "connaissance du terrain", "Connaissance du territoire", "eBay et les plateformes connaissent le territoire",
    ]], category="forces")
    texts = [quote.text for quote in result.themes[0].quotes]
    assert texts and all(text[0].isupper() or text.startswith("eBay") for text in texts)
    assert "Connaissance fine du territoire" in texts or "Connaissance du terrain" in texts
