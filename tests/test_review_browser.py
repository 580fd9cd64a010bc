"""The review page in a real browser (Debian's chromium driven by Playwright, headless, nothing downloaded).

On the demo: rename a theme, move a card (select then « Déplacer », and by drag and drop),
merge two themes, split one; then the corrections file, the re-rendered compte-rendu.md and
.docx, and a re-run of ``synth cluster`` into the same folder that keeps all four corrections.
"""

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from synthesis.cli import main
from synthesis.report import write_outputs
from synthesis.review.server import ReviewServer

from conftest import DEMO_CSV
from test_review import SCRIPT, with_script_card

CHROMIUM = shutil.which("chromium") or next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="aucun binaire chromium sur cette machine (apt-get install chromium) : test du navigateur sauté"
)

RENAMED = "Connaissance fine du territoire"
SPLIT_LABEL = "Tourisme de nature"


def saved(page, what, n, timeout=60_000):
    """Wait until the page says that edit n is saved and the reports re-rendered; seconds waited."""
    from playwright.sync_api import expect

    start = time.perf_counter()
    expected = rf"^Enregistré : {re.escape(what)} \(correction n° {n}\)\. Comptes rendus à jour"
    expect(page.locator("#status")).to_have_text(re.compile(expected), timeout=timeout)
    return time.perf_counter() - start


def card_themes(out: Path) -> dict[str, str]:
    document = json.loads((out / "themes.json").read_text(encoding="utf-8"))
    return {card: theme["id"] for c in document["categories"] for theme in c["themes"] for card in theme["card_ids"]}


def test_four_corrections_in_the_browser_survive_a_rerun(demo_synthesis, tmp_path):
    from docx import Document
    from playwright.sync_api import sync_playwright

    out = tmp_path / "out"
    write_outputs(with_script_card(demo_synthesis), out)  # the demo, its first card holding markup
    forces = {theme.id: theme for theme in demo_synthesis.categories[0].themes}
    moved, dragged = forces["forces-02"].card_ids[0], forces["forces-02"].card_ids[1]
    split_cards = forces["forces-06"].card_ids[:3]
    merged_cards = set(forces["forces-04"].card_ids) | set(forces["forces-05"].card_ids)

    server = ReviewServer(out)
    server.start()
    timings = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 4000})  # source and target of the drag both in view
            errors = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(server.url)
            page.locator("section.theme").first.wait_for()

            first_card = page.locator(f'li.card[data-unit-id="{demo_synthesis.units[0].id}"] .text')
            assert first_card.text_content() == SCRIPT  # shown as text, not run
            assert page.evaluate("window.pwned") is None

            theme = page.locator('section.theme[data-theme-id="forces-01"]')
            theme.locator("input.label").fill(RENAMED)
            theme.locator("input.label").press("Enter")
            timings["renommer"] = saved(page, "renommer", 1)

            theme = page.locator('section.theme[data-theme-id="forces-02"]')
            theme.locator(f'li.card[data-card-id="{moved}"] input.select').check()
            theme.locator("select.move-target").select_option("forces-03")
            theme.locator("button.move").click()
            timings["déplacer (choisir puis Déplacer)"] = saved(page, "déplacer une carte", 2)

            source = page.locator(f'section.theme[data-theme-id="forces-02"] li.card[data-card-id="{dragged}"]')
            target = page.locator('section.theme[data-theme-id="forces-03"] ul.cards')
            for attempt in range(3):  # headless chromium's native drag and drop is timing-sensitive on a loaded machine
                source.drag_to(target)
                try:
                    timings["déplacer (glisser-déposer)"] = saved(page, "déplacer une carte", 3, timeout=15_000)
                    break
                except AssertionError:
                    if attempt == 2:
                        raise

            theme = page.locator('section.theme[data-theme-id="forces-04"]')
            theme.locator("select.merge-target").select_option("forces-05")
            theme.locator("button.merge").click()
            timings["fusionner"] = saved(page, "fusionner", 4)

            theme = page.locator('section.theme[data-theme-id="forces-06"]')
            for card in split_cards:
                theme.locator(f'li.card[data-card-id="{card}"] input.select').check()
            theme.locator("input.split-label").fill(SPLIT_LABEL)
            theme.locator("button.split").click()
            timings["scinder"] = saved(page, "scinder", 5)

            assert page.locator('section.theme[data-theme-id="forces-e5"] input.label').input_value() == SPLIT_LABEL
            assert page.locator('section.theme[data-theme-id="forces-05"]').count() == 0
            if os.environ.get("SYNTH_REVIEW_SCREENSHOT"):
                page.screenshot(path=os.environ["SYNTH_REVIEW_SCREENSHOT"], full_page=False)
            assert errors == []
            browser.close()
    finally:
        server.close()
    print("secondes du clic aux comptes rendus réécrits :", {k: round(v, 2) for k, v in timings.items()})

    document = json.loads((out / "corrections.json").read_text(encoding="utf-8"))
    edits = document["edits"]
    assert [edit["type"] for edit in edits] == ["rename", "move", "move", "merge", "split"]
    assert edits[0]["label"] == RENAMED and edits[1] == {**edits[1], "card": moved, "to": "forces-03"}
    assert edits[3]["into"] == "forces-04" and edits[3]["themes"] == ["forces-05"]
    assert sorted(edits[4]["cards"]) == sorted(split_cards) and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["at"]) for e in edits)

    def assert_four_corrections(report: str, docx_text: str):
        assert f". {RENAMED}\n" in report and f". {SPLIT_LABEL}\n" in report
        assert f". {forces['forces-05'].label}\n" not in report
        assert RENAMED in docx_text and SPLIT_LABEL in docx_text and "revu par l'éditeur" in docx_text
        where = card_themes(out)
        assert where[moved] == "forces-03" and where[dragged] == "forces-03"
        assert all(where[card] == "forces-04" for card in merged_cards)
        assert all(where[card] == "forces-e5" for card in split_cards)

    def docx_text():
        return "\n".join(p.text for p in Document(str(out / "compte-rendu.docx")).paragraphs)

    assert_four_corrections((out / "compte-rendu.md").read_text(encoding="utf-8"), docx_text())

    result = CliRunner().invoke(main, ["cluster", str(DEMO_CSV), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "non appliquée" not in result.output and "Corrections de l'éditeur : 6 thèmes corrigés" in result.output
    assert_four_corrections((out / "compte-rendu.md").read_text(encoding="utf-8"), docx_text())
    assert len(json.loads((out / "corrections.json").read_text(encoding="utf-8"))["edits"]) == 5
