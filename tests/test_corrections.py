"""The editor's corrections on the demo run: each edit type, the file, and re-runs that keep them."""

import dataclasses
import json

import numpy as np
import pytest

from synthesis.cards import InputError
from synthesis.corrections import Corrections, Entry, append_edit, apply_corrections, load_corrections, match_theme_ids
from synthesis.corrections.apply import effective_entries
from synthesis.corrections.edits import Hide, Merge, Move, Note, Pin, Quotes, Rename, Split, Undo
from synthesis.corrections.file import BACKUP_SUFFIX, format_corrections
from synthesis.report import write_outputs


def apply(synthesis, *edits):
    entries = [Entry(n, "2026-01-01T00:00:00Z", edit) for n, edit in enumerate(edits, start=1)]
    return apply_corrections(synthesis, Corrections(entries))


def themes_by_id(synthesis, hidden=False):
    found = {theme.id: theme for theme in synthesis.themes()}
    if hidden:
        found.update({theme.id: theme for category in synthesis.categories for theme in category.hidden_themes})
    return found


def theme_of_card(synthesis, card_id):
    return {p.theme_id for unit_id, p in synthesis.placements.items() if unit_id.split("#")[0] == card_id}


def assert_consistent(synthesis, n_cards):
    """Every unit once in a shown or hidden theme, placements agree, counts match the cards."""
    themes = themes_by_id(synthesis, hidden=True).values()
    units = [unit_id for theme in themes for unit_id in theme.unit_ids]
    assert sorted(units) == sorted(synthesis.placements)
    assert len({unit_id.split("#")[0] for unit_id in units}) == n_cards
    for theme in themes:
        assert all(synthesis.placements[u].theme_id == theme.id and synthesis.placements[u].theme_label == theme.label for u in theme.unit_ids)
        assert theme.n_cards == len(theme.card_ids) == len(set(theme.card_ids))
        assert {q.card_id for q in theme.quotes} <= set(theme.card_ids)


@pytest.fixture(scope="module")
def forces(demo_synthesis):
    return [theme for theme in demo_synthesis.categories[0].themes if not theme.isolated]


def test_rename_changes_the_label_everywhere_and_marks_the_theme(demo_synthesis, forces):
    corrected, problems = apply(demo_synthesis, Rename(forces[2].id, "Des conseillers qui connaissent le terrain"))
    theme = themes_by_id(corrected)[forces[2].id]
    assert problems == [] and theme.label == "Des conseillers qui connaissent le terrain" and theme.corrected
    assert all(corrected.placements[u].theme_label == theme.label for u in theme.unit_ids)
    assert sum(t.corrected for t in corrected.themes()) == 1
    assert not any(t.corrected for t in demo_synthesis.themes())  # the run's own result is left as it was
    assert corrected.base is demo_synthesis


def test_move_a_card_to_another_theme_and_to_the_isolated_ideas(demo_synthesis, forces, demo_cards):
    card, other = forces[0].card_ids[0], forces[1].card_ids[0]
    corrected, problems = apply(demo_synthesis, Move(card, forces[3].id), Move(other, "isolees"))
    assert problems == []
    assert theme_of_card(corrected, card) == {forces[3].id}
    assert theme_of_card(corrected, other) == {"forces-isolees"}
    themes = themes_by_id(corrected)
    assert themes[forces[3].id].n_cards == forces[3].n_cards + 1 and themes[forces[0].id].n_cards == forces[0].n_cards - 1
    assert themes["forces-isolees"].isolated and corrected.categories[0].themes[-1].id == "forces-isolees"
    assert 0.0 <= corrected.placements[card].fit <= 1.0
    assert_consistent(corrected, len(demo_cards.cards))


