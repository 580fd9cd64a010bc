"""What every command shares: exit statuses, one-line errors, the option groups."""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from synthesis.cards import InputError
from synthesis.embed import EmbedderError
from synthesis.engine import EngineError

EXIT_INTERNAL, EXIT_INPUT, EXIT_INTERRUPTED = 1, 2, 130

GRANULARITY_WORDS = {"coarser": -1.0, "large": -1.0, "default": 0.0, "normal": 0.0, "finer": 1.0, "fine": 1.0}


class Granularity(click.ParamType):
    name = "granularité"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        word = str(value).strip().lower()
        if word in GRANULARITY_WORDS:
            return GRANULARITY_WORDS[word]
        try:
            number = float(word.replace(",", "."))  # « 0,5 » as French users write it
        except ValueError:
            self.fail(f"« {value} » : attendu coarser, finer, default ou un nombre entre -2 et 2", param, ctx)
        if not -2.0 <= number <= 2.0:
            self.fail(f"« {value} » : le nombre doit être entre -2 (plus large) et 2 (plus fin)", param, ctx)
        return number


def stderr_line(message: str, *, err_style: str | None = None) -> None:
    """One line on stderr: a line break inside a quoted cell or a file name must not split a message."""
    click.secho(" ".join(str(message).splitlines()), err=True, fg=err_style)


def handle_errors(command):
    """Translate library errors into one line on stderr and an exit status; never a traceback unless --debug."""

    @functools.wraps(command)
    def wrapper(*args, debug: bool = False, **kwargs):
        try:
            return command(*args, **kwargs)
        except (InputError, EmbedderError) as error:
            if debug:
                raise
            stderr_line(f"Erreur : {error}", err_style="red")
            sys.exit(EXIT_INPUT)
        except EngineError as error:  # a Dask cluster unreachable or lost: nothing was written
            if debug:
                raise
            stderr_line(f"Erreur : {error}", err_style="red")
            sys.exit(EXIT_INTERNAL)
        except KeyboardInterrupt:
            stderr_line("Interrompu : les fichiers de sortie précédents sont intacts.", err_style="yellow")
            sys.exit(EXIT_INTERRUPTED)
        except Exception as error:  # the last resort: an internal fault, told in one line
            if debug:
                raise
            stderr_line(f"Erreur interne : {type(error).__name__}: {error} (relancez avec --debug pour le détail)", err_style="red")
            sys.exit(EXIT_INTERNAL)

    return click.option("--debug", is_flag=True, help="Afficher la trace complète en cas d'erreur interne.")(wrapper)


def _stack(command, options):
    """Apply click options in the order listed (decorators apply bottom-up)."""
    for option in reversed(options):
        command = option(command)
    return command


def export_options(command):
    """How to read a card export (``column_options`` and ``survey_options``), handed to the command as one ``columns``
    dict: ``load_cards``'s keywords, what ``claim_output_and_read`` takes."""

    @functools.wraps(command)
    def gathered(*args, **kwargs):
        columns = {name: kwargs.pop(name) for name in EXPORT_OPTIONS}
        return command(*args, columns=columns, **kwargs)

    return column_options(survey_options(gathered))


#: The keywords of export_options' options (load_cards's column, sheet and survey keywords).
EXPORT_OPTIONS = ("text_column", "group_column", "category_column", "id_column", "sheet",
                  "segments", "respondent_column", "question_column", "questions")


def column_options(command):
    """The --*-column / --sheet options of a command that reads a card export (part of ``export_options``)."""
    return _stack(command, [
        click.option("--text-column", help="Colonne du texte des cartes (sinon devinée : texte, carte, contenu, idée…)."),
        click.option("--group-column", help="Colonne du groupe (sinon devinée : groupe, atelier, table…)."),
        click.option("--category-column", help="Colonne de la catégorie (sinon devinée : catégorie, type, rubrique…)."),
        click.option("--id-column", help="Colonne de l'identifiant (sinon devinée : id, n°, numéro ; générée si absente)."),
        click.option("--sheet", help="Feuille à lire dans un fichier XLSX (par défaut celle qui a les colonnes des cartes)."),
    ])


