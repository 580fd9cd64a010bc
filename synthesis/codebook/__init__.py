"""Reuse of a reviewed run: ``apply`` classifies a new export into its themes, ``compare`` reads two runs side by side."""

from synthesis.codebook.apply import apply_codebook, check_codebook, codebook_grids, run_fingerprint
from synthesis.codebook.assign import CENTRE, KNN, METHODS, QUANTILE, category_codebook, classify

__all__ = [
    "CENTRE", "KNN", "METHODS", "QUANTILE", "apply_codebook", "category_codebook", "check_codebook", "classify",
    "codebook_grids", "run_fingerprint",
]