def test_merge_joins_the_cards_keeps_the_target_and_reranks(demo_synthesis, forces, demo_cards):
    into, other = forces[4], forces[1]
    corrected, problems = apply(demo_synthesis, Merge(into.id, [other.id]), Rename(other.id, "renamed after the merge"))
    themes = themes_by_id(corrected)
    assert other.id not in themes
    merged = themes[into.id]
    assert set(merged.card_ids) == set(into.card_ids) | set(other.card_ids) and merged.label == "renamed after the merge"
    assert set(merged.groups) == set(into.groups) | set(other.groups)
    ranked = [t for t in corrected.categories[0].themes if not t.isolated]
    assert [(t.n_groups, t.n_cards) for t in ranked] == sorted(((t.n_groups, t.n_cards) for t in ranked), reverse=True)
    assert merged.label in corrected.categories[0].summary or len(ranked) > 4
    assert problems == []
    assert_consistent(corrected, len(demo_cards.cards))


def test_split_moves_the_chosen_cards_to_a_new_theme(demo_synthesis, forces, demo_cards):
    source = forces[0]
    chosen = source.card_ids[:4]
    corrected, problems = apply(demo_synthesis, Note(source.id, "placeholder"), Split(source.id, chosen, "Ancrage local"))
    themes = themes_by_id(corrected)
    new = themes["forces-e2"]  # <category>-e<entry number>
    assert problems == [] and new.label == "Ancrage local" and new.corrected
    assert sorted(new.card_ids) == sorted(chosen) and not set(chosen) & set(themes[source.id].card_ids)
    assert new.quotes and {q.card_id for q in new.quotes} <= set(chosen)
    assert_consistent(corrected, len(demo_cards.cards))


def test_a_split_or_merged_theme_gets_keywords_from_its_own_cards(demo_synthesis, forces):
    source, into, other = forces[0], forces[4], forces[1]
    corrected, _ = apply(demo_synthesis, Split(source.id, source.card_ids[:4], "Ancrage local"), Merge(into.id, [other.id]))
    themes = themes_by_id(corrected)
    for theme in (themes["forces-e1"], themes[source.id], themes[into.id]):
        written = {word for unit_id in theme.unit_ids for word in demo_synthesis.unit_terms[unit_id][1]}
        assert theme.keywords and set(theme.keywords) <= written, (theme.label, theme.keywords)
    assert themes["forces-e1"].keywords != source.keywords
    assert themes[forces[2].id].keywords == forces[2].keywords  # an untouched theme keeps the run's


def test_quotes_are_chosen_and_ordered_by_the_editor(demo_synthesis, forces):
    theme = forces[1]
    order = [theme.card_ids[3], theme.card_ids[0], "not-in-theme"]
    corrected, problems = apply(demo_synthesis, Quotes(theme.id, order))
    assert [q.card_id for q in themes_by_id(corrected)[theme.id].quotes] == order[:2]
    assert len(problems) == 1 and "appliquée en partie" in problems[0] and "not-in-theme" in problems[0]


def test_hide_pin_and_note(demo_synthesis, forces, demo_cards, tmp_path):
    corrected, problems = apply(
        demo_synthesis, Hide(forces[0].id), Pin(forces[5].id, 1), Note(forces[2].id, "À confirmer avec l'ADT."),
    )
    category = corrected.categories[0]
    assert problems == []
    assert forces[0].id not in [t.id for t in category.themes] and [t.id for t in category.hidden_themes] == [forces[0].id]
    assert category.themes[0].id == forces[5].id
    assert themes_by_id(corrected)[forces[2].id].note == "À confirmer avec l'ADT."
    assert_consistent(corrected, len(demo_cards.cards))
    write_outputs(corrected, tmp_path)
    report = (tmp_path / "compte-rendu.md").read_text(encoding="utf-8").replace("\xa0", " ").replace("\u202f", " ")
    assert f"### 1. {forces[5].label}\n" in report and f". {forces[0].label}\n" not in report
    assert "Note de l'éditeur : À confirmer avec l'ADT." in report and "revu par l'éditeur" in report
    document = json.loads((tmp_path / "themes.json").read_text(encoding="utf-8"))
    assert document["categories"][0]["hidden_themes"][0]["id"] == forces[0].id


