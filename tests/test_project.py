"""The cover page's fields: synth.toml beside the export, command-line options winning over it."""

import pytest
from click.testing import CliRunner

from synthesis.cards import InputError
from synthesis.cli import main
from synthesis.project import read_project


def test_file_beside_the_export_and_options_that_win(tmp_path):
    (tmp_path / "synth.toml").write_text('titre = "Journée du réseau"\nclient = "CRTL"\nlieu = "Albi"\ndate = 2023\n', encoding="utf-8")
    cover, title = read_project(tmp_path / "cartes.csv", client="Région", author=None, question="  ")
    assert title == "Journée du réseau"
    assert (cover.client, cover.place, cover.date, cover.author, cover.question) == ("Région", "Albi", "2023", "", "")


def test_no_file_blank_cover(tmp_path):
    cover, title = read_project(tmp_path / "cartes.csv")
    assert title == "" and not any(vars(cover).values())


@pytest.mark.parametrize("content", ['client = "sans fin', 'couleur = "bleu"\n', "client = [1, 2]\n"])
def test_a_bad_project_file_is_one_french_line(tmp_path, content):
    (tmp_path / "synth.toml").write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="synth.toml"):
        read_project(tmp_path / "cartes.csv")


def test_cover_options_reach_the_word_cover(tmp_path, use_embedder):
    from docx import Document

    cards = tmp_path / "cartes.csv"
    cards.write_text("groupe;catégorie;texte\n1;forces;Accueil chaleureux\n2;forces;Bonne entente\n3;forces;Outils partagés\n",
                     encoding="utf-8")
    (tmp_path / "synth.toml").write_text('lieu = "Albi"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["cluster", str(cards), "-o", str(tmp_path / "out"), "--quiet", "--client", "CRTL Occitanie",
                                       "--author", "Cabinet Exemple", "--date", "2023-10-12", "--question", "Que faire ?"])
    assert result.exit_code == 0, result.output
    document = Document(str(tmp_path / "out" / "compte-rendu.docx"))
    text = "\n".join(p.text for p in document.paragraphs).replace("\u00a0", " ")
    for expected in ("Client : CRTL Occitanie", "Lieu : Albi", "Rédaction : Cabinet Exemple", "« Que faire ? »"):
        assert expected in text
    assert document.core_properties.author == "Cabinet Exemple"
    assert document.core_properties.created.year == 2023
