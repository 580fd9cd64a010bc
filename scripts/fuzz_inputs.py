"""Run many generated, malformed or unusual card exports through synth and count what went wrong.

Every input is read by the library (``load_cards``: fast, many per process); every
``--cli-every``-th one also runs through the whole ``synth cluster`` command in-process
(models load once), so the CLI path, the pipeline and the reports stay exercised.

Generators cover the classes of issue 13 besides random hostile cells: mixed
encodings (one Windows-1252 line in UTF-8), UTF-16 without BOM, ISO-8859-15,
UTF-8 decoded twice, ``sep=`` lines, title rows (CSV and XLSX), a second header
row, a second text column, hidden first sheets, far-away cells, formula cells
without computed values, merged group cells, JSON keys changing case, lone
surrogates, U+FFFF and other edge characters, hostile category and group names,
id collisions (``a`` split into ``a#1``... next to a card ``a#1``), newlines in
file names, giant cells, truncated or garbage files.

It counts:
- tracebacks: an exception other than InputError from the library, or a CLI exit
  status other than 0 or 2, or "Traceback" in the output;
- exit-1 answers: CLI exit status 1 (every generated problem is an input problem);
- multi-line errors: an InputError or exit-2 message on more than one line;
- lost cards: a visible card text of a well-formed file missing from what was read
  (split in: with a warning / silent), and, in the CLI sample, from cartes.csv;
- raw markup: ``<script``/``<img`` unescaped in compte-rendu.md or .html; formula cells in cartes.csv;
- hangs: an input taking more than ``--hang-seconds`` (60) to load or to run.

    nice -n 10 python scripts/fuzz_inputs.py --n 1000 --seed 0 --cli-every 10
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from click.testing import CliRunner  # noqa: E402

from synthesis.cards import InputError  # noqa: E402
from synthesis.cli import main  # noqa: E402
from synthesis.load import MAX_CARD_CHARS, load_cards  # noqa: E402

HEADERS = {
    "text": ["Texte", "Carte", "contenu", "IDÉE", "verbatim", "text", "Texte de la carte"],
    "group": ["Groupe", "atelier", "TABLE", "group"],
    "category": ["Catégorie", "type", "Rubrique", "category"],
    "id": ["id", "N°", "numéro"],
    "votes": ["votes", "Gommettes", "points"],
}
CATEGORIES = ["Forces", "FAIBLESSES", "Attente(s)", "contribution", "Force", "autre chose", ""]
HOSTILE_NAMES = [
    "Points +", "Points -", "Points –", "?", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "نقاط القوة", "优点", "# titre", "**gras**", "a|b", "[x](javascript:alert(1))", "&lt;b&gt;", "ligne\nsuivante",
    'x" onmouseover="alert(1)',
]
GROUPS = ["Groupe 1", "G2", "3", "groupe 4", "Table rouge", ""]
HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "=HYPERLINK(\"http://x\",\"clic\")", "+33 6 12",
    "-moins de moyens", "@everyone", "\tindent", "\rretour", "a;b;c", 'il a dit "oui"', "ligne 1\nligne 2",
    "\x00nul", "\x07bip", "🙂🚀 émojis", "The network is great", "x" * 10_000, "   ", "", "# titre", "**gras**",
    "[lien](http://x)", "../../etc/passwd", "Ω≈ç√", "\u202etexte inversé",
]
EDGE_CHARACTERS = ["\uffff", "\ufffe", "\u2028", "\u2029", "\u200b", "e\u0301", "\U0001f600", "\u00a0", "\ufeff", "\ud800"]
FRENCH = [
    "Manque de communication entre OT et ADT", "Mutualiser les outils numériques", "Formations communes",
    "Réseau solidaire", "Taxe de séjour mal répartie", "Partager les données d'observation", "Apidae",
    "Clarifier qui fait quoi", "Marque Occitanie reconnue", "Moyens humains limités", "Œuvrer pour 5 € de plus",
]
MARKUP_HTML = re.compile(r"<(script|img)\b|\sonmouseover=\"", re.IGNORECASE)
MARKUP_MD = re.compile(r"(?<!\\)<(script|img)\b", re.IGNORECASE)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KINDS = {
    "csv": ["plain", "plain", "mixed-encoding", "utf16-no-bom", "iso-8859-15", "double-utf8", "sep-line", "title-rows",
            "second-header", "second-text-column", "hostile-names", "id-collisions", "edge-characters", "giant-cell"],
    "xlsx": ["plain", "hidden-first-sheet", "far-cell", "formula-cells", "title-rows", "merged-groups", "hostile-names"],
    "json": ["plain", "key-case", "edge-characters", "hostile-names", "id-collisions", "giant-cell"],
}


@dataclass
class Case:
    """One generated input: its bytes, name, and what a faithful reading must give."""

    kind: str
    fmt: str
    data: bytes
    name: str
    #: Card texts that must be read (None: malformed file, anything goes but a traceback).
    expected: list[str] | None
    #: An InputError is the right answer (giant cell, empty file...).
    error_expected: bool = False
    options: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------


def random_cell(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(FRENCH)
    if roll < 0.85:
        return rng.choice(HOSTILE)
    return "".join(rng.choice("abcdeéèàç ;,\"'\n\t<>=+-@") for _ in range(rng.randint(0, 30)))


def generate_table(rng: random.Random, kind: str) -> tuple[list[str], list[list[str]], list[str]]:
    roles = ["text"] + [role for role in ("id", "group", "category", "votes") if rng.random() < 0.8]
    if kind in ("hostile-names", "merged-groups") and "group" not in roles:
        roles.append("group")
    if kind == "hostile-names" and "category" not in roles:
        roles.append("category")
    if kind == "id-collisions" and "id" not in roles:
        roles.append("id")
    rng.shuffle(roles)
    header = [rng.choice(HEADERS[role]) for role in roles]
    rows = []
    for n in range(rng.randint(1, 40)):
        cells = {
            "text": random_cell(rng),
            "id": f"card-{n}",
            "group": rng.choice(GROUPS),
            "category": rng.choice(CATEGORIES),
            "votes": rng.choice(["", "1", "3", "x", "-2", "2.0"]),
        }
        if kind == "hostile-names":
            cells["group"], cells["category"] = rng.choice(HOSTILE_NAMES), rng.choice(HOSTILE_NAMES)
        if kind == "id-collisions":
            cells["id"] = rng.choice(["a", "a#1", "a#2", "a#1-2", "r2", "7", "7-2", "", "b"])
            if cells["id"] == "a":
                cells["text"] = "- formation des agents\n- mutualisation des outils"
        if kind == "edge-characters":
            cells["text"] = rng.choice(FRENCH) + " " + "".join(rng.choice(EDGE_CHARACTERS) for _ in range(rng.randint(1, 3)))
        rows.append([cells[role] for role in roles])
    return header, rows, roles


def visible_text(text: str) -> str:
    """What the loader keeps of a cell: line ends unified, control characters out, stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", text)
    return re.sub("[\ud800-\udfff]", "\ufffd", text).strip()


