"""Report stage: pure functions of a Synthesis, written atomically to an output folder."""

from synthesis.report.output import OUTPUT_FILES, write_outputs

__all__ = ["OUTPUT_FILES", "write_outputs"]