def test_undo_cancels_an_entry_and_an_undo_of_the_undo_restores_it(demo_synthesis, forces):
    entries = [Entry(1, "", Rename(forces[0].id, "A")), Entry(2, "", Rename(forces[0].id, "B")), Entry(3, "", Undo(2))]
    assert [e.n for e in effective_entries(entries)] == [1]
    corrected, _ = apply_corrections(demo_synthesis, Corrections(entries))
    assert themes_by_id(corrected)[forces[0].id].label == "A"
    assert [e.n for e in effective_entries(entries + [Entry(4, "", Undo(3))])] == [1, 2]


def test_edits_that_no_longer_apply_are_reported_not_dropped_silently(demo_synthesis, forces):
    other_category = demo_synthesis.categories[1].themes[0].id
    corrected, problems = apply(
        demo_synthesis, Rename("forces-77", "x"), Move("no-such-card", forces[0].id), Move(forces[0].card_ids[0], other_category),
    )
    assert len(problems) == 3 and all("non appliquée" in p for p in problems)
    assert "forces-77" in problems[0] and "no-such-card" in problems[1] and "autre rubrique" in problems[2]
    assert corrected.warnings[-3:] == problems  # journal.txt and themes.json list them


def test_the_file_appends_one_line_per_edit_with_a_backup_and_reads_back(tmp_path, forces):
    path = tmp_path / "corrections.json"
    first = append_edit(path, "rename", Rename(forces[0].id, "Nom « choisi »"))
    second = append_edit(path, "move", Move("G1-F-01", "isolees"))
    assert (first.n, second.n) == (1, 2) and first.at.endswith("Z")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "{" and '"schema": "synth.corrections/1",' in lines[1]
    assert lines[3].strip().startswith('{"n": 1,') and "Nom « choisi »" in lines[3]  # human-readable, one edit a line
    assert json.loads((tmp_path / f"corrections.json{BACKUP_SUFFIX}").read_text(encoding="utf-8"))["edits"][0]["n"] == 1
    assert [entry.edit for entry in load_corrections(path).entries] == [first.edit, second.edit]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrections.json", f"corrections.json{BACKUP_SUFFIX}"]


def test_a_broken_entry_is_named_and_the_others_still_apply(tmp_path, demo_synthesis, forces):
    path = tmp_path / "corrections.json"
    raw = [
        {"n": 1, "at": "", "type": "rename", "theme": forces[0].id, "label": "Gardé"},
        {"n": 2, "at": "", "type": "merge", "into": forces[1].id, "themes": forces[2].id},
        {"n": 3, "at": "", "type": "renommer", "theme": forces[1].id},
        {"n": 4, "at": "", "type": "pin", "theme": forces[3].id, "rank": 0},
        "not an object",
        {"n": 6, "at": "", "type": "note", "theme": forces[1].id, "text": "Gardée aussi"},
    ]
    path.write_text(format_corrections(raw), encoding="utf-8")
    corrections = load_corrections(path)
    assert [entry.n for entry in corrections.entries] == [1, 6]
    assert len(corrections.problems) == 4
    assert corrections.problems[0].startswith("corrections.json, entrée 2 : merge.themes : attendu une liste")
    assert "entrée 3" in corrections.problems[1] and "« renommer » inconnu" in corrections.problems[1]
    assert all("\n" not in problem for problem in corrections.problems)
    corrected, problems = apply_corrections(demo_synthesis, corrections)
    assert themes_by_id(corrected)[forces[0].id].label == "Gardé" and themes_by_id(corrected)[forces[1].id].note == "Gardée aussi"
    assert problems == corrections.problems
    append_edit(path, "hide", Hide(forces[4].id))  # appending keeps the broken entries as they were
    assert json.loads(path.read_text(encoding="utf-8"))["edits"][:6] == raw