def survey_options(command):
    """How to read a survey export: respondents, questions (long or wide) and segment columns (synthesis.load.survey;
    part of ``export_options``)."""
    return _stack(command, [
        click.option("--segment", "segments", multiple=True, metavar="COLONNE",
                     help="Enquête : colonne de segment (département, type de structure, taille…) ; répétable. "
                          "Les thèmes disent combien de segments les citent et lesquels y sont sur- ou sous-représentés."),
        click.option("--respondent-column", help="Enquête : colonne du répondant (sinon devinée : répondant, id répondant, structure, office…)."),
        click.option("--question-column", help="Enquête au format long : colonne de la question (sinon devinée : question)."),
        click.option("--questions", "questions", multiple=True, metavar="COLONNES",
                     help="Enquête au format large (une ligne par répondant) : colonnes des réponses, une par question ; "
                          "répétable ou séparées par des virgules (sinon devinées : colonnes de texte long à côté d'une colonne répondant)."),
    ])


def cover_options(command):
    """What the Word report's cover says; also read from a synth.toml beside the export (options win)."""
    return _stack(command, [
        click.option("--client", help="Client (page de garde)."),
        click.option("--date", help="Date de l'atelier (page de garde ; « 2023-10-12 » devient aussi la date du document)."),
        click.option("--place", help="Lieu de l'atelier (page de garde)."),
        click.option("--facilitator", help="Animation (page de garde)."),
        click.option("--author", help="Rédaction : auteur du compte rendu (page de garde et propriétés du document)."),
        click.option("--question", help="La question posée aux participants (page de garde)."),
    ])


out_dir_argument = click.argument(
    "out_dir", metavar="DOSSIER", type=click.Path(path_type=Path, file_okay=False, exists=True)
)


def cache_root(cache_dir: Path | None = None, no_cache: bool = False) -> Path | None:
    """Where embeddings and drawn charts are kept between runs (None: nowhere), and turn the chart cache on there."""
    from synthesis.embed.cache import default_cache_dir
    from synthesis.report import chart_cache

    root = None if no_cache else (cache_dir or default_cache_dir())
    chart_cache.use_directory(root / "charts" if root is not None else None)
    return root


def claim_output_and_read(input_file: Path, output_dir: Path, say, *, columns: dict, title: str | None, cover: dict,
                          other_inputs: Sequence[Path] = ()):
    """What a command that writes a run does before its long part -> (card set, cover, title).

    The output folder is checked first, so that a wrong -o, or one that would replace the export
    or one of ``other_inputs``, fails at once, and locked until the command ends, so that another
    run cannot write into it; then the project's cover (synth.toml, overridden by ``cover`` and
    ``title``) and the export (``columns``: ``export_options``) are read.
    """
    from synthesis.project import read_project
    from synthesis.report.output import output_lock, prepare_output_dir

    prepare_output_dir(output_dir, inputs=[input_file, *other_inputs])
    click.get_current_context().with_resource(output_lock(output_dir))
    cover, title = read_project(input_file, title=title, **cover)
    return read_export(input_file, say, **columns), cover, title


def read_export(input_file: Path, say, **columns):
    """Load a card export (``columns``: load_cards's column and sheet options) and tell its warnings on stderr."""
    from synthesis.cards import display_name
    from synthesis.load import load_cards
    from synthesis.load.partitions import load_cards_in_partitions, needs_partitions

    say(f"Lecture de {display_name(input_file)}")
    # Parquet, or a CSV past load_cards' 50 MB: read in slices of rows (survey options are not read there).
    card_set = (load_cards_in_partitions if needs_partitions(input_file) else load_cards)(input_file, **columns)
    for warning in card_set.warnings:
        stderr_line(f"Attention : {warning}", err_style="yellow")
    return card_set
