"""CSV (and any unknown extension): decoding, ``sep=`` line, delimiter, quotes, records.

The delimiter is decided on the header line (the line that best matches known
column names, so a title line above it does not count), because cells often
hold commas and semicolons that mislead the sniffer, while header names never
do. Excel's ``sep=;`` first line is honoured and is not a row.
"""

from __future__ import annotations

import csv
import io
import re

from synthesis.cards import InputError
from synthesis.load.columns import HEADER_SEARCH_ROWS, header_score
from synthesis.load.encoding import decode
from synthesis.load.table import CONTROL_CHARS, Records

_CSV_DELIMITERS = (";", "\t", ",")
#: Used as "delimiter" for one-column files; control characters are removed
#: from the text before parsing, so it can never split a cell.
NO_DELIMITER = "\x00"
_SNIFF_SAMPLE_CHARS = 20_000
_ZIP_MAGIC = b"PK\x03\x04"
_SEP_LINE = re.compile(r'\A[ \ufeff]*"?sep=(.)"?[ ]*(?:\n|\Z)', re.IGNORECASE)


def read_csv(data: bytes, label: str, explicit: tuple[str, ...] = ()) -> tuple[Records, list[str]]:
    """The file's records, numbered from 1 (a ``sep=`` line does not count), and decoding warnings."""
    if data.startswith(_ZIP_MAGIC):
        raise InputError(
            f"{label} : ce fichier est un classeur (xlsx ou ods), pas un CSV. "
            "Renommez-le en .xlsx ou exportez-le en CSV."
        )
    text, warnings = decode(data, label)
    # Cleaned before parsing so that a stray NUL before a quote cannot stop it
    # from opening a quoted cell, and so that old Mac "\r" line ends count as lines.
    text = CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    sep_line = _SEP_LINE.match(text)
    if sep_line:
        text = text[sep_line.end():]
    if not text.strip():
        raise InputError(f"{label} : fichier vide. Exportez à nouveau les cartes.")
    if sep_line and sep_line.group(1) not in "\"\n":
        delimiter = sep_line.group(1)
    else:
        delimiter = _detect_delimiter(text, explicit)
    _check_quotes_closed(text, delimiter, label)
    return _parse_csv(text, delimiter, label), warnings


def _header_line(text: str, explicit: tuple[str, ...]) -> str:
    """The line among the first ones that best looks like a header, else the first line with content."""
    lines = [line for line in text.split("\n", 4 * HEADER_SEARCH_ROWS)[: 4 * HEADER_SEARCH_ROWS] if line.strip()][:HEADER_SEARCH_ROWS]
    scores = [
        max(header_score([cell.strip().strip('"') for cell in line.split(delimiter)], explicit) for delimiter in _CSV_DELIMITERS)
        for line in lines
    ]
    best = max(scores, default=0)
    return lines[scores.index(best)] if best >= 2 else lines[0]


def _detect_delimiter(text: str, explicit: tuple[str, ...]) -> str:
    """The sniffed delimiter if the header line contains it, else the header's most frequent one.

    A header with none of ``; , tab`` means a one-column file.
    """
    header_line = _header_line(text, explicit)
    counts = {delimiter: header_line.count(delimiter) for delimiter in _CSV_DELIMITERS}
    if not any(counts.values()):
        return NO_DELIMITER
    start = text.find(header_line)
    try:
        sample = text[start:start + _SNIFF_SAMPLE_CHARS]
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(_CSV_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in counts and counts[sniffed]:
        return sniffed
    return max(_CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])


def _check_quotes_closed(text: str, delimiter: str, label: str) -> None:
    """Refuse a quote that opens a cell and never closes.

    The csv module would silently read the rest of the file into that one
    cell, merging every following card.
    """
    opening = rf'(?<![^{re.escape(delimiter)}\n])"'
    quoted_cell = re.compile(opening + r'[^"]*(?:""[^"]*)*("|\Z)')
    for match in quoted_cell.finditer(text):
        if not match.group(1):
            line = text.count("\n", 0, match.start()) + 1
            raise InputError(
                f"{label}, ligne {line} : guillemet ouvrant jamais fermé ; la suite du fichier "
                "serait lue comme une seule cellule. Fermez ce guillemet ou retirez-le."
            )


def _parse_csv(text: str, delimiter: str, label: str) -> Records:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    records: Records = []
    try:
        for number, record in enumerate(reader, start=1):
            records.append((number, record))
    except csv.Error:
        raise InputError(
            f"{label}, ligne {reader.line_num} : cellule illisible ou trop longue "
            f"(plus de {csv.field_size_limit()} caractères). Vérifiez les guillemets autour de cette ligne."
        ) from None
    return records
