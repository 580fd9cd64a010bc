"""Render the reports as a client sees them, to look at the pages: HTML in headless Chromium, Word via LibreOffice.

    python scripts/render_reports.py OUTPUT_FOLDER [--into DIR] [--dpi 60]

Writes into DIR (default OUTPUT_FOLDER/rendu): html-ecran.png (a 1280 px wide window, full
page), html-mobile.png (390 px), html-impression.pdf (Chromium's print to A4) and its pages
as PNG, compte-rendu.pdf (LibreOffice) and its pages as PNG. Needs the Debian packages
chromium, libreoffice-writer and poppler-utils, and `pip install playwright` (no browser
download: the system Chromium is used). Prints the page counts.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def render_html(html: Path, into: Path) -> int:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        # A self-contained page fetches nothing: fail loudly if it tries.
        requests = []
        page.on("request", lambda request: requests.append(request.url) if not request.url.startswith(("file:", "data:")) else None)
        page.goto(html.resolve().as_uri())
        page.screenshot(path=str(into / "html-ecran.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(into / "html-mobile.png"), full_page=False)
        page.emulate_media(media="print")
        page.pdf(path=str(into / "html-impression.pdf"), format="A4", print_background=True)
        browser.close()
    if requests:
        print(f"ATTENTION : la page a demandé {len(requests)} ressources externes : {requests[:3]}")
    return _pages(into / "html-impression.pdf", into / "html-page")


def render_docx(docx: Path, into: Path) -> int:
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(into), str(docx)],
                   check=True, capture_output=True, timeout=300)
    return _pages(into / f"{docx.stem}.pdf", into / "docx-page")


def _pages(pdf: Path, prefix: Path, dpi: int = 60) -> int:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=300)
    return len(list(prefix.parent.glob(f"{prefix.name}-*.png")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="dossier de sortie de synth cluster")
    parser.add_argument("--into", type=Path)
    arguments = parser.parse_args()
    into = arguments.into or arguments.output / "rendu"
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    for tool in ("soffice", "pdftoppm", CHROMIUM):
        if not shutil.which(tool):
            sys.exit(f"Erreur : {tool} introuvable (paquets Debian chromium, libreoffice-writer, poppler-utils).")
    html_pages = render_html(arguments.output / "compte-rendu.html", into)
    docx_pages = render_docx(arguments.output / "compte-rendu.docx", into)
    print(f"HTML : html-ecran.png, html-mobile.png, {html_pages} pages A4 imprimées (html-page-*.png)")
    print(f"Word : compte-rendu.pdf, {docx_pages} pages (docx-page-*.png)")
    print(f"dans {into}")


if __name__ == "__main__":
    main()
