"""synth: themes, quotes and a compte rendu from French workshop cards and open-ended answers.

Pipeline, one module per stage: load → clean → embed → cluster → summarise → report.
"""

__version__ = "0.1.0"
