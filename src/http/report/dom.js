// Building blocks of the report: sections, tables with their downloads and provenance, and
// the note a table shows instead of itself when its data is missing. Every table and note is
// recorded in `coverage`, which the page's summary lists.

import { download, getUrl } from "./api.js";
import { negative } from "./format.js";

// Every table of the report: { section, title, key, shown, missing }.
export const coverage = [];

export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") element.className = value;
    else if (name.startsWith("data-")) element.setAttribute(name, value);
    else element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

// A report section (Måluppfyllelse, Ekonomi, Personal): its element and a way to add blocks.
export function section(id, number, title) {
  const root = el("section", { className: "part", id, "data-section": id },
    el("h2", {}, `${number} ${title}`));
  return { id, title, root };
}

// A table block: heading, the table (or the note saying what is missing), downloads and
// provenance. `table` is { columns, rows, note } or null when the data is missing.
export function block(part, spec) {
  const { key, title, unit, table, missing, reads = [], sources = [], chart, note } = spec;
  const root = el("div", { className: "block", "data-block": key });
  root.append(el("h3", {}, title, unit ? el("span", { className: "unit" }, ` (${unit})`) : ""));
  const shown = Boolean(table) && !missing;
  if (shown) {
    root.append(renderTable(key, table));
    if (chart) root.append(chart);
    if (note) root.append(el("p", { className: "note" }, note));
  } else {
    root.append(el("p", { className: "missing", "data-missing": key }, "Uppgift saknas: ", missing));
  }
  if (reads.length) root.append(downloads(key, reads));
  if (shown && sources.length) root.append(provenance(sources));
  coverage.push({ section: part.title, title, key, shown, missing });
  part.root.append(root);
  return root;
}

// columns: [{ label, numeric, deviation }] (a negative deviation is marked); rows: [{ cells:
// [text], raw: [value], key, className }] or [{ span: text, key, className }] (one cell).
function renderTable(key, { columns, rows, groups }) {
  const head = el("thead", {}, (groups ? [groupRow(groups)] : []),
    el("tr", {}, columns.map((c) => el("th", { className: c.numeric ? "n" : "", scope: "col" }, c.label))));
  const body = el("tbody");
  for (const row of rows) {
    const tr = el("tr", { className: row.className, "data-row": row.key });
    if (row.span) {
      tr.append(el("td", { colspan: columns.length }, row.span));
    } else {
      row.cells.forEach((text, i) => {
        const numeric = columns[i] && columns[i].numeric;
        const mark = columns[i] && columns[i].deviation && negative(row.raw && row.raw[i]);
        const classes = [numeric ? "n" : "", mark ? "neg" : ""];
        tr.append(el("td", { className: classes.filter(Boolean).join(" ") }, text));
      });
    }
    body.append(tr);
  }
  return el("table", { "data-table": key, className: columns.length <= 4 ? "narrow" : "" }, head, body);
}

function groupRow(groups) {
  return el("tr", { className: "groups" }, groups.map((g) =>
    el("th", { colspan: g.span, className: g.label ? "group" : "" }, g.label || "")));
}

// CSV and XLSX links for each read that fills the table (`reads`: [{ label, service, method,
// request }]).
function downloads(key, reads) {
  const p = el("p", { className: "downloads" }, "Ladda ned: ");
  reads.forEach((read, i) => {
    if (i) p.append(" · ");
    if (read.label) p.append(`${read.label} `);
    ["csv", "xlsx"].forEach((format, j) => {
      if (j) p.append(" ");
      const link = el("a", {
        href: getUrl(read.service, read.method, read.request, format),
        "data-filename": `${key}-${read.method}.${format}`,
        "data-format": format,
      }, format.toUpperCase());
      link.addEventListener("click", download);
      p.append(link);
    });
  });
  return p;
}

// "Källor: hsn-tertial-april-2025, tabell "Intäkter och kostnader" (import 2); …" from
// [{ document, table, import }].
export function provenance(sources) {
  const byOrigin = new Map();
  for (const s of sources) {
    const origin = s.table ? `${s.document}, tabell ”${s.table}”` : s.document;
    if (!byOrigin.has(origin)) byOrigin.set(origin, new Set());
    byOrigin.get(origin).add((s.import || "").replace(/^imports\//, ""));
  }
  const parts = [...byOrigin].map(([origin, imports]) =>
    `${origin} (import ${[...imports].sort((a, b) => a - b).join(", ")})`);
  return el("p", { className: "provenance" }, `Källor: ${parts.join("; ")}.`);
}

// The sources of one or more kinds of rows, from a Summarize response's `sources`.
export function sourcesOf(response, ...kinds) {
  return ((response && response.sources) || []).filter((s) => !kinds.length || kinds.includes(s.kind));
}