def expected_texts(rows, roles, transform=lambda text: text) -> list[str]:
    at = roles.index("text")
    texts = [visible_text(transform(row[at])) for row in rows]
    return [text for text in texts if text]


def csv_text(rng: random.Random, header, rows) -> tuple[str, str]:
    delimiter = rng.choice([";", ",", "\t"])
    buffer = io.StringIO()
    # As spreadsheets save: a cell holding a line break (CR included) is quoted.
    lineterminator, quoting = rng.choice([("\r\n", csv.QUOTE_MINIMAL), ("\n", csv.QUOTE_ALL)])
    csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting).writerows([header] + rows)
    return buffer.getvalue(), delimiter


def make_csv(rng: random.Random, kind: str) -> Case:
    header, rows, roles = generate_table(rng, kind)
    if kind == "second-text-column":
        header, rows, roles = header + ["Commentaire"], [row + [rng.choice(FRENCH)] for row in rows], roles + ["other"]
    if kind == "giant-cell":
        rows[rng.randrange(len(rows))][roles.index("text")] = "x" * (MAX_CARD_CHARS + 1)
    if kind == "edge-characters":  # a CSV file cannot hold a lone surrogate
        rows = [[re.sub("[\ud800-\udfff]", "", cell) for cell in row] for row in rows]
    if kind == "second-header":  # two exports pasted one under the other
        half = len(rows) // 2
        text, delimiter = csv_text(rng, header, rows[:half] + [header] + rows[half:])
    else:
        text, delimiter = csv_text(rng, header, rows)
    if kind == "sep-line":
        text = f"sep={delimiter}\n" + text
    if kind == "title-rows":
        text = rng.choice(["Atelier OGD du 12 mars 2023\n", "Compte rendu des cartes\n\n", "Export du 03/04/2024;;\n"]) + text
    encoding, transform = "utf-8", lambda t: t
    if kind == "plain":
        encoding = rng.choice(["utf-8", "utf-8-sig", "cp1252", "utf-16"])
    elif kind == "iso-8859-15":
        encoding = "iso-8859-15"
    if kind == "utf16-no-bom":
        data = text.encode("utf-16-le")
    elif kind == "mixed-encoding":
        lines = text.split("\n")
        index = rng.randrange(1, len(lines)) if len(lines) > 1 else 0
        data = b"\n".join(line.encode("cp1252", errors="replace") if i == index else line.encode() for i, line in enumerate(lines))
        expected = None if "\n" in "".join(row[roles.index("text")] for row in rows) else _mixed_expected(rows, roles, lines[index])
        return Case(kind, "csv", data, "export.csv", expected, options=_text_column_option(header, roles))
    elif kind == "double-utf8":
        data = text.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8")
        return Case(kind, "csv", data, "export.csv", None, options=_text_column_option(header, roles))
    else:
        data = text.encode(encoding, errors="replace")
        transform = lambda t: t.encode(encoding, errors="replace").decode(encoding)  # noqa: E731
    return Case(kind, "csv", data, "export.csv", expected_texts(rows, roles, transform), error_expected=kind == "giant-cell",
                options=_text_column_option(header, roles))


