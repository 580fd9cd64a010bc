"""synth apply and synth compare as library calls, on the demo: the codebook's themes kept, new ones marked, runs compared."""

import dataclasses

import pytest

from synthesis.cards import Card, CardSet, InputError
from synthesis.codebook import apply_codebook, run_fingerprint
from synthesis.codebook.compare import APPEARED, BY_CONTENT, BY_ID, DISAPPEARED, SHRANK, STABLE, compare_runs, comparison_document, comparison_markdown
from synthesis.corrections import Corrections, Entry, apply_corrections
from synthesis.corrections.edits import Merge, Rename
from synthesis.pipeline import Settings, synthesize
from synthesis.report.markdown import render_markdown
from synthesis.store import from_data, to_data
from synthesis.result import Synthesis

#: Cards like nothing of the demo's forces.
ODD = "Mon chat adore dormir sur le radiateur de la cuisine"
NEW_TOPIC = [
    "Les cours de yoga du matin pour les salariés",
    "Séances de yoga et de méditation proposées à l'équipe",
    "Le yoga au bureau nous détend avant l'ouverture",
    "Une salle de yoga pour le personnel de l'office",
]


def _extra(texts, category="forces"):
    return [Card(id=f"X-{i:02d}", text=text, group=f"Groupe {1 + i % 3}", category=category, row=1000 + i)
            for i, text in enumerate(texts)]


@pytest.fixture(scope="module")
def applied(demo_synthesis, demo_cards):
    cards = CardSet(demo_cards.source, list(demo_cards.cards) + _extra([ODD] + NEW_TOPIC))
    return apply_codebook(demo_synthesis, cards)


def test_applying_a_codebook_to_its_own_export_puts_nine_cards_in_ten_back_in_their_theme(demo_synthesis, applied):
    themed = [u for u, p in demo_synthesis.placements.items() if not p.theme_id.endswith("-isolees")]
    back = sum(applied.placements[u].theme_id == demo_synthesis.placements[u].theme_id for u in themed)
    assert back / len(themed) >= 0.9
    labels = {t.id: t.label for t in demo_synthesis.themes()}
    for theme in applied.themes():
        if theme.id in labels:
            assert theme.label == labels[theme.id] and not theme.new


def test_the_codebook_s_isolated_ideas_stay_isolated_instead_of_making_a_new_theme(demo_synthesis, applied):
    asides = [u for u, p in demo_synthesis.placements.items() if p.theme_id.endswith("-isolees")]
    assert asides
    assert all(applied.placements[u].theme_id.endswith("-isolees") for u in asides)  # not a « nouveau » theme of asides


def test_a_card_unlike_anything_goes_to_a_new_theme_or_the_isolated_ideas(applied):
    odd = applied.placements["X-00"].theme_id
    theme = next(t for t in applied.themes() if t.id == odd)
    assert theme.new or theme.isolated


def test_new_themes_are_marked_and_never_take_a_codebook_id(demo_synthesis, applied):
    codebook_ids = {t.id for t in demo_synthesis.themes()} | set(demo_synthesis.former_theme_ids)
    new = [t for t in applied.themes() if t.new]
    assert new, "the extra cards should make at least one new theme"
    assert not {t.id for t in new} & codebook_ids
    assert all(t.id.startswith("forces-") or t.category != "forces" for t in new)


def test_the_codebook_use_counts_the_new_cards_each_theme_received(demo_synthesis, applied):
    use = applied.codebook
    assert use.fingerprint == run_fingerprint(demo_synthesis) and use.source == "cartes.csv"
    shown = {t.id: t for t in applied.themes()}
    assert {t.theme_id for t in use.themes} == {t.id for t in demo_synthesis.themes() if not t.isolated}
    for theme in use.themes:
        assert theme.joined == (shown[theme.theme_id].n_cards if theme.theme_id in shown else 0)
        assert 0 < theme.threshold < 1
    text = render_markdown(applied).replace("\xa0", " ")
    assert "## Grille de thèmes appliquée" in text and "Nouveau : «" in text
    assert "Nouveau thème, absent de la grille" in text


def test_the_codebook_use_is_saved_with_the_result(applied):
    again = from_data(Synthesis, to_data(applied))
    assert again.codebook == applied.codebook
    assert [t.new for t in again.themes()] == [t.new for t in applied.themes()]


