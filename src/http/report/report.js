// The report page: a tertial report's tables for a unit, year and span, as of an instant,
// from the API. `/report?unit=HSN&year=2025&from=1&to=4[&as_of=…]`. Sections in the
// report's order; each section that fails or lacks data says so and the others still render.

import { listAll, setToken } from "./api.js";
import { coverage, el } from "./dom.js";
import { economy } from "./economy.js";
import { goals } from "./goals.js";
import { DASH, spanText } from "./format.js";
import { staff } from "./staff.js";

const $ = (id) => document.getElementById(id);

// The kind of report a span is, by the region's calendar.
function reportKind(from, to) {
  if (from === 1 && to === 4) return "Tertialrapport";
  if (from === 1 && to === 8) return "Delårsrapport";
  if (from === 1 && to === 12) return "Årsredovisning";
  return "Uppföljning";
}

// `as_of` as an RFC 3339 instant; a bare date means the end of that day (UTC).
function asOfParam(text) {
  if (!text) return "";
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T23:59:59.999Z` : text;
}

// The request parameters, checked: { unit, year, from, to, asOf } or throws naming the field.
function parameters(search) {
  const unit = (search.get("unit") || "").trim();
  const number = (name, fallback, min, max) => {
    const raw = search.get(name);
    const value = raw === null || raw === "" ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${name}: must be a whole number ${min}–${max}, not ${JSON.stringify(raw)}`);
    }
    return value;
  };
  if (!unit) throw new Error("unit: give a unit code, e.g. ?unit=HSN&year=2025&from=1&to=4");
  const year = number("year", NaN, 1900, 2100);
  const from = number("from", 1, 1, 12);
  const to = number("to", 12, 1, 12);
  if (from > to) throw new Error(`from (${from}) must not be after to (${to})`);
  return { unit, year, from, to, asOf: asOfParam((search.get("as_of") || "").trim()) };
}

function fillForm(search) {
  for (const name of ["unit", "year", "from", "to", "as_of"]) {
    if (search.get(name)) $(`q-${name}`).value = search.get(name);
  }
}

function coverageList() {
  const shown = coverage.filter((c) => c.shown);
  const missing = coverage.filter((c) => !c.shown);
  const list = el("div", { id: "coverage", "data-shown": shown.length, "data-missing": missing.length });
  list.append(el("h2", {}, "Innehåll"));
  const sections = [...new Set(coverage.map((c) => c.section))];
  list.append(el("ol", {}, sections.map((s) => el("li", {}, s, el("span", { className: "count" },
    ` ${DASH} ${coverage.filter((c) => c.section === s && c.shown).length} av ${coverage.filter((c) => c.section === s).length} tabeller`)))));
  if (missing.length) {
    list.append(el("p", { className: "missing-summary" }, `Saknas i data för perioden (${missing.length}): `,
      missing.map((c) => `${c.section}: ${c.title}`).join("; "), "."));
  } else {
    list.append(el("p", {}, "Alla rapportens tabeller har data för perioden."));
  }
  return list;
}

async function render() {
  const search = new URLSearchParams(location.search);
  fillForm(search);
  // A token handed over in the fragment (`uppsikt report --token`), which no server sees.
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("token")) {
    sessionStorage.setItem("uppsikt-token", fragment.get("token"));
    history.replaceState(null, "", location.pathname + location.search);
  }
  setToken(sessionStorage.getItem("uppsikt-token") || "");
  let p;
  try {
    p = parameters(search);
  } catch (error) {
    $("status").textContent = error.message;
    $("status").className = "error";
    document.body.dataset.ready = "error";
    return;
  }
  const structureDate = new Date(Date.UTC(p.year, p.to, 0)).toISOString().slice(0, 10);
  const orgUnit = `orgUnits/${p.unit}`;
  $("status").textContent = "Hämtar …";
  const units = await listAll("OrganizationService", "ListOrgUnits",
    { structure_date: structureDate, as_of: p.asOf }, "orgUnits").catch((error) => error);
  if (units instanceof Error) {
    $("status").textContent = units.message;
    $("status").className = "error";
    document.body.dataset.ready = "error";
    return;
  }
  const names = new Map(units.map((u) => [u.name, u.displayName || u.code]));
  if (!names.has(orgUnit)) {
    $("status").textContent = `unit: ${p.unit} finns inte i organisationen per ${structureDate}.`;
    $("status").className = "error";
    document.body.dataset.ready = "error";
    return;
  }
  const ctx = {
    ...p, orgUnit, structureDate, unitName: names.get(orgUnit),
    spanText: spanText(p.year, p.from, p.to),
    unitLabel: (name) => names.get(name) || name.replace(/^orgUnits\//, ""),
  };
  const kind = reportKind(p.from, p.to);
  const title = `${kind} ${ctx.spanText}`;
  document.title = `${ctx.unitName}: ${title}`;
  $("title").textContent = ctx.unitName;
  $("subtitle").textContent = title;
  $("meta").textContent = [
    `Enhet ${p.unit} med underliggande enheter enligt organisationen per ${structureDate}.`,
    p.asOf ? `Data som den stod ${p.asOf}.` : `Data som den står nu (${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC).`,
    "Belopp i tkr om inget annat anges.",
  ].join(" ");

  const report = $("report");
  const builders = [["Måluppfyllelse", goals], ["Ekonomi", economy], ["Personal", staff]];
  const parts = await Promise.all(builders.map(async ([name, build], i) => {
    try {
      return await build(ctx, i + 1);
    } catch (error) {
      coverage.push({ section: name, title: name, key: name, shown: false, missing: error.message });
      return el("section", { className: "part", "data-section": name },
        el("h2", {}, `${i + 1} ${name}`), el("p", { className: "missing error" }, `Kunde inte hämtas: ${error.message}`));
    }
  }));
  report.append(coverageList(), ...parts.map((part) => part.root || part));
  $("status").textContent = "";
  document.body.dataset.ready = "true";
}

$("query").addEventListener("submit", (event) => {
  const token = $("q-token").value.trim();
  if (token) sessionStorage.setItem("uppsikt-token", token);
  else sessionStorage.removeItem("uppsikt-token");
  // The form submits by GET to /report with its fields as the URL parameters.
  for (const input of event.target.querySelectorAll("input, select")) {
    if (!input.value || input.id === "q-token") input.disabled = true;
  }
});
$("print").addEventListener("click", () => window.print());
render().catch((error) => {
  $("status").textContent = error.message;
  $("status").className = "error";
  document.body.dataset.ready = "error";
});