def _mixed_expected(rows, roles, cp1252_line: str):
    at = roles.index("text")
    texts = []
    for row in rows:
        text = row[at]
        if text and text in cp1252_line:
            text = text.encode("cp1252", errors="replace").decode("cp1252")
        texts.append(visible_text(text))
    return [text for text in texts if text]


def _text_column_option(header, roles) -> list[str]:
    # The random header never misleads the detection on purpose; the option pins the text column
    # so that a card text that happens to look like a header name cannot take its place.
    return ["--text-column", header[roles.index("text")]]


def make_xlsx(rng: random.Random, kind: str) -> Case:
    from openpyxl import Workbook

    header, rows, roles = generate_table(rng, kind)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cartes"
    clean = lambda value: re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", value)  # noqa: E731
    top = 1
    if kind == "title-rows":
        sheet.cell(row=1, column=1, value="Compte rendu de l'atelier")
        top = 3
    for r, line in enumerate([header] + rows, start=top):
        for c, value in enumerate(line, start=1):
            cell = sheet.cell(row=r, column=c, value=clean(value))
            cell.data_type = "s"  # text typed as "=..." is text, not a formula, as Excel stores it
    expected = expected_texts(rows, roles, clean)
    if kind == "formula-cells" and rows:
        r = top + 1 + rng.randrange(len(rows))
        formula = rng.choice(["=> plus de moyens", '=CONCAT("a";"b")', "=A2&B2"])
        sheet.cell(row=r, column=roles.index("text") + 1, value=formula)  # a formula, never computed
        rows[r - top - 1][roles.index("text")] = formula
        expected = expected_texts(rows, roles, clean)
    if kind == "far-cell":
        sheet["XFD1048576"] = "x"
    if kind == "merged-groups" and len(rows) >= 3:
        column = roles.index("group") + 1
        sheet.merge_cells(start_row=top + 1, start_column=column, end_row=top + 3, end_column=column)
    if kind == "hidden-first-sheet":
        settings = workbook.create_sheet("Paramètres", 0)
        settings.append(["Date", "12/03/2023"])
        settings.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Case(kind, "xlsx", buffer.getvalue(), "export.xlsx", expected, options=_text_column_option(header, roles))


def make_json(rng: random.Random, kind: str) -> Case:
    header, rows, roles = generate_table(rng, kind)
    if kind == "giant-cell":
        rows[rng.randrange(len(rows))][roles.index("text")] = "x" * (MAX_CARD_CHARS + 1)
    items = []
    for row in rows:
        keys = header
        if kind == "key-case":
            keys = [rng.choice([key, key.lower(), key.upper()]) for key in header]
        items.append(dict(zip(keys, row)))
    data = json.dumps(items, ensure_ascii=rng.random() < 0.5 or kind == "edge-characters").encode()
    return Case(kind, "json", data, "export.json", expected_texts(rows, roles), error_expected=kind == "giant-cell",
                options=_text_column_option(header, roles))


def corrupt(rng: random.Random, data: bytes) -> bytes:
    """Break a well-formed file the way files get broken: truncated, garbage, emptied."""
    kind = rng.choice(["truncate", "garbage", "empty", "header-only", "nul"])
    if kind == "truncate":
        return data[: rng.randint(0, max(len(data) - 1, 0))]
    if kind == "garbage":
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 400)))
    if kind == "empty":
        return b""
    if kind == "header-only":
        return data.split(b"\n", 1)[0]
    return data.replace(b"a", b"\x00", 3)


