"""French spacing: non-breaking spaces where French typography wants them, and nowhere else."""

import pytest

from synthesis.report.typography import NBSP, THIN_NBSP, french_number, french_spacing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("« Accueil »", f"«{NBSP}Accueil{NBSP}»"),
        ("«Accueil»", f"«{NBSP}Accueil{NBSP}»"),
        ("Mots-clés : accueil", f"Mots-clés{NBSP}: accueil"),
        ("Pourquoi ? Parce que ! Oui ; non", f"Pourquoi{NBSP}? Parce que{NBSP}! Oui{NBSP}; non"),
        ("(Groupe 5)", f"(Groupe{NBSP}5)"),
        ("Évoqué par 9 groupes sur 9 · 12 cartes", f"Évoqué par 9{NBSP}groupes sur 9 · 12{NBSP}cartes"),
        # Never a space where the participant wrote none, nor in a URL or a time.
        ("train/bus: peu", "train/bus: peu"),
        ("https://exemple.fr", "https://exemple.fr"),
        ("", ""),
    ],
)
def test_french_spacing(text, expected):
    assert french_spacing(text) == expected


def test_french_spacing_is_idempotent():
    text = "« Peu de liaisons : train, bus ! » (Groupe 12) · 3 cartes"
    assert french_spacing(french_spacing(text)) == french_spacing(text)


def test_french_numbers():
    assert french_number(1234) == f"1{THIN_NBSP}234"
    assert french_number(0.625, 2) == "0,62"
    assert french_number(7) == "7"
