"""Run many generated, malformed card exports through `synth cluster` and count what went wrong.

For each generated file the CLI runs in-process (models load once). It counts:
- tracebacks: an exit status other than 0 or 2, or "Traceback" in the output;
- lost cards: a row with visible text that is not in cartes.csv (by its id);
- unescaped output: a participant's markup found raw in the HTML report, or a
  cartes.csv cell a spreadsheet would run as a formula.

    python scripts/fuzz_inputs.py --n 1000 --seed 0
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from click.testing import CliRunner  # noqa: E402

from synthesis.cli import main  # noqa: E402

HEADERS = {
    "text": ["Texte", "Carte", "contenu", "IDÉE", "verbatim", "text", "Texte de la carte"],
    "group": ["Groupe", "atelier", "TABLE", "group"],
    "category": ["Catégorie", "type", "Rubrique", "category"],
    "id": ["id", "N°", "numéro"],
    "votes": ["votes", "Gommettes", "points"],
}
CATEGORIES = ["Forces", "FAIBLESSES", "Attente(s)", "contribution", "Force", "autre chose", ""]
GROUPS = ["Groupe 1", "G2", "3", "groupe 4", "Table rouge", ""]
HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "=HYPERLINK(\"http://x\",\"clic\")", "+33 6 12",
    "-moins de moyens", "@everyone", "\tindent", "\rretour", "a;b;c", 'il a dit "oui"', "ligne 1\nligne 2",
    "\x00nul", "\x07bip", "🙂🚀 émojis", "The network is great", "x" * 10_000, "   ", "", "# titre", "**gras**",
    "[lien](http://x)", "../../etc/passwd", "Ω≈ç√", "\u202etexte inversé",
]
FRENCH = [
    "Manque de communication entre OT et ADT", "Mutualiser les outils numériques", "Formations communes",
    "Réseau solidaire", "Taxe de séjour mal répartie", "Partager les données d'observation", "Apidae",
    "Clarifier qui fait quoi", "Marque Occitanie reconnue", "Moyens humains limités",
]
MARKUP = re.compile(r"<(script|img)\b", re.IGNORECASE)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def random_cell(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(FRENCH)
    if roll < 0.85:
        return rng.choice(HOSTILE)
    return "".join(rng.choice("abcdeéèàç ;,\"'\n\t<>=+-@") for _ in range(rng.randint(0, 30)))


def generate_table(rng: random.Random) -> tuple[list[str], list[list[str]], dict[str, str]]:
    roles = ["text"] + [role for role in ("id", "group", "category", "votes") if rng.random() < 0.8]
    rng.shuffle(roles)
    header = [rng.choice(HEADERS[role]) for role in roles]
    rows = []
    for n in range(rng.randint(0, 40)):
        cells = {
            "text": random_cell(rng),
            "id": f"card-{n}",
            "group": rng.choice(GROUPS),
            "category": rng.choice(CATEGORIES),
            "votes": rng.choice(["", "1", "3", "x", "-2", "2.0"]),
        }
        rows.append([cells[role] for role in roles])
    return header, rows, dict(zip(roles, header))


def encode_csv(rng: random.Random, header, rows) -> bytes:
    delimiter = rng.choice([";", ",", "\t"])
    buffer = io.StringIO()
    # As spreadsheets save: a cell holding a line break (CR included) is quoted. With "\n"
    # line ends Python's csv would leave a bare CR unquoted, which reads as a line end.
    lineterminator, quoting = rng.choice([("\r\n", csv.QUOTE_MINIMAL), ("\n", csv.QUOTE_ALL)])
    csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting).writerows([header] + rows)
    encoding = rng.choice(["utf-8", "utf-8-sig", "cp1252"])
    return buffer.getvalue().encode(encoding, errors="replace")


def encode_json(rng: random.Random, header, rows) -> bytes:
    return json.dumps([dict(zip(header, row)) for row in rows], ensure_ascii=rng.random() < 0.5).encode()


def encode_xlsx(rng: random.Random, header, rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for r, line in enumerate([header] + rows, start=1):
        for c, value in enumerate(line, start=1):
            # openpyxl refuses control characters that XML cannot hold; so would Excel.
            cell = sheet.cell(row=r, column=c, value=re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value))
            cell.data_type = "s"  # text typed as "=..." is text, not a formula, as Excel stores it
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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


def expected_ids(rows, roles) -> set[str] | None:
    if "id" not in roles:
        return None
    text_at, id_at = list(roles).index("text"), list(roles).index("id")
    return {row[id_at] for row in rows if _visible(row[text_at])}


def _visible(text: str) -> bool:
    return bool(re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text).strip())


def check_outputs(out: Path, expected: set[str] | None) -> Counter:
    problems = Counter()
    html = (out / "compte-rendu.html").read_text(encoding="utf-8")
    problems["unescaped_html"] += len(MARKUP.findall(html))
    with (out / "cartes.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    problems["formula_cells"] += sum(value.startswith(FORMULA_STARTS) for row in rows for value in row.values() if value)
    if expected is not None:
        found = {row["id"].lstrip("'") for row in rows}
        problems["lost_cards"] += len(expected - found)
    return problems


def run_one(runner: CliRunner, rng: random.Random, workdir: Path, index: int) -> tuple[str, Counter]:
    header, rows, roles = generate_table(rng)
    fmt = rng.choice(["csv", "csv", "json", "xlsx"])
    data = {"csv": encode_csv, "json": encode_json, "xlsx": encode_xlsx}[fmt](rng, header, rows)
    malformed = rng.random() < 0.3
    if malformed:
        data = corrupt(rng, data)
    path = workdir / f"export-{index}.{fmt}"
    path.write_bytes(data)
    out = workdir / f"out-{index}"
    result = runner.invoke(main, ["cluster", str(path), "-o", str(out), "--quiet"])
    problems = Counter()
    output = result.output or ""
    if result.exit_code not in (0, 2) or "Traceback" in output:
        problems["tracebacks"] += 1
        print(f"[{index}] exit {result.exit_code}: {output.strip().splitlines()[-1:] if output.strip() else result.exception!r}", file=sys.stderr)
    elif result.exit_code == 2 and len(output.strip().splitlines()) != 1:
        problems["multi_line_errors"] += 1
    if result.exit_code == 0:
        problems += check_outputs(out, None if malformed else expected_ids(rows, roles.keys()))
    outcome = "ok" if result.exit_code == 0 else f"exit {result.exit_code}"
    return outcome, problems


def main_fuzz() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of generated inputs")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    runner = CliRunner()
    totals, outcomes = Counter(), Counter()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(args.n):
            outcome, problems = run_one(runner, rng, Path(tmp), index)
            outcomes[outcome] += 1
            totals += problems
            if (index + 1) % 100 == 0:
                print(f"{index + 1}/{args.n} inputs, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    print(f"inputs tried: {args.n} (seed {args.seed}) in {time.perf_counter() - start:.0f} s")
    print("outcomes: " + ", ".join(f"{key}: {value}" for key, value in sorted(outcomes.items())))
    for key in ("tracebacks", "lost_cards", "unescaped_html", "formula_cells", "multi_line_errors"):
        print(f"{key}: {totals[key]}")
    return 1 if any(totals[key] for key in ("tracebacks", "lost_cards", "unescaped_html", "formula_cells")) else 0


if __name__ == "__main__":
    sys.exit(main_fuzz())