def generate_case(rng: random.Random) -> Case:
    fmt = rng.choice(["csv", "csv", "json", "xlsx"])
    kind = rng.choice(KINDS[fmt])
    case = {"csv": make_csv, "json": make_json, "xlsx": make_xlsx}[fmt](rng, kind)
    if rng.random() < 0.2:
        case = Case("malformed-" + kind, fmt, corrupt(rng, case.data), case.name, None, options=case.options)
    if rng.random() < 0.5:
        case.options = []  # half the inputs rely on the header detection alone
    if rng.random() < 0.1:
        case.name = rng.choice(["ex\nport", "cartes <b>", "été 2023", "a\tb"]) + "." + fmt
    return case


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


class Hang(BaseException):
    """Not an Exception: the CLI's last-resort handler must not turn it into an exit status."""


def _alarm(signum, frame):
    raise Hang()


def timed(seconds: int, function, *args, **kwargs):
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    start = time.perf_counter()
    try:
        return function(*args, **kwargs), time.perf_counter() - start
    finally:
        signal.alarm(0)


def check_library(case: Case, path: Path, hang_seconds: int) -> Counter:
    problems = Counter()
    options = {"text_column": case.options[1]} if case.options else {}
    try:
        card_set, seconds = timed(hang_seconds, load_cards, path, **options)
    except Hang:
        problems["hangs"] += 1
        print(f"[hang] {case.kind} {case.fmt}", file=sys.stderr)
        return problems
    except InputError as error:
        problems["load_refused"] += 1
        if "\n" in str(error):
            problems["multi_line_errors"] += 1
        if case.expected is not None and not case.error_expected and case.expected:
            problems["refused_well_formed"] += 1
            print(f"[refused] {case.kind} {case.fmt}: {error}", file=sys.stderr)
        return problems
    except Exception as error:  # noqa: BLE001 - counted, that is the point
        problems["tracebacks"] += 1
        print(f"[traceback] {case.kind} {case.fmt}: {type(error).__name__}: {error}", file=sys.stderr)
        return problems
    if case.error_expected:
        problems["accepted_giant"] += 1
    if case.expected is not None:
        read = Counter(card.text for card in card_set.cards)
        missing = Counter(case.expected) - read
        if missing:
            key = "lost_cards_with_warning" if card_set.warnings else "lost_cards_silent"
            problems[key] += sum(missing.values())
            print(f"[{key}] {case.kind} {case.fmt}: {list(missing)[:2]!r} warnings={card_set.warnings[:2]}", file=sys.stderr)
    return problems


def check_cli(runner: CliRunner, case: Case, path: Path, out: Path, hang_seconds: int) -> tuple[str, Counter]:
    problems = Counter()
    try:
        result, seconds = timed(hang_seconds, runner.invoke, main, ["cluster", str(path), "-o", str(out), "--quiet", "--no-cache", *case.options])
    except Hang:
        problems["hangs"] += 1
        return "hang", problems
    output = result.output or ""
    if result.exit_code not in (0, 2) or "Traceback" in output:
        problems["tracebacks" if result.exit_code != 1 else "exit_1"] += 1
        print(f"[cli exit {result.exit_code}] {case.kind} {case.fmt}: {output.strip().splitlines()[-1:] or repr(result.exception)}", file=sys.stderr)
    elif result.exit_code == 2 and len(output.strip().splitlines()) != 1:
        problems["multi_line_errors"] += 1
    if result.exit_code == 0:
        problems += check_outputs(out, case.expected)
    return ("ok" if result.exit_code == 0 else f"exit {result.exit_code}"), problems


