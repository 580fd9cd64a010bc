"""Spelling: lost accents and typos respelled from the corpus and a French word list."""

from synthesis.spelling import build_corrections, corpus_words, respell

CORPUS = [
    "Clarifier les roles", "Rencontres plus frequentes", "Bonne connaissance du territoire", "connaisance du terrain",
    "Connaissance des acteurs", "manque de communiction", "Communication entre OT", "Plus de communication", "Diversite de l'offre",
    "La cote de popularité", "Saisie dans Apidae", "des visios", "Une vision commune", "Il y a un cafe",
    "Les photos", "des photos", "Les photons", "Un film avec Peter", "Le rôle de l'Etat",
]


def test_lost_accents_and_typos_are_corrected_from_the_corpus():
    corrections = build_corrections(corpus_words(CORPUS))
    assert corrections["roles"] == "rôles"
    assert corrections["frequentes"] == "fréquentes"
    assert corrections["diversite"] == "diversité"
    assert corrections["connaisance"] == "connaissance"
    assert corrections["communiction"] == "communication"


def test_real_words_names_short_words_and_near_words_are_left_alone():
    corrections = build_corrections(corpus_words(CORPUS))
    assert not {"cote", "apidae", "visios", "il", "un", "de", "photons", "peter"} & set(corrections)
    assert corrections["etat"] == "état"  # a name-like capital still gets the accent typists drop on it


def test_respelling_keeps_the_capitals_of_each_word():
    corrections = {"roles": "rôles", "reseau": "réseau"}
    assert respell("Clarifier les Roles du RESEAU", corrections) == "Clarifier les Rôles du RÉSEAU"