def test_an_edited_codebook_is_respected(demo_synthesis, demo_cards):
    forces = [t for t in demo_synthesis.categories[0].themes if not t.isolated]
    edits = [Rename(forces[0].id, "Intitulé de l'éditeur"), Merge(forces[1].id, [forces[1].id, forces[2].id])]
    corrected, problems = apply_corrections(demo_synthesis, Corrections([Entry(n, "", e) for n, e in enumerate(edits, 1)]))
    assert not problems
    result = apply_codebook(corrected, demo_cards)
    themes = {t.id: t for t in result.themes()}
    assert themes[forces[0].id].label == "Intitulé de l'éditeur"
    assert forces[2].id not in themes  # merged away: its cards follow the merge
    merged = set(themes[forces[1].id].card_ids)
    assert len(merged & (set(forces[1].card_ids) | set(forces[2].card_ids))) >= 0.9 * (forces[1].n_cards + forces[2].n_cards)


def test_a_codebook_made_with_another_model_is_refused(demo_synthesis, demo_cards):
    with pytest.raises(InputError, match="modèle"):
        apply_codebook(demo_synthesis, demo_cards, Settings(model="autre-modele"))


def test_a_category_the_codebook_lacks_is_clustered_from_scratch(demo_synthesis, demo_cards):
    questions = [dataclasses.replace(card, category="questions", id=f"Q-{card.id}") for card in demo_cards.cards if card.category == "attentes"]
    cards = CardSet(demo_cards.source, [c for c in demo_cards.cards if c.category == "forces"][:30] + questions)
    result = apply_codebook(demo_synthesis, cards)
    assert result.codebook.new_categories == ["questions"]
    themes = [t for t in result.themes() if t.category == "questions" and not t.isolated]
    assert themes and all(t.new for t in themes)
    codebook_prefixes = {t.id.rsplit("-", 1)[0] for t in demo_synthesis.themes()}
    assert not {t.id.rsplit("-", 1)[0] for t in themes} & codebook_prefixes
    assert "rubrique absente de la grille" in render_markdown(result).replace("\xa0", " ")


# --- compare -----------------------------------------------------------------------------


def test_a_run_compared_with_itself_has_not_changed(demo_synthesis):
    comparison = compare_runs(demo_synthesis, demo_synthesis)
    assert comparison.matched_by == BY_CONTENT and comparison.unchanged
    assert all(c.status == STABLE and c.change == 0 for category in comparison.categories for c in category.changes)
    assert "**Aucun changement**" in comparison_markdown(comparison).replace("\xa0", " ")


def test_compare_after_apply_matches_themes_by_id(demo_synthesis, applied):
    comparison = compare_runs(demo_synthesis, applied)
    assert comparison.matched_by == BY_ID
    changes = {c.theme_id: c for category in comparison.categories for c in category.changes}
    for theme in demo_synthesis.themes():
        if not theme.isolated:
            assert changes[theme.id].label_a == theme.label
    new_ids = {t.id for t in applied.themes() if t.new}
    assert new_ids and all(changes[i].status == APPEARED for i in new_ids)
    document = comparison_document(comparison)
    assert document["schema"] == "synth.compare/1" and document["matched_by"] == BY_ID


def test_compare_of_the_demo_with_twenty_cards_removed_from_one_theme(demo_synthesis, demo_cards):
    forces = demo_synthesis.categories[0]
    # The two largest themes of a category lose 20 cards between them, in a new run clustered from scratch.
    largest = sorted((t for t in forces.themes if not t.isolated), key=lambda t: -t.n_cards)[:2]
    removed = set((largest[0].card_ids + largest[1].card_ids)[:20])
    assert len(removed) == 20
    fewer = synthesize(CardSet(demo_cards.source, [c for c in demo_cards.cards if c.id not in removed]))
    comparison = compare_runs(demo_synthesis, fewer)
    assert comparison.matched_by == BY_CONTENT
    changes = {c.theme_id: c for c in comparison.categories[0].changes}
    for theme in largest:
        assert changes[theme.id].status in (SHRANK, DISAPPEARED)
    ranked = comparison.categories[0].changes
    assert {c.theme_id for c in ranked[:4]} & {t.id for t in largest}  # the biggest changes come first
    assert abs(ranked[0].change) >= abs(ranked[-1].change)
    # The other categories did not move much: most of their themes are found again.
    others = [c for category in comparison.categories[1:] for c in category.changes]
    assert sum(c.status in (APPEARED, DISAPPEARED) for c in others) <= 0.3 * len(others)