def check_outputs(out: Path, expected: list[str] | None) -> Counter:
    problems = Counter()
    problems["raw_markup_html"] += len(MARKUP_HTML.findall((out / "compte-rendu.html").read_text(encoding="utf-8")))
    problems["raw_markup_md"] += len(MARKUP_MD.findall((out / "compte-rendu.md").read_text(encoding="utf-8")))
    with (out / "cartes.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    problems["formula_cells"] += sum(value.startswith(FORMULA_STARTS) for row in rows for value in row.values() if value)
    if expected is not None:
        written = {row["text"] for row in rows}
        # A text a spreadsheet would run as a formula is written with a leading quote.
        missing = [text for text in expected if text not in written and "'" + text not in written]
        if missing:
            problems["lost_cards_cli"] += len(missing)
            print(f"[lost_cards_cli] {out}: {missing[:3]!r}", file=sys.stderr)
    return problems


def worst_case_memory(workdir: Path) -> list[tuple[str, float, float]]:
    """Peak memory (MB) and time of loading the heaviest inputs, each in a fresh process."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Groupe", "Texte"])
    for i in range(40):
        sheet.append([f"G{i % 3}", f"carte {i}"])
    sheet["XFD1048576"] = "x"
    workbook.save(workdir / "loin.xlsx")
    (workdir / "geant.json").write_text(json.dumps([{"texte": "x" * 5_000_000}]), encoding="utf-8")
    big = "Groupe;Texte\n" + "".join(f"G{i % 9};Carte numéro {i} sur la mutualisation des outils\n" for i in range(700_000))
    (workdir / "gros.csv").write_text(big[: 49 * 1024 * 1024], encoding="utf-8")
    measured = []
    for name in ("/dev/zero", "/dev/urandom", str(workdir / "loin.xlsx"), str(workdir / "geant.json"), str(workdir / "gros.csv")):
        code = (
            "import resource, sys, time\nfrom synthesis.load import load_cards\nfrom synthesis.cards import InputError\n"
            "start = time.perf_counter()\ntry:\n    load_cards(sys.argv[1])\nexcept InputError:\n    pass\n"
            # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
            "peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]\n"
            "print(time.perf_counter() - start, int(peak) / 1024)"
        )
        output = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True, timeout=300)
        seconds, peak = (float(value) for value in output.stdout.split())
        measured.append((Path(name).name, seconds, peak))
    return measured


def warm_up(runner: CliRunner, workdir: Path) -> None:
    """Load the models once, untimed: a hang is an input's fault, not the first model load's."""
    path = workdir / "echauffement.csv"
    path.write_text("Texte\nFormations communes\nRéseau solidaire\n", encoding="utf-8")
    result = runner.invoke(main, ["cluster", str(path), "-o", str(workdir / "echauffement"), "--quiet", "--no-cache"])
    assert result.exit_code == 0, result.output


def main_fuzz() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of generated inputs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cli-every", type=int, default=10, help="run every N-th input through the whole CLI too")
    parser.add_argument("--hang-seconds", type=int, default=60)
    parser.add_argument("--no-memory", action="store_true", help="skip the worst-case memory measure")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    runner = CliRunner()
    totals, outcomes, kinds = Counter(), Counter(), Counter()
    slowest = (0.0, "")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        warm_up(runner, Path(tmp))
        for index in range(args.n):
            case = generate_case(rng)
            kinds[case.kind] += 1
            folder = Path(tmp) / f"case-{index}"
            folder.mkdir()
            path = folder / case.name
            path.write_bytes(case.data)
            began = time.perf_counter()
            totals += check_library(case, path, args.hang_seconds)
            if index % args.cli_every == 0:
                outcome, problems = check_cli(runner, case, path, folder / "out", args.hang_seconds)
                outcomes[outcome] += 1
                totals += problems
            slowest = max(slowest, (time.perf_counter() - began, f"{case.kind} {case.fmt}"))
            if (index + 1) % 100 == 0:
                print(f"{index + 1}/{args.n} inputs, {time.perf_counter() - start:.0f} s", file=sys.stderr)
        memory = [] if args.no_memory else worst_case_memory(Path(tmp))
    print(f"inputs tried: {args.n} (seed {args.seed}) in {time.perf_counter() - start:.0f} s; "
          f"through the whole CLI: {sum(outcomes.values())}")
    print("kinds: " + ", ".join(f"{key}: {value}" for key, value in sorted(kinds.items())))
    print("CLI outcomes: " + ", ".join(f"{key}: {value}" for key, value in sorted(outcomes.items())))
    print(f"library: {args.n - totals['load_refused'] - totals['tracebacks'] - totals['hangs']} read, {totals['load_refused']} refused with an InputError")
    keys = ("tracebacks", "exit_1", "hangs", "multi_line_errors", "refused_well_formed", "accepted_giant", "lost_cards_silent",
            "lost_cards_with_warning", "lost_cards_cli", "raw_markup_md", "raw_markup_html", "formula_cells")
    for key in keys:
        print(f"{key}: {totals[key]}")
    print(f"slowest input: {slowest[0]:.1f} s ({slowest[1]}); peak memory of this process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (models included)")
    for name, seconds, peak in memory:
        print(f"worst case {name}: {seconds:.2f} s, peak memory {peak:.0f} MB (fresh process, load only)")
    return 1 if any(totals[key] for key in keys if key != "lost_cards_with_warning") else 0


if __name__ == "__main__":
    sys.exit(main_fuzz())
