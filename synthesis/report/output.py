"""Write every report into the output folder atomically.

All files are rendered into a temporary folder beside the destination and only
then moved into place, so a run that fails or is interrupted leaves the
previous outputs as they were.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from synthesis.report.cards_csv import render_cards_csv
from synthesis.report.docx import write_docx
from synthesis.report.html import render_html
from synthesis.report.markdown import render_markdown
from synthesis.report.themes_json import render_themes_json
from synthesis.report.wording import journal_text
from synthesis.result import Synthesis

Writer = Callable[[Synthesis, Path], None]


def _text_writer(render: Callable[[Synthesis], str], encoding: str = "utf-8") -> Writer:
    def write(synthesis: Synthesis, path: Path) -> None:
        path.write_text(render(synthesis), encoding=encoding, newline="")

    return write


#: File name -> writer. Names are fixed: nothing derived from the input names a file.
OUTPUT_FILES: dict[str, Writer] = {
    "compte-rendu.md": _text_writer(render_markdown),
    "compte-rendu.html": _text_writer(render_html),
    "compte-rendu.docx": write_docx,
    "themes.json": _text_writer(render_themes_json),
    "cartes.csv": _text_writer(render_cards_csv, encoding="utf-8-sig"),
    # Skipped rows and run warnings: for whoever ran synth, not for the client's document.
    "journal.txt": _text_writer(journal_text),
}


def write_outputs(synthesis: Synthesis, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".synth-", dir=out_dir))
    try:
        for name, write in OUTPUT_FILES.items():
            write(synthesis, staging / name)
        written = []
        for name in OUTPUT_FILES:
            os.replace(staging / name, out_dir / name)
            written.append(out_dir / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