def test_a_file_that_is_not_json_is_one_line_naming_the_line_and_is_never_overwritten(tmp_path, forces):
    path = tmp_path / "corrections.json"
    path.write_text('{"schema": "synth.corrections/1", "edits": [\n  {"n": 1,, }\n]}', encoding="utf-8")
    with pytest.raises(InputError, match=r"corrections\.json, ligne 2, colonne 11 : JSON invalide"):
        load_corrections(path)
    with pytest.raises(InputError):
        append_edit(path, "hide", Hide(forces[0].id))
    assert "{\"n\": 1,, }" in path.read_text(encoding="utf-8")


# --- re-runs -----------------------------------------------------------------------------


def make_edits(run):
    """Rename, move, merge, split, quotes and note on the forces and attentes of a run; what each should give."""
    forces = [t for t in run.categories[0].themes if not t.isolated]
    attentes = [t for t in run.categories[2].themes if not t.isolated]
    moved = forces[1].card_ids[-1]
    split_cards = attentes[0].card_ids[:3]
    edits = [
        Rename(forces[0].id, "Connaissance fine du territoire"),
        Move(moved, forces[2].id),
        Merge(forces[3].id, [forces[4].id]),
        Split(attentes[0].id, split_cards, "Rôles à clarifier"),
        Quotes(attentes[1].id, attentes[1].card_ids[-2:]),
        Note(forces[2].id, "Relu"),
    ]
    expected = {
        "renamed": forces[0].id, "moved": (moved, forces[2].id), "merged": (forces[3].id, forces[4].id),
        "split": (f"{attentes[0].id.rsplit('-', 1)[0]}-e4", split_cards), "quotes": (attentes[1].id, attentes[1].card_ids[-2:]),
    }
    return Corrections([Entry(n, "", edit) for n, edit in enumerate(edits, start=1)]), expected


def assert_edits_hold(corrected, expected):
    themes = themes_by_id(corrected)
    assert themes[expected["renamed"]].label == "Connaissance fine du territoire"
    card, target = expected["moved"]
    assert theme_of_card(corrected, card) == {target} and themes[target].note == "Relu"
    into, gone = expected["merged"]
    assert gone not in themes and themes[into].corrected
    split_id, split_cards = expected["split"]
    assert set(split_cards) <= set(themes[split_id].card_ids) and themes[split_id].label == "Rôles à clarifier"
    quote_theme, quote_cards = expected["quotes"]  # a quoted card the re-run put elsewhere is reported (below)
    assert [q.card_id for q in themes[quote_theme].quotes] == [c for c in quote_cards if c in themes[quote_theme].card_ids]


@pytest.fixture(scope="module")
def run_without_a_tenth(demo_cards, use_embedder):
    """The demo without one card in ten: the full demo is then a re-run with 10% new cards."""
    from synthesis.pipeline import synthesize

    kept = [card for i, card in enumerate(demo_cards.cards) if i % 10 != 7]
    return synthesize(dataclasses.replace(demo_cards, cards=kept))


def test_edits_survive_a_rerun_with_ten_percent_new_cards(run_without_a_tenth, demo_synthesis, demo_cards):
    corrections, expected = make_edits(run_without_a_tenth)
    first, problems = apply_corrections(run_without_a_tenth, corrections)
    assert problems == []
    assert_edits_hold(first, expected)
    rerun, matching = match_theme_ids(run_without_a_tenth, demo_synthesis)
    assert matching.kept_share >= 0.8, matching
    new_units = frozenset(u.id for u in demo_synthesis.units) - {u.id for u in run_without_a_tenth.units}
    assert len(new_units) >= 35
    corrected, problems = apply_corrections(rerun, corrections, new_units=new_units)
    assert all(p.startswith("Correction n° 5 (choisir les citations) appliquée en partie : la carte") for p in problems)
    assert_edits_hold(corrected, expected)
    assert_consistent(corrected, len(demo_cards.cards))


