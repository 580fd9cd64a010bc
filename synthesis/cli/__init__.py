"""The ``synth`` command: a thin click shell over the library, one file per command.

Each command parses its options, calls one library function, and turns the
library's own errors into one-line messages with the right exit status:
2 for bad input or usage, 1 for an internal fault (``--debug`` shows it).
"""

from __future__ import annotations

import sys

import click

from synthesis import __version__
from synthesis.cli.common import EXIT_INPUT, EXIT_INTERRUPTED, Granularity, stderr_line
from synthesis.usage_errors import french_usage_error

class FrenchGroup(click.Group):
    """click's group, with usage errors told in one French line (exit 2) instead of its English usage text."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            stderr_line(f"Erreur : {french_usage_error(error)}", err_style="red")
            sys.exit(EXIT_INPUT)
        except click.ClickException as error:
            stderr_line(f"Erreur : {' '.join(error.format_message().split())}", err_style="red")
            sys.exit(error.exit_code)
        except click.Abort:
            stderr_line("Interrompu.", err_style="yellow")
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=FrenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="synth", message="%(prog)s %(version)s")
def main():
    """synth : synthèse des cartes d'ateliers participatifs et des réponses ouvertes (en français).

    Charge un export de cartes (CSV, XLSX, JSON), regroupe les cartes par thème dans
    chaque catégorie (forces, faiblesses, attentes, contributions) et écrit le compte rendu.
    """


from synthesis.cli import apply as _apply, cluster as _cluster, models as _models, report as _report, review as _review  # noqa: E402
from synthesis.cli import compare as _compare  # noqa: E402

for _command in (_cluster.cluster, _report.report, _review.review, _models.list_models, _apply.apply, _compare.compare):
    main.add_command(_command)

__all__ = ["Granularity", "main"]
