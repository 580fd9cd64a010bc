"""The review server over HTTP: local Host only, the session token on every API call, one edit appended per save."""

import dataclasses
import http.client
import json
import re
import shutil
import threading

import pytest

from synthesis.corrections import CORRECTIONS_FILE, load_corrections
from synthesis.report import write_outputs
from synthesis.review.server import TOKEN_HEADER, ReviewServer, static_text

SCRIPT = "<script>window.pwned = 1</script> Carte piégée"


def with_script_card(synthesis):
    """The demo run with a first card whose text is markup (as a participant could type it)."""
    first = synthesis.units[0]
    card = dataclasses.replace(first.card, text=SCRIPT)
    unit = dataclasses.replace(first, card=card, text=SCRIPT)
    cards = [card if c.id == card.id else c for c in synthesis.cards]
    return dataclasses.replace(synthesis, cards=cards, units=[unit] + synthesis.units[1:])


@pytest.fixture(scope="module")
def demo_folder(demo_synthesis, tmp_path_factory):
    out = tmp_path_factory.mktemp("review") / "out"
    write_outputs(with_script_card(demo_synthesis), out)
    return out


@pytest.fixture()
def server(demo_folder, tmp_path):
    shutil.copytree(demo_folder, tmp_path, dirs_exist_ok=True)
    session = ReviewServer(tmp_path)
    assert not session.writer.status()["rendering"]  # reports newer than any correction: no render at start
    session.start()
    yield session
    session.close()


def request(server, method, path, body=None, host=None, token=True, origin=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Host": host or f"127.0.0.1:{server.port}", "Content-Type": "application/json"}
    if token:
        headers[TOKEN_HEADER] = server.token
    if origin:
        headers["Origin"] = origin
    data = None if body is None else json.dumps(body).encode("utf-8")
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type", ""), payload


def test_the_server_listens_on_loopback_only_on_a_free_port(server):
    host, port = server.httpd.server_address[:2]
    assert host == "127.0.0.1" and port > 1024 and server.url == f"http://127.0.0.1:{port}/"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "192.168.1.5:{port}"])
def test_a_foreign_host_is_refused_even_for_the_page(server, host):
    for method, path in (("GET", "/"), ("GET", "/api/state"), ("POST", "/api/edits")):
        status, _, payload = request(server, method, path, {"type": "hide", "theme": "forces-01"}, host=host.format(port=server.port))
        assert status == 403, (method, path)
        assert "hôte refusé" in json.loads(payload)["error"]
    assert not (server.out_dir / CORRECTIONS_FILE).exists()


def test_a_foreign_origin_is_refused(server):
    status, _, _ = request(server, "POST", "/api/edits", {"type": "hide", "theme": "forces-01"}, origin="http://evil.example")
    assert status == 403 and not (server.out_dir / CORRECTIONS_FILE).exists()


def test_calls_without_the_session_token_are_refused(server):
    for method, path in (("GET", "/api/state"), ("GET", "/api/status"), ("POST", "/api/edits"), ("POST", "/api/undo")):
        status, _, payload = request(server, method, path, {"type": "hide", "theme": "forces-01"}, token=False)
        assert status == 403 and "jeton" in json.loads(payload)["error"]
    assert not (server.out_dir / CORRECTIONS_FILE).exists()


def test_the_page_holds_no_card_text_and_forbids_inline_script(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", "/")
    response = connection.getresponse()
    page = response.read().decode("utf-8")
    assert response.status == 200 and "script-src 'self'" in response.getheader("Content-Security-Policy")
    assert server.token in page and "Carte piégée" not in page  # card text only reaches the page as JSON
    script = static_text("review.js")
    assert "textContent" in script and not re.search(r"\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write", script)


def test_card_text_with_markup_is_sent_as_json_and_escaped_in_the_reports(server):
    status, content_type, payload = request(server, "GET", "/api/state")
    assert status == 200 and content_type.startswith("application/json")
    state = json.loads(payload)
    texts = [unit["text"] for category in state["categories"] for theme in category["themes"] for unit in theme["units"]]
    assert SCRIPT in texts
    html = (server.out_dir / "compte-rendu.html").read_text(encoding="utf-8")
    assert "<script>window.pwned" not in html


def test_a_save_appends_one_edit_and_rerenders_the_reports(server):
    before = (server.out_dir / "compte-rendu.md").stat().st_mtime_ns
    status, _, payload = request(server, "POST", "/api/edits", {"type": "rename", "theme": "forces-02", "label": "Relations de confiance"})
    assert status == 200, payload
    state = json.loads(payload)
    assert state["saved"] == "renommer (correction n° 1)" and state["last_change"].startswith("correction n° 1 (renommer")
    assert [t["label"] for t in state["categories"][0]["themes"]][1] == "Relations de confiance"
    assert server.writer.wait(timeout=120)  # the reports are written in the background
    status, _, payload = request(server, "GET", "/api/status")
    assert json.loads(payload)["rendering"] is False and "compte-rendu.docx" in json.loads(payload)["rendered"]
    assert "### 2. Relations de confiance" in (server.out_dir / "compte-rendu.md").read_text(encoding="utf-8")
    assert (server.out_dir / "compte-rendu.md").stat().st_mtime_ns > before
    status, _, payload = request(server, "POST", "/api/undo", {})
    assert status == 200 and "annulé" in json.loads(payload)["saved"]
    server.writer.wait(timeout=120)
    assert [entry.kind for entry in load_corrections(server.out_dir / CORRECTIONS_FILE).entries] == ["rename", "undo"]
    assert "Relations de confiance" not in (server.out_dir / "compte-rendu.md").read_text(encoding="utf-8")


def test_a_malformed_edit_is_refused_with_a_reason_and_nothing_is_written(server):
    for body in ({"type": "rename", "theme": "forces-02"}, {"type": "drop-table"}, ["not", "an", "object"]):
        status, _, payload = request(server, "POST", "/api/edits", body)
        assert status == 400 and json.loads(payload)["error"].startswith("Modification refusée")
    assert not (server.out_dir / CORRECTIONS_FILE).exists()


def test_two_tabs_saving_at_once_lose_no_edit(server):
    themes = [f"forces-{i:02d}" for i in range(1, 9)]
    threads = [
        threading.Thread(target=request, args=(server, "POST", "/api/edits", {"type": "note", "theme": theme, "text": f"note {theme}"}))
        for theme in themes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = load_corrections(server.out_dir / CORRECTIONS_FILE).entries
    assert sorted(entry.edit.theme for entry in entries) == themes and sorted(e.n for e in entries) == list(range(1, 9))


def test_corrections_changed_since_the_reports_are_rendered_when_the_session_opens(demo_folder, tmp_path):
    from synthesis.corrections.file import format_corrections

    shutil.copytree(demo_folder, tmp_path, dirs_exist_ok=True)
    edits = [{"n": 1, "at": "2026-01-01T00:00:00Z", "type": "rename", "theme": "forces-03", "label": "Corrigé à la main"}]
    (tmp_path / CORRECTIONS_FILE).write_text(format_corrections(edits), encoding="utf-8")
    session = ReviewServer(tmp_path)
    try:
        assert session.writer.wait(timeout=120)
        assert "Corrigé à la main" in (tmp_path / "compte-rendu.md").read_text(encoding="utf-8")
    finally:
        session.close()
