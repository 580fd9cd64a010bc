// synth review: the page. Every text from the cards is set with textContent (never innerHTML),
// and every change is sent as one edit; the server appends it to corrections.json and re-renders.
"use strict";

const TOKEN = document.querySelector('meta[name="synth-token"]').content;
const ISOLATED = "isolees";
let state = null;
let busy = false;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function plural(n, one, many) {
  return `${n} ${n > 1 ? (many || one + "s") : one}`;
}

function setStatus(text, isError = false) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { "Content-Type": "application/json", "X-Synth-Token": TOKEN },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || `erreur ${response.status}`);
  return data;
}

async function send(edits, path = "/api/edits") {
  if (busy) return;
  busy = true;
  setStatus("Enregistrement…");
  const started = performance.now();
  try {
    let data = null;
    for (const edit of edits) data = await call("POST", path, edit);
    if (data) show(data, started);
  } catch (error) {
    setStatus(error.message, true);
  } finally {
    busy = false;
  }
}

// The server writes the reports in the background: ask until they hold the last change.
let polling = null;
function followRendering(started) {
  clearTimeout(polling);
  const what = state.saved ? `Enregistré : ${state.saved}. ` : "";
  const check = async () => {
    try {
      const status = await call("GET", "/api/status");
      if (status.rendering) {
        setStatus(`${what}Réécriture des comptes rendus…`);
        polling = setTimeout(check, 300);
        return;
      }
      if (status.render_error) return setStatus(`${what}${status.render_error}`, true);
      const seconds = ((performance.now() - started) / 1000).toFixed(2).replace(".", ",");
      setStatus(`${what}Comptes rendus à jour en ${seconds} s.`);
      document.getElementById("status").title = `Réécrits dans ${state.folder} : ${status.rendered.join(", ")}`;
    } catch (error) {
      setStatus(error.message, true);
    }
  };
  check();
}

function show(data, started) {
  state = data;
  render();
  followRendering(started || performance.now());
  document.getElementById("undo").disabled = !data.last_change;
  document.getElementById("undo").title = data.last_change ? `Annuler : ${data.last_change}` : "Rien à annuler";
}

function render() {
  document.getElementById("title").textContent = `Relecture — ${state.title}`;
  const problems = document.getElementById("problems");
  problems.replaceChildren(...state.problems.map((p) => el("li", { text: p })));
  problems.hidden = state.problems.length === 0;
  document.getElementById("nav").replaceChildren(
    ...state.categories.map((c) => el("a", { href: `#cat-${c.category}`, text: c.title })));
  document.getElementById("categories").replaceChildren(...state.categories.map(renderCategory));
}

function renderCategory(category) {
  return el("section", { id: `cat-${category.category}`, class: "category" },
    el("h2", { text: category.title }),
    ...category.themes.map((theme) => renderTheme(theme, category)));
}

function themeTitle(theme) {
  return theme.rank ? `${theme.rank}. ${theme.label}` : theme.label;
}

function renderTheme(theme, category) {
  const others = category.themes.filter((t) => t.id !== theme.id);
  const classes = ["theme", theme.hidden && "hidden-theme", theme.isolated && "isolated"].filter(Boolean).join(" ");
  const section = el("section", { class: classes, "data-theme-id": theme.id, "aria-label": themeTitle(theme) });
  section.addEventListener("dragover", (event) => { event.preventDefault(); section.classList.add("drop-target"); });
  section.addEventListener("dragleave", () => section.classList.remove("drop-target"));
  section.addEventListener("drop", (event) => {
    event.preventDefault();
    section.classList.remove("drop-target");
    const dragged = JSON.parse(event.dataTransfer.getData("application/x-synth-card") || "null");
    if (dragged && dragged.theme !== theme.id) {
      send([{ type: "move", card: dragged.card, unit: dragged.unit, to: theme.isolated ? ISOLATED : theme.id }]);
    }
  });

  const label = el("input", { class: "label", value: theme.label, "aria-label": "Nom du thème", disabled: theme.isolated });
  label.addEventListener("change", () => {
    const value = label.value.trim();
    if (value && value !== theme.label) send([{ type: "rename", theme: theme.id, label: value }]);
  });
  label.addEventListener("keydown", (event) => { if (event.key === "Enter") label.blur(); });
  const head = el("div", { class: "theme-head" },
    el("span", { class: "rank", text: theme.rank ? `${theme.rank}.` : "" }), label,
    theme.corrected ? el("span", { class: "badge", text: "corrigé" }) : null,
    theme.hidden ? el("span", { class: "badge", text: "masqué" }) : null,
    theme.pinned ? el("span", { class: "badge", text: `rang épinglé : ${theme.pinned}` }) : null);

  const facts = [plural(theme.n_cards, category.item), `${plural(theme.n_groups, category.who)} sur ${category.n_who}`];
  if (theme.votes) facts.push(plural(theme.votes, "gommette"));
  if (theme.groups.length) facts.push(theme.groups.join(", "));
  section.append(head, el("p", { class: "facts", text: facts.join(" · ") }));
  if (!theme.isolated) section.append(themeTools(theme, others), noteEditor(theme), quotesList(theme));
  section.append(cardsList(theme, others));
  return section;
}

function options(themes, withIsolated, chooseText) {
  const list = [el("option", { value: "", text: chooseText })];
  for (const t of themes) if (!t.isolated) list.push(el("option", { value: t.id, text: themeTitle(t) }));
  if (withIsolated) list.push(el("option", { value: ISOLATED, text: "Idées isolées" }));
  return list;
}

