"""Decode a text export, deciding the encoding from evidence in the bytes, line by line when lines disagree.

- A BOM decides (UTF-8, UTF-16 LE/BE).
- UTF-16 without BOM shows as NUL bytes on every other position (ASCII text).
- Otherwise each line is UTF-8 when it decodes as UTF-8, else single-byte: one
  line pasted from Windows-1252 into a UTF-8 export keeps its accents instead of
  turning the whole file into mojibake. When lines disagree, the minority lines
  are named in a warning.
- Single-byte text is Windows-1252, or ISO-8859-15 when the bytes show it: Œ, œ
  and € at 0xBC, 0xBD, 0xA4 and nothing in 0x80-0x9F (where Windows-1252 puts them).
- UTF-8 text that was decoded once as Windows-1252 and saved again (« Ã© » for
  « é ») is repaired when the repair is exact, and the lines are named.
"""

from __future__ import annotations

import re

from synthesis.cards import InputError
from synthesis.load.table import rows_text

_UTF8_BOM = b"\xef\xbb\xbf"
#: ISO-8859-15's own letters where Latin-1/Windows-1252 have ¤ Š š Ž ž Œ œ Ÿ... (¼ ½ ¾ in Latin-1).
_ISO_8859_15_ONLY = frozenset(b"\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe")
#: « Ã© », « â€™ », « Â° »: UTF-8 bytes read as Windows-1252.
_MOJIBAKE = re.compile("[ÃÂ][\u00a0-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2026\u2030\u2039\u203a\u20ac\u2122]|â€")
_UTF16_SAMPLE = 4096


def decode(data: bytes, label: str) -> tuple[str, list[str]]:
    """The text of ``data`` and the warnings about how it was decoded."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_utf16(data, "utf-16", label), []
    data = data.removeprefix(_UTF8_BOM)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _decode_utf16(data, utf16, label), []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_lines(data, label)
    return _repair_mojibake(text, label)


def _decode_utf16(data: bytes, codec: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise InputError(f"{label} : encodage illisible (UTF-16 invalide). Réenregistrez le fichier en « CSV UTF-8 ».") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when NULs fill one byte of each pair (mostly ASCII text), else None."""
    sample = data[:_UTF16_SAMPLE]
    pairs = len(sample) // 2
    if pairs < 2 or len(data) % 2:
        return None
    even, odd = sample[0:pairs * 2:2].count(0), sample[1:pairs * 2:2].count(0)
    if odd >= 0.3 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.3 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _decode_lines(data: bytes, label: str) -> tuple[str, list[str]]:
    """A file that is not UTF-8 throughout: each line in the encoding its bytes show."""
    lines = data.split(b"\n")
    decoded: list[str | None] = []
    utf8_lines, single_byte_lines = [], []
    for number, line in enumerate(lines, start=1):
        try:
            decoded.append(line.decode("utf-8"))
            if not line.isascii():
                utf8_lines.append(number)
        except UnicodeDecodeError:
            decoded.append(None)
            single_byte_lines.append(number)
    # One decision for all the single-byte lines: the evidence is spread over them.
    codec = _single_byte_codec(b"".join(lines[n - 1] for n in single_byte_lines))
    for number in single_byte_lines:
        decoded[number - 1] = _decode_single_byte(lines[number - 1], codec, number, label)
    warnings = []
    if utf8_lines:
        minority, kind = (
            (single_byte_lines, f"en {_CODEC_NAMES[codec]}, pas en UTF-8 comme le reste du fichier")
            if len(single_byte_lines) <= len(utf8_lines)
            else (utf8_lines, f"en UTF-8, alors que le reste du fichier est en {_CODEC_NAMES[codec]}")
        )
        warnings.append(
            f"{label} : encodages mélangés, {rows_text(minority, 'ligne')} {kind} ; "
            "lues chacune dans son encodage. Vérifiez les accents de ces lignes, "
            "ou réenregistrez le fichier en « CSV UTF-8 »."
        )
    return "\n".join(decoded), warnings


_CODEC_NAMES = {"cp1252": "Windows-1252", "iso-8859-15": "ISO-8859-15"}


def _single_byte_codec(data: bytes) -> str:
    high = {byte for byte in data if byte >= 0x80}
    if high & _ISO_8859_15_ONLY and not any(0x80 <= byte <= 0x9F for byte in high):
        return "iso-8859-15"
    return "cp1252"


def _decode_single_byte(line: bytes, codec: str, number: int, label: str) -> str:
    try:
        return line.decode(codec)
    except UnicodeDecodeError as error:
        raise InputError(
            f"{label}, ligne {number} : encodage illisible (ni UTF-8 ni Windows-1252, "
            f"octet 0x{line[error.start]:02X}). Réenregistrez le fichier en « CSV UTF-8 »."
        ) from None


def _repair_mojibake(text: str, label: str) -> tuple[str, list[str]]:
    if not _MOJIBAKE.search(text):
        return text, []
    lines = text.split("\n")
    repaired, unrepaired = [], []
    for index, line in enumerate(lines):
        if not _MOJIBAKE.search(line):
            continue
        try:
            lines[index] = line.encode("cp1252").decode("utf-8")
            repaired.append(index + 1)
        except UnicodeError:
            unrepaired.append(index + 1)
    warnings = []
    if repaired:
        warnings.append(
            f"{label} : {rows_text(repaired, 'ligne')} en UTF-8 décodé deux fois (« Ã© » pour « é ») ; "
            "accents rétablis. Vérifiez ces lignes."
        )
    if unrepaired:
        warnings.append(
            f"{label} : {rows_text(unrepaired, 'ligne')} avec des caractères qui semblent mal décodés "
            "(« Ã© » pour « é ») ; lues telles quelles. Réenregistrez le fichier en « CSV UTF-8 »."
        )
    return "\n".join(lines), warnings
