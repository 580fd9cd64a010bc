"""``synth review``: a local page to correct the themes, each change saved at once and the reports re-rendered.

The standard library's threaded HTTP server, bound to 127.0.0.1 on a free
port. It answers only requests whose Host is that address (or localhost) on
that port, which defeats DNS rebinding; every API call carries the session's
random token (given to the page in a meta tag, under a Content-Security-Policy
that allows no inline script and nothing from elsewhere). Card text goes to
the page as JSON and is shown with ``textContent``, never parsed as HTML. A
save appends one edit to corrections.json and re-renders every report, under
one lock, and hands the corrected result to one background writer that
re-renders every report (the latest result only: a burst of saves renders
once), so the page answers at once and the Word file in the folder follows
within seconds; the page polls /api/status and says when the reports are
written. Closing the server waits for the last render.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from synthesis.cards import InputError
from synthesis.corrections.apply import effective_entries
from synthesis.corrections.edits import EDIT_NAMES, Pin, Undo, new_edit
from synthesis.corrections.file import CORRECTIONS_FILE, append_edit, load_corrections
from synthesis.corrections.folder import Rendered, corrected_folder
from synthesis.result import Synthesis
from synthesis.report.wording import category_title
from synthesis.store import StoreError

STATIC_FILES = {"/review.js": "text/javascript", "/review.css": "text/css"}
TOKEN_HEADER = "X-Synth-Token"
MAX_BODY = 1_000_000
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class ReviewServer:
    """The review session of one output folder."""

    def __init__(self, out_dir: Path, port: int = 0) -> None:
        self.out_dir = Path(out_dir)
        self.token = secrets.token_urlsafe(32)
        self.lock = threading.Lock()
        self.rendered: Rendered = corrected_folder(self.out_dir)
        self.saved = ""
        self.writer = ReportWriter(self.out_dir)
        if not reports_current(self.out_dir):
            self.writer.request(self.rendered.synthesis)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.serving: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def allowed_hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    def start(self) -> threading.Thread:
        """Serve in a background thread (tests, and the CLI until Ctrl-C)."""
        self.serving = threading.Thread(target=self.httpd.serve_forever, name="synth-review", daemon=True)
        self.serving.start()
        return self.serving

    def close(self) -> None:
        """Stop serving, once the reports hold the last change."""
        if self.serving is not None:  # shutdown() waits for serve_forever, which never ran otherwise
            self.httpd.shutdown()
        self.httpd.server_close()
        self.writer.close()

    # --- what the page asks for --------------------------------------------------------

    def save(self, raw: object) -> dict:
        """Append one edit sent by the page and re-render; StoreError (400) when it is malformed."""
        if not isinstance(raw, dict):
            raise StoreError("objet JSON attendu")
        kind, edit = new_edit(raw)
        with self.lock:
            entry = append_edit(self.out_dir / CORRECTIONS_FILE, kind, edit)
            return self.refresh(f"{EDIT_NAMES[kind]} (correction n° {entry.n})")

    def undo(self) -> dict:
        """Append an undo of the last change still in effect."""
        with self.lock:
            entries = effective_entries(load_corrections(self.out_dir / CORRECTIONS_FILE).entries)
            if not entries:
                raise StoreError("aucune modification à annuler")
            entry = append_edit(self.out_dir / CORRECTIONS_FILE, "undo", Undo(entries[-1].n))
            return self.refresh(f"{EDIT_NAMES[entries[-1].kind]} (correction n° {entries[-1].n}) annulé (correction n° {entry.n})")

    def refresh(self, saved: str) -> dict:
        """After a save: the corrected result, handed to the report writer; the page's new state."""
        self.rendered = corrected_folder(self.out_dir)
        self.saved = saved
        self.writer.request(self.rendered.synthesis)
        return self.state()

    def state(self) -> dict:
        return {**page_state(self.rendered, self.out_dir, self.saved), **self.writer.status()}


def reports_current(out_dir: Path) -> bool:
    """Every report is there and written after the last change of corrections.json."""
    from synthesis.report import OUTPUT_FILES

    reports = [out_dir / name for name in OUTPUT_FILES]
    if not all(path.is_file() for path in reports):
        return False
    corrections = out_dir / CORRECTIONS_FILE
    return not corrections.exists() or min(p.stat().st_mtime_ns for p in reports) >= corrections.stat().st_mtime_ns


