"""The output folder as one block (issue 13): inputs protected, lock, roll back, recovery, report-safe text."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
from docx import Document

from synthesis.report import OUTPUT_FILES, write_outputs
from synthesis.report import output
from synthesis.report.output import LOCK_NAME, STAGING_PREFIX, OutputError, output_lock


def contents(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


@pytest.fixture()
def previous_run(demo_synthesis, tmp_path):
    """An output folder holding a previous run's files, and those files' bytes."""
    out = tmp_path / "out"
    write_outputs(demo_synthesis, out)
    return out, contents(out)


def retitled(synthesis):
    return dataclasses.replace(synthesis, title="Deuxième exécution")


@pytest.mark.parametrize("link", ["same-path", "hard-link", "symlink"])
def test_an_output_never_replaces_the_input(demo_synthesis, tmp_path, link):
    out = tmp_path / "d"
    out.mkdir()
    export = out / "cartes.csv" if link == "same-path" else tmp_path / "export.csv"
    export.write_bytes(b"Texte\nune carte\n")
    if link == "hard-link":
        os.link(export, out / "cartes.csv")
    elif link == "symlink":
        (out / "cartes.csv").symlink_to(export)
    with pytest.raises(OutputError, match="fichier d'entrée"):
        write_outputs(dataclasses.replace(demo_synthesis, source=export), out)
    assert export.read_bytes() == b"Texte\nune carte\n"
    assert sorted(path.name for path in out.iterdir()) == ["cartes.csv"]


def test_an_output_that_cannot_be_replaced_leaves_the_previous_run_whole(demo_synthesis, previous_run):
    out, before = previous_run
    (out / "cartes.csv").unlink()
    (out / "cartes.csv").mkdir()  # stands for a file Windows will not replace (open in Excel)
    (out / "cartes.csv" / "x").write_text("x")
    del before["cartes.csv"]
    with pytest.raises(OutputError, match="cartes.csv"):
        write_outputs(retitled(demo_synthesis), out)
    assert contents(out) == before
    assert not list(out.glob(STAGING_PREFIX + "*")) and not (out / LOCK_NAME).exists()


@pytest.mark.parametrize(("failure", "raised"), [(PermissionError(13, "Permission denied"), OutputError), (KeyboardInterrupt(), KeyboardInterrupt)])
def test_a_commit_that_fails_or_is_interrupted_half_way_is_undone(demo_synthesis, previous_run, monkeypatch, failure, raised):
    out, before = previous_run
    real_replace = os.replace

    def fail_on_the_fourth_file(source, target):
        placing_new_file = os.path.basename(os.path.dirname(source)).startswith(STAGING_PREFIX)
        if placing_new_file and str(target).endswith("themes.json"):
            raise failure
        real_replace(source, target)

    monkeypatch.setattr(output.os, "replace", fail_on_the_fourth_file)
    with pytest.raises(raised):
        write_outputs(retitled(demo_synthesis), out)
    assert contents(out) == before
    assert not list(out.glob(STAGING_PREFIX + "*")) and not (out / LOCK_NAME).exists()


HOLD_LOCK = """
import fcntl, os, sys, time
descriptor = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR)
fcntl.flock(descriptor, fcntl.LOCK_EX)
os.write(descriptor, b"%d\\n" % os.getpid())
print("verrou pris", flush=True)
time.sleep(60)
"""


def hold_lock(folder):
    """Another synth run writing into ``folder``: a process holding its lock."""
    other = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(folder / LOCK_NAME)], stdout=subprocess.PIPE, text=True)
    assert other.stdout.readline().strip() == "verrou pris"
    return other


@pytest.mark.skipif(os.name == "nt", reason="the helper process uses fcntl")
def test_a_second_run_is_kept_out_while_one_writes_and_a_killed_run_blocks_nothing(demo_synthesis, previous_run):
    out, before = previous_run
    other = hold_lock(out)
    try:
        with pytest.raises(OutputError, match=f"processus {other.pid}"):
            write_outputs(retitled(demo_synthesis), out)
    finally:
        other.kill()
        other.wait()
    assert {name: data for name, data in contents(out).items() if name != LOCK_NAME} == before
    assert (out / LOCK_NAME).exists()  # left by the killed process
    write_outputs(retitled(demo_synthesis), out)
    assert b"Deuxi" in (out / "compte-rendu.md").read_bytes() and not (out / LOCK_NAME).exists()


def test_the_commit_of_a_killed_run_is_undone_and_its_staging_folder_removed(previous_run):
    out, before = previous_run
    # A run killed after moving compte-rendu.md aside and placing its own, before the other files.
    staging = out / (STAGING_PREFIX + "tue")
    (staging / "precedents").mkdir(parents=True)
    for name in OUTPUT_FILES:
        (staging / name).write_text("nouveau")
    os.replace(out / "compte-rendu.md", staging / "precedents" / "compte-rendu.md")
    os.replace(staging / "compte-rendu.md", out / "compte-rendu.md")
    (staging / "commit-en-cours").write_text("\n".join(OUTPUT_FILES))
    (out / (STAGING_PREFIX + "rendu")).mkdir()  # killed while rendering: nothing moved
    with output_lock(out):
        pass
    assert contents(out) == before
    assert not list(out.glob(STAGING_PREFIX + "*"))


def test_text_a_report_cannot_hold_is_replaced_there_and_kept_in_cartes_csv(demo_synthesis, tmp_path):
    card = demo_synthesis.cards[0]
    odd = dataclasses.replace(card, text=card.text + " \uffff")
    synthesis = dataclasses.replace(
        demo_synthesis, cards=[odd, *demo_synthesis.cards[1:]], title="Titre \uffff\ud800", warnings=["carte \uffff"]
    )
    write_outputs(synthesis, tmp_path)
    text = " ".join(paragraph.text for paragraph in Document(str(tmp_path / "compte-rendu.docx")).paragraphs)
    assert "Titre \ufffd\ufffd" in text and "\uffff" not in text
    assert "\uffff" not in (tmp_path / "compte-rendu.md").read_text(encoding="utf-8")
    assert card.text + " \uffff" in (tmp_path / "cartes.csv").read_text(encoding="utf-8-sig")


def test_an_output_folder_that_cannot_be_made_is_told_in_french(demo_synthesis, tmp_path):
    a_file = tmp_path / "fichier.txt"
    a_file.write_text("x")
    with pytest.raises(OutputError, match="c'est un fichier, pas un dossier"):
        write_outputs(demo_synthesis, a_file)
    with pytest.raises(OutputError, match="impossible à créer"):
        write_outputs(demo_synthesis, a_file / "sous-dossier")


def test_a_full_disk_while_rendering_is_an_output_error_and_changes_nothing(demo_synthesis, previous_run, monkeypatch):
    out, before = previous_run

    def disk_full(synthesis, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(output.OUTPUT_FILES, "compte-rendu.docx", disk_full)
    with pytest.raises(OutputError, match="compte-rendu.docx impossible"):
        write_outputs(retitled(demo_synthesis), out)
    assert contents(out) == before
    assert not list(out.glob(STAGING_PREFIX + "*")) and not (out / LOCK_NAME).exists()
