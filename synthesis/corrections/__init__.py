"""The editor's corrections: edit types, the corrections.json file, applying edits, stable theme ids."""

from synthesis.corrections.apply import apply_corrections
from synthesis.corrections.edits import EDIT_TYPES, Corrections, Entry
from synthesis.corrections.file import CORRECTIONS_FILE, append_edit, load_corrections
from synthesis.corrections.folder import carry_over, keep_corrections_in, render_folder
from synthesis.corrections.match import match_theme_ids

__all__ = [
    "CORRECTIONS_FILE", "EDIT_TYPES", "Corrections", "Entry", "append_edit", "apply_corrections", "carry_over",
    "keep_corrections_in", "load_corrections", "match_theme_ids", "render_folder",
]