class ReportWriter:
    """Writes every report of the folder in a background thread, always from the latest corrected result."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.condition = threading.Condition()
        self.pending: Synthesis | None = None
        self.busy = self.closing = False
        self.written: list[str] = []
        self.seconds = 0.0
        self.error = ""
        self.thread = threading.Thread(target=self._run, name="synth-review-writer", daemon=True)
        self.thread.start()

    def request(self, synthesis: Synthesis) -> None:
        with self.condition:
            self.pending = synthesis
            self.condition.notify_all()

    def status(self) -> dict:
        with self.condition:
            return {"rendering": self.pending is not None or self.busy, "rendered": self.written,
                    "seconds": round(self.seconds, 3), "render_error": self.error}

    def wait(self, timeout: float | None = None) -> bool:
        """Until the reports hold the latest result; False on timeout."""
        with self.condition:
            return self.condition.wait_for(lambda: self.pending is None and not self.busy, timeout)

    def close(self) -> None:
        self.wait()
        with self.condition:
            self.closing = True
            self.condition.notify_all()
        self.thread.join()

    def _run(self) -> None:
        from synthesis.report import write_outputs

        while True:
            with self.condition:
                self.condition.wait_for(lambda: self.pending is not None or self.closing)
                if self.pending is None:
                    return
                synthesis, self.pending, self.busy = self.pending, None, True
            start = time.perf_counter()
            try:
                written, error = [path.name for path in write_outputs(synthesis, self.out_dir)], ""
            except Exception as failure:  # e.g. the Word file open and locked: the edits themselves are saved
                written, error = [], f"Comptes rendus non réécrits ({type(failure).__name__}: {failure}) ; les corrections sont enregistrées."
            with self.condition:
                self.written, self.error, self.busy = written, error, False
                self.seconds = time.perf_counter() - start
                self.condition.notify_all()


def page_state(rendered: Rendered, out_dir: Path, saved: str = "") -> dict:
    """Everything the page shows, as JSON (the page renders it with textContent only)."""
    synthesis = rendered.synthesis
    entries = effective_entries(load_corrections(out_dir / CORRECTIONS_FILE).entries)
    pins = {entry.edit.theme: entry.edit.rank for entry in entries if isinstance(entry.edit, Pin)}
    units_by_id = {unit.id: unit for unit in synthesis.units}
    categories = []
    for category in synthesis.categories:
        themes, rank = [], 0
        for theme in category.themes + category.hidden_themes:
            hidden = theme in category.hidden_themes
            if not theme.isolated and not hidden:
                rank += 1
            themes.append({
                "id": theme.id, "label": theme.label, "rank": None if theme.isolated or hidden else rank,
                "isolated": theme.isolated, "hidden": hidden, "corrected": theme.corrected, "note": theme.note,
                "pinned": pins.get(theme.id), "n_cards": theme.n_cards, "n_groups": theme.n_groups, "votes": theme.votes,
                "groups": theme.groups, "keywords": theme.keywords,
                "quotes": [{"card_id": q.card_id, "group": q.group, "text": q.text} for q in theme.quotes],
                "units": [
                    {"unit_id": unit_id, "card_id": units_by_id[unit_id].card_id, "group": units_by_id[unit_id].group,
                     "text": units_by_id[unit_id].text}
                    for unit_id in theme.unit_ids
                ],
            })
        # A survey counts respondents, out of those who answered the question; a workshop, groups out of all.
        who, base = ("répondant", category.n_respondents) if synthesis.survey else ("groupe", synthesis.n_groups)
        categories.append({"category": category.category, "title": category_title(category.category), "themes": themes,
                           "who": who, "n_who": base, "item": "réponse" if synthesis.survey else "carte"})
    return {
        "title": synthesis.title, "n_groups": synthesis.n_groups, "folder": str(out_dir),
        "categories": categories, "problems": rendered.problems, "saved": saved,
        "last_change": entries[-1].describe() if entries else "",
        "edit_names": EDIT_NAMES,
    }


def _handler(session: ReviewServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "synth-review"
        sys_version = ""

        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass  # the terminal stays for the run summary; errors go back to the page

        def do_GET(self):
            if not self._local():
                return
            path = self.path.split("?", 1)[0]
            if path == "/":
                page = static_text("index.html").replace("{{TOKEN}}", session.token)
                return self._send(HTTPStatus.OK, page.encode("utf-8"), "text/html; charset=utf-8")
            if path in STATIC_FILES:
                return self._send(HTTPStatus.OK, static_text(path[1:]).encode("utf-8"), f"{STATIC_FILES[path]}; charset=utf-8")
            if path == "/favicon.ico":
                return self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
            if path in ("/api/state", "/api/status"):
                if self._authorised():
                    self._json(HTTPStatus.OK, session.state() if path == "/api/state" else session.writer.status())
                return
            self._json(HTTPStatus.NOT_FOUND, {"error": "page introuvable"})

        def do_POST(self):
            if not self._local() or not self._authorised():
                return
            path = self.path.split("?", 1)[0]
            try:
                if path == "/api/edits":
                    return self._json(HTTPStatus.OK, session.save(self._body()))
                if path == "/api/undo":
                    return self._json(HTTPStatus.OK, session.undo())
                return self._json(HTTPStatus.NOT_FOUND, {"error": "page introuvable"})
            except InputError as error:  # the corrections file or the saved result cannot be read
                return self._json(HTTPStatus.CONFLICT, {"error": str(error)})
            except (StoreError, ValueError) as error:
                return self._json(HTTPStatus.BAD_REQUEST, {"error": f"Modification refusée : {error}"})

        # --- checks --------------------------------------------------------------------

        def _local(self) -> bool:
            """Only this address and port (a foreign Host means DNS rebinding or a proxy): 403 otherwise."""
            origin = self.headers.get("Origin")
            host_ok = self.headers.get("Host", "") in session.allowed_hosts
            origin_ok = origin is None or origin in {f"http://{host}" for host in session.allowed_hosts}
            if not (host_ok and origin_ok):
                self._json(HTTPStatus.FORBIDDEN, {"error": "hôte refusé : ce serveur ne répond qu'à 127.0.0.1"})
                return False
            return True

        def _authorised(self) -> bool:
            token = self.headers.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(token.encode(), session.token.encode()):
                self._json(HTTPStatus.FORBIDDEN, {"error": "jeton de session manquant ou invalide : rechargez la page"})
                return False
            return True

        def _body(self) -> object:
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_BODY:
                raise StoreError("corps de requête vide ou trop grand")
            try:
                return json.loads(self.rfile.read(length).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise StoreError(f"JSON invalide ({error})") from None

        def _json(self, status: HTTPStatus, data: dict) -> None:
            self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in _SECURITY_HEADERS.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


def static_text(name: str) -> str:
    return resources.files("synthesis.review").joinpath("static", name).read_text(encoding="utf-8")