function themeTools(theme, others) {
  const mergeTarget = el("select", { class: "merge-target", "aria-label": "Thème à fusionner dans celui-ci" },
    ...options(others, false, "Fusionner avec…"));
  const merge = el("button", { type: "button", class: "merge", text: "Fusionner ici", onclick: () => {
    if (mergeTarget.value) send([{ type: "merge", into: theme.id, themes: [mergeTarget.value] }]);
  } });
  const hide = el("button", { type: "button", class: "hide", text: theme.hidden ? "Réafficher" : "Masquer",
    onclick: () => send([{ type: "hide", theme: theme.id, hidden: !theme.hidden }]) });
  const rank = el("input", { type: "number", min: 1, class: "pin-rank", "aria-label": "Rang à épingler",
    value: theme.pinned || "" });
  const pin = el("button", { type: "button", class: "pin", text: "Épingler le rang", onclick: () => {
    const value = parseInt(rank.value, 10);
    send([{ type: "pin", theme: theme.id, rank: Number.isFinite(value) && value > 0 ? value : null }]);
  } });
  return el("div", { class: "tools" }, mergeTarget, merge, hide, rank, pin);
}

function noteEditor(theme) {
  const note = el("textarea", { class: "note", "aria-label": "Note de l'éditeur", placeholder: "Note de l'éditeur (imprimée sous le thème)" });
  note.value = theme.note;
  const save = el("button", { type: "button", class: "save-note small", text: "Enregistrer la note",
    onclick: () => { if (note.value.trim() !== theme.note) send([{ type: "note", theme: theme.id, text: note.value }]); } });
  return el("details", { open: theme.note ? true : null }, el("summary", { text: "Note de l'éditeur" }), note, save);
}

function quotesList(theme) {
  const ids = theme.quotes.map((q) => q.card_id);
  const setQuotes = (cards) => send([{ type: "quotes", theme: theme.id, cards }]);
  const items = theme.quotes.map((quote, i) => el("li", {},
    el("span", { text: `« ${quote.text} » (${quote.group}) ` }),
    i > 0 ? el("button", { type: "button", class: "up small", "aria-label": "Monter la citation", text: "↑",
      onclick: () => { const c = ids.slice(); [c[i - 1], c[i]] = [c[i], c[i - 1]]; setQuotes(c); } }) : null,
    el("button", { type: "button", class: "unquote small", "aria-label": "Retirer la citation", text: "✕",
      onclick: () => setQuotes(ids.filter((id) => id !== quote.card_id)) })));
  return el("div", {}, el("strong", { text: "Citations" }), el("ol", { class: "quotes" }, ...items));
}

function cardsList(theme, others) {
  const quoted = new Set(theme.quotes.map((q) => q.card_id));
  const cards = theme.units.map((unit) => {
    const item = el("li", { class: quoted.has(unit.card_id) ? "card quoted" : "card", draggable: "true",
      "data-card-id": unit.card_id, "data-unit-id": unit.unit_id });
    item.addEventListener("dragstart", (event) => {
      event.dataTransfer.setData("application/x-synth-card",
        JSON.stringify({ card: unit.card_id, unit: unit.unit_id, theme: theme.id }));
    });
    const box = el("input", { type: "checkbox", class: "select", "aria-label": `Sélectionner la carte ${unit.card_id}` });
    item.append(box, el("span", { class: "text", text: unit.text }), el("span", { class: "group", text: unit.group }));
    if (!theme.isolated) {
      const ids = theme.quotes.map((q) => q.card_id);
      item.append(el("button", { type: "button", class: "quote small", text: quoted.has(unit.card_id) ? "★" : "☆",
        "aria-label": quoted.has(unit.card_id) ? "Ne plus citer cette carte" : "Citer cette carte",
        onclick: () => send([{ type: "quotes", theme: theme.id,
          cards: quoted.has(unit.card_id) ? ids.filter((id) => id !== unit.card_id) : ids.concat([unit.card_id]) }]) }));
    }
    return item;
  });
  const list = el("ul", { class: "cards" }, ...cards);
  const selected = () => [...list.querySelectorAll("li.card")].filter((li) => li.querySelector(".select").checked);
  const moveTarget = el("select", { class: "move-target", "aria-label": "Déplacer la sélection vers" },
    ...options(others, !theme.isolated, "Déplacer la sélection vers…"));
  const move = el("button", { type: "button", class: "move", text: "Déplacer", onclick: () => {
    const chosen = selected();
    if (!moveTarget.value || !chosen.length) return setStatus("Cochez des cartes et choisissez un thème.", true);
    send(chosen.map((li) => ({ type: "move", card: li.dataset.cardId, unit: li.dataset.unitId, to: moveTarget.value })));
  } });
  const tools = el("div", { class: "tools" }, moveTarget, move);
  if (!theme.isolated) {
    const splitLabel = el("input", { class: "split-label", "aria-label": "Nom du nouveau thème", placeholder: "Nom du nouveau thème" });
    const split = el("button", { type: "button", class: "split", text: "Nouveau thème avec la sélection", onclick: () => {
      const chosen = selected();
      const name = splitLabel.value.trim();
      if (!chosen.length || !name) return setStatus("Cochez des cartes et donnez un nom au nouveau thème.", true);
      send([{ type: "split", theme: theme.id, cards: [...new Set(chosen.map((li) => li.dataset.cardId))], label: name }]);
    } });
    tools.append(splitLabel, split);
  }
  return el("details", { open: true }, el("summary", { text: `Cartes (${theme.units.length})` }), list, tools);
}

document.getElementById("undo").addEventListener("click", () => send([{}], "/api/undo"));
call("GET", "/api/state").then((data) => show(data, null)).catch((error) => setStatus(error.message, true));