def test_edits_survive_a_rerun_with_another_seed(demo_synthesis, demo_cards, use_embedder):
    from synthesis.pipeline import Settings, synthesize

    other_seed = synthesize(demo_cards, Settings(seed=1))
    corrections, expected = make_edits(demo_synthesis)
    rerun, matching = match_theme_ids(demo_synthesis, other_seed)
    assert matching.kept_share >= 0.8, matching
    assert not set(rerun.former_theme_ids) & {t.id for t in rerun.themes()}
    corrected, problems = apply_corrections(rerun, corrections)
    assert all(p.startswith("Correction n° 5 (choisir les citations) appliquée en partie : la carte") for p in problems)
    assert_edits_hold(corrected, expected)
    assert_consistent(corrected, len(demo_cards.cards))


def test_a_theme_without_a_match_gets_a_number_never_used_before(demo_synthesis):
    previous = dataclasses.replace(demo_synthesis, former_theme_ids=["forces-91", "forces-92"])
    emptied = dataclasses.replace(demo_synthesis, categories=[dataclasses.replace(demo_synthesis.categories[0], themes=[])])
    _, none_left = match_theme_ids(previous, emptied)
    assert none_left.by_overlap + none_left.by_centre == 0
    # The previous run lost its first forces theme: the current one that matched it gets a fresh number.
    lost = demo_synthesis.categories[0].themes[0]
    previous = dataclasses.replace(
        previous, categories=[dataclasses.replace(previous.categories[0], themes=previous.categories[0].themes[1:])] + previous.categories[1:]
    )
    matched, _ = match_theme_ids(previous, demo_synthesis)
    ids = [t.id for t in matched.categories[0].themes]
    assert lost.id not in ids[1:] and ids[0] not in {lost.id, "forces-91", "forces-92"} and ids[0] == "forces-93"
    assert {"forces-91", "forces-92"} <= set(matched.former_theme_ids)


def test_a_new_card_goes_to_the_theme_an_editor_split_off_when_it_is_closer_to_it(demo_synthesis):
    # A card written again in near-identical words (the summarise stage marks it duplicate_of) stands for a
    # card typed in after the edits: it follows its twin into the split theme; a card unlike it stays.
    new, twin = next(
        (unit_id, p.duplicate_of) for unit_id, p in demo_synthesis.placements.items()
        if p.duplicate_of and "#" not in unit_id + p.duplicate_of
        and demo_synthesis.placements[p.duplicate_of].theme_id == p.theme_id and not p.theme_id.endswith("isolees")
        and themes_by_id(demo_synthesis)[p.theme_id].n_cards >= 5
    )
    source = themes_by_id(demo_synthesis)[demo_synthesis.placements[new].theme_id]
    row = {unit.id: i for i, unit in enumerate(demo_synthesis.units)}
    vectors = demo_synthesis.unit_vectors
    candidates = [c for c in source.card_ids if c not in (new, twin) and c in row and demo_synthesis.placements[c].duplicate_of is None]
    # The card that leans most to the theme it is in and least to the twin: by the rule it must stay.
    kept = [row[c] for c in source.unit_ids if c not in (new, twin) and c in row]
    centre = vectors[kept].mean(axis=0)
    centre = centre / np.linalg.norm(centre)

    def lean_to_source(card_id):
        vector = vectors[row[card_id]]
        return float(vector @ centre) - float(vector @ vectors[row[twin]])

    other = max(candidates, key=lean_to_source)
    assert lean_to_source(other) > 0
    split = Corrections([Entry(1, "", Split(source.id, [twin], "Jumeaux"))])
    corrected, problems = apply_corrections(demo_synthesis, split, new_units=frozenset({new, other}))
    split_id = f"{source.id.rsplit('-', 1)[0]}-e1"
    assert problems == [] and theme_of_card(corrected, new) == {split_id} and theme_of_card(corrected, other) == {source.id}
    without_news, _ = apply_corrections(demo_synthesis, split)
    assert theme_of_card(without_news, new) == {source.id}
