"""An output folder's saved result plus its corrections: what ``synth report``, ``synth review`` and a re-run do.

Loading the demo's saved result takes 0.035 s and applying edits ~0.1 s. Writing the
reports took 0.37 s in a warm process before the deliverable's charts; with them it
takes ~4 s (the HTML and Word charts), see the note of issue 15 (scripts/bench_review.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from synthesis.cards import InputError
from synthesis.corrections.apply import apply_corrections
from synthesis.corrections.file import CORRECTIONS_FILE, load_corrections, write_atomically
from synthesis.corrections.match import Matching, match_theme_ids
from synthesis.result import Synthesis
from synthesis.store import RESULT_FILE, load_synthesis


@dataclass
class Rendered:
    synthesis: Synthesis
    #: One French line per correction that could not be applied (also among the reports' warnings).
    problems: list[str]
    written: list[Path] = field(default_factory=list)
    seconds: float = 0.0


def corrected_folder(out_dir: Path) -> Rendered:
    """The folder's saved result with its corrections applied (nothing written)."""
    out_dir = Path(out_dir)
    run = load_synthesis(out_dir / RESULT_FILE)
    corrected, problems = apply_corrections(run, load_corrections(out_dir / CORRECTIONS_FILE))
    return Rendered(corrected, problems)


def render_folder(out_dir: Path) -> Rendered:
    """Re-render every report of the folder from its saved result and corrections, without re-embedding."""
    from synthesis.report import write_outputs

    start = time.perf_counter()
    rendered = corrected_folder(out_dir)
    rendered.written = write_outputs(rendered.synthesis, Path(out_dir))
    rendered.seconds = time.perf_counter() - start
    return rendered


@dataclass
class CarriedOver:
    synthesis: Synthesis
    problems: list[str] = field(default_factory=list)
    matching: Matching | None = None
    #: Where the corrections were read from (None: there were none).
    corrections: Path | None = None
    #: Why the previous result could not be used to keep theme ids, if it could not.
    notice: str = ""


def carry_over(run: Synthesis, out_dir: Path, edits_file: Path | None = None) -> CarriedOver:
    """A new run with the previous run's theme ids and the editor's corrections applied.

    The previous result is the one in ``out_dir``, else the one beside ``edits_file``;
    the corrections are ``edits_file``, else the folder's corrections.json.
    """
    out_dir = Path(out_dir)
    corrections = corrections_path(out_dir, edits_file)
    carried = CarriedOver(run)
    new_units: frozenset[str] = frozenset()
    previous_path = next((p for p in (out_dir / RESULT_FILE, corrections.parent / RESULT_FILE) if p.is_file()), None)
    if previous_path is not None:
        try:
            previous = load_synthesis(previous_path)
        except InputError as error:
            carried.notice = f"résultat précédent inutilisable, les numéros de thèmes peuvent changer ({error})"
        else:
            carried.synthesis, carried.matching = match_theme_ids(previous, run)
            new_units = frozenset(u.id for u in run.units) - {u.id for u in previous.units}
    if corrections.is_file():
        carried.synthesis, carried.problems = apply_corrections(carried.synthesis, load_corrections(corrections), new_units=new_units)
        carried.corrections = corrections
    return carried


#: Least share of the previous run's cards, same id and same text, for a folder's corrections to apply to a new export.
MIN_SAME_CARDS = 0.5


def check_same_export(out_dir: Path, cards, edits_file: Path | None = None) -> None:
    """Refuse to apply a folder's corrections to another export's cards (ids such as « 12 » recur from export to export).

    Checked before clustering, so the refusal is immediate; ``--edits`` applies them anyway.
    """
    out_dir = Path(out_dir)
    if edits_file is not None or not (out_dir / CORRECTIONS_FILE).is_file() or not (out_dir / RESULT_FILE).is_file():
        return
    try:
        previous = load_synthesis(out_dir / RESULT_FILE)
    except InputError:
        return  # carry_over says it cannot keep the ids; the corrections still apply by card id
    texts = {card.id: card.text for card in previous.cards}
    same = sum(texts.get(card.id) == card.text for card in cards) / max(len(texts), 1)
    if same < MIN_SAME_CARDS:
        raise InputError(
            f"{out_dir} contient les corrections d'un autre export ({same:.0%} des cartes en commun) : "
            f"choisissez un autre dossier de sortie (-o), ou --edits {out_dir / CORRECTIONS_FILE} pour les appliquer quand même"
        )


def corrections_path(out_dir: Path, edits_file: Path | None = None) -> Path:
    """``--edits FILE`` if given, else the folder's corrections.json (which may not exist yet)."""
    if edits_file is None:
        return Path(out_dir) / CORRECTIONS_FILE
    if not Path(edits_file).is_file():
        raise InputError(f"{edits_file} : fichier de corrections introuvable")
    return Path(edits_file)


def keep_corrections_in(out_dir: Path, carried: CarriedOver) -> None:
    """Copy ``--edits FILE`` into the output folder, so that ``synth report`` and ``synth review`` find it there."""
    target = Path(out_dir) / CORRECTIONS_FILE
    if carried.corrections is not None and carried.corrections.resolve() != target.resolve():
        write_atomically(target, carried.corrections.read_text(encoding="utf-8"))  # the folder's own edits go to .bak
