"""click's usage errors told in French, on one line (click has no French catalogue).

click words them in English ("No such option '--foo'.", "Invalid value for
'--quotes': 50 is not in the range 1<=x<=20."); each known pattern is reworded,
an unknown one is kept as click wrote it.
"""

from __future__ import annotations

import re

import click

#: English pattern -> French wording.
_USAGE_MESSAGES = [
    (r"No such option:? '?([^'\s]+)'?\.?(?: \(?Did you mean (?:one of: )?(.+?)\?\)?)?$",
     lambda m: f"option inconnue : {m[1]}" + (f" (vouliez-vous dire {m[2]} ?)" if m[2] else "")),
    (r"Missing argument '(.+)'\.?$", lambda m: f"argument manquant : {m[1]}"),
    (r"Missing option '(.+)'\.?$", lambda m: f"option obligatoire manquante : {m[1]}"),
    (r"No such command '(.+)'\.?$", lambda m: f"commande inconnue : {m[1]}"),
    (r"Got unexpected extra arguments? \((.+)\)$", lambda m: f"argument en trop : {m[1]}"),
    (r"Option '(.+)' requires an argument\.?$", lambda m: f"l'option {m[1]} attend une valeur"),
    (r"Option '(.+)' does not take a value\.?$", lambda m: f"l'option {m[1]} ne prend pas de valeur"),
    (r"Invalid value for '?(.+?)'?: (.*)$", lambda m: f"valeur invalide pour {m[1]} : {_french_value_error(m[2])}"),
]
_VALUE_MESSAGES = [
    (r"(.+) is not in the range (.+?)\.?$", lambda m: f"{m[1]} n'est pas dans l'intervalle {m[2]}"),
    (r"'(.*)' is not a valid (?:integer|integer range)\.?$", lambda m: f"« {m[1]} » n'est pas un nombre entier"),
    (r"'(.*)' is not a valid float(?: range)?\.?$", lambda m: f"« {m[1]} » n'est pas un nombre"),
    (r"(?:Directory|Path|File) '(.*)' is a file\.?$", lambda m: f"« {m[1]} » est un fichier, pas un dossier"),
    (r"(?:Directory|Path|File) '(.*)' is a directory\.?$", lambda m: f"« {m[1]} » est un dossier, pas un fichier"),
    (r"(?:Directory|Path|File) '(.*)' does not exist\.?$", lambda m: f"« {m[1]} » n'existe pas"),
]


def _translate(message: str, table) -> str | None:
    for pattern, french in table:
        match = re.match(pattern, message.strip(), re.DOTALL)
        if match:
            return french(match)
    return None


def _french_value_error(message: str) -> str:
    return _translate(message, _VALUE_MESSAGES) or message


def french_usage_error(error: click.ClickException) -> str:
    """One French line for a click usage error, with where to find help."""
    message = " ".join(error.format_message().split())
    text = _translate(message, _USAGE_MESSAGES) or message
    context = getattr(error, "ctx", None)
    command = context.command_path if context is not None else "synth"
    return f"{text} (aide : {command} --help)."
