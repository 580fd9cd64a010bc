"""The clean stage: lemmas, candidate phrases and near-duplicate keys from spaCy."""

from synthesis.clean import clean_texts, comparison_key, static_word_vectors


def test_lemmas_keep_content_words_and_drop_stop_words():
    (cleaned,) = clean_texts(["Il faut partager les données d'observation avec les OT"])
    assert "donnée" in cleaned.lemmas and "observation" in cleaned.lemmas
    assert "OT" in cleaned.lemmas  # acronyms keep their spelling
    assert not {"le", "de", "avec", "falloir"} & set(cleaned.lemmas)


def test_candidate_phrases_are_in_the_cards_own_words():
    text = "Mutualiser les outils numériques entre offices"
    (cleaned,) = clean_texts([text])
    texts = [phrase.text for phrase in cleaned.phrases]
    assert "outils numériques" in texts
    assert all(phrase in text for phrase in texts)


def test_phrases_never_start_or_end_on_a_function_word():
    cleaned = clean_texts(["Le manque de moyens des OT et de la", "Pour une meilleure communication entre les échelons"])
    for item in cleaned:
        for phrase in item.phrases:
            first, last = phrase.text.split()[0].lower(), phrase.text.split()[-1].lower()
            assert first not in {"le", "la", "les", "de", "des", "pour", "une", "et"}
            assert last not in {"le", "la", "les", "de", "des", "du", "et", "entre"}


def test_comparison_key_ignores_case_accents_and_punctuation():
    assert comparison_key("Formations communes !!") == comparison_key("formations  COMMUNES")
    assert comparison_key("Réseau") == comparison_key("reseau")
    assert comparison_key("Réseau") != comparison_key("Réseaux sociaux")


def test_hostile_and_empty_looking_texts_do_not_break_the_pipeline():
    cleaned = clean_texts(["🙂🙂", "=SUM(A1)", "x" * 10_000, "The network is great", "\x00\x07 ok"])
    assert len(cleaned) == 5
    assert all(item.text for item in cleaned)


def test_phrases_skip_prepositional_locutions_and_half_words():
    cleaned = clean_texts(["Enseigner la laïcité au sein des écoles", "Turn-over des équipes important"])
    texts = [phrase.text for item in cleaned for phrase in item.phrases]
    assert not any(text.startswith(("sein des", "Sein des")) for text in texts)
    assert not any(text.startswith(("-", "over")) for text in texts)
    assert "Turn-over des équipes important" in texts


def test_static_word_vectors_cover_french_words_and_leave_out_unknown_ones():
    vectors, dimension = static_word_vectors(["tourisme", "hébergement", "xqzwvk"])
    assert dimension == 300
    assert set(vectors) == {"tourisme", "hébergement"}
    assert all(vector.shape == (dimension,) for vector in vectors.values())


def test_phrases_that_hang_on_their_sentence_are_left_out():
    cleaned = clean_texts([
        "On connait chaque recoin de notre destination, les sentiers comme les producteurs",
        "Esprit d'équipe entre les OT d'un même département",
        "Manque de vision des élus sur le tourisme",
        "Restent au niveau régional",
    ])
    texts = [phrase.text.casefold() for item in cleaned for phrase in item.phrases]
    assert not any(" comme " in text or "un même" in text for text in texts)
    assert "élus sur le tourisme" not in texts and "niveau régional" not in texts
    assert "vision des élus sur le tourisme" in texts  # the complement of « manque » stands on its own


def test_a_phrase_never_stops_where_its_list_or_agent_goes_on():
    cleaned = clean_texts(["Faire le lien entre élus, pros et réseau", "Une base Apidae alimentée par tous",
                           "Formation des saisonniers et des guides"])
    texts = [[phrase.text.casefold() for phrase in item.phrases] for item in cleaned]
    assert "lien entre élus" not in texts[0] and {"lien", "élus"} <= set(texts[0])  # one word of the list stays
    assert "apidae alimentée" not in texts[1] and "base apidae" in texts[1]
    assert "formation des saisonniers" not in texts[2] and "saisonniers" in texts[2]


def test_a_phrase_keeps_a_complement_without_article_that_makes_one_name_with_it():
    cleaned = clean_texts(["Sensibiliser nos élus au travail en réseau", "Animer un groupe de travail sur l'accueil hors les murs",
                           "Difficulté à fidéliser les conseillers en séjour", "Il faut étendre les prêts à taux zéro aux jeunes"])
    texts = [[phrase.text.casefold() for phrase in item.phrases] for item in cleaned]
    assert "étendre les prêts à taux" not in texts[3] and "étendre les prêts à taux zéro" in texts[3]  # with its number
    assert "sensibiliser nos élus au travail" not in texts[0] and "sensibiliser nos élus au travail en réseau" in texts[0]
    assert "animer un groupe" not in texts[1] and "animer un groupe de travail" in texts[1]
    assert "fidéliser les conseillers" not in texts[2] and "conseillers en séjour" in texts[2]


def test_a_noun_of_quantity_gives_way_to_what_it_counts():
    cleaned = clean_texts(["L'accès au territoire dépend de la voiture, ce qui nous coupe d'une partie de la clientèle",
                           "La plupart des visiteurs viennent en voiture"])
    texts = [[phrase.text.casefold() for phrase in item.phrases] for item in cleaned]
    assert "clientèle" in texts[0] and not any(text.startswith("partie") for text in texts[0])
    assert "visiteurs" in texts[1] and not any(text.startswith("plupart") for text in texts[1])


def test_unaccented_cards_are_analysed_as_correct_french():
    cleaned = clean_texts(["CLARIFIER LES ROLES", "Rencontres plus frequentes", "manque de moyen", "Des moyens limités", "Plus de moyens"])
    assert "rôle" in cleaned[0].lemmas and cleaned[0].readable == "Clarifier les rôles"
    assert "Rencontres plus fréquentes" in [phrase.text for phrase in cleaned[1].phrases]
    assert "manque de moyens" in [phrase.text for phrase in cleaned[2].phrases]  # the corpus says « moyens »
    assert cleaned[1].readable == "Rencontres plus frequentes"  # only cards in capitals are rewritten for quoting
