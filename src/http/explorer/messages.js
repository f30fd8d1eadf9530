// The explorer's words and numbers: Swedish number formats as the reports print them, month
// spans, and plain Swedish for what the API answers in codes (errors, spans the data does
// not cover).
"use strict";

const MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
const THIN_SPACE = "\u2009";
const MINUS = "\u2212";

// The figures of a span, with their Swedish names.
const FIGURE_NAMES = {
  actualSek: "utfall",
  budgetSek: "budget",
  priorYearActualSek: "föregående års utfall",
};
// The API's names in `uncovered` for the same figures.
const UNCOVERED_FIGURES = { actual: "actualSek", budget: "budgetSek", prior_year_actual: "priorYearActualSek" };

// Kronor as thousand kronor the way the reports print them: rounded half away from zero,
// thin spaces between thousands, a real minus sign.
function tkr(sek) {
  if (sek === undefined || sek === null || sek === "") return "";
  const value = Number(sek);
  const rounded = Math.sign(value) * Math.round(Math.abs(value) / 1000);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, THIN_SPACE);
  return (rounded < 0 ? MINUS : "") + digits;
}

function percent(text) {
  if (!text) return "";
  return text.replace("-", MINUS).replace(".", ",") + " %";
}

// Months 1–12 as "jan–apr"; several runs as "jan–feb, apr".
function monthRuns(months) {
  const sorted = [...new Set(months)].sort((a, b) => a - b);
  const runs = [];
  for (const m of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[1] === m - 1) last[1] = m;
    else runs.push([m, m]);
  }
  return runs
    .map(([a, b]) => (a === b ? MONTHS[a - 1] : `${MONTHS[a - 1]}–${MONTHS[b - 1]}`))
    .join(", ");
}

function spanText(from, to) {
  return from === to ? MONTHS[from - 1] : `${MONTHS[from - 1]}–${MONTHS[to - 1]}`;
}

// An API error in plain Swedish, with what the server said kept for the curious.
class ExplorerError extends Error {
  constructor(text, detail) {
    super(text);
    this.detail = detail || "";
  }
}

const FIELD_NAMES = {
  org_unit: "Välj en enhet.",
  fiscal_year: "Ange ett giltigt år.",
  from_month: "Välj en giltig period: från-månaden får inte vara efter till-månaden.",
  to_month: "Välj en giltig period: från-månaden får inte vara efter till-månaden.",
};

// `body` is a Connect error object; `what` names the unit asked about.
function swedishError(status, body, what) {
  const code = body.code || "";
  const details = body.details || [];
  const violations = details.flatMap((d) => (d.debug && d.debug.fieldViolations) || []);
  const info = details.map((d) => d.debug || {}).find((d) => d.reason) || {};
  const detail = `${code || status}: ${body.message || ""}`.trim();
  switch (code) {
    case "invalid_argument": {
      const texts = [...new Set(violations.map((v) => FIELD_NAMES[v.field] ||
        `Uppgiften ${v.field} är ogiltig.`))];
      return new ExplorerError(texts.join(" ") || "Frågan är ogiltig.", detail);
    }
    case "not_found":
      return new ExplorerError(`Enheten ${what} finns inte.`, detail);
    case "permission_denied":
      return new ExplorerError(info.reason === "OUTSIDE_SCOPE"
        ? `Enheten ${what} finns inte eller ligger utanför din behörighet.`
        : "Din token ger inte behörighet att läsa detta.", detail);
    case "unauthenticated":
      return new ExplorerError("Servern kräver inloggning: ange en giltig token.", detail);
    case "resource_exhausted":
      return new ExplorerError("Servern har för många frågor just nu. Försök igen om en stund.", detail);
    case "unavailable":
    case "deadline_exceeded":
      return new ExplorerError("Servern svarar inte just nu. Försök igen om en stund.", detail);
    default:
      return new ExplorerError("Något gick fel när uppgifterna hämtades.", detail);
  }
}

// What a figure covers, as a sentence part: "utfall bara för jan–apr 2025".
function partialText(figure, months, year) {
  const shownYear = figure === "priorYearActualSek" ? year - 1 : year;
  return `${FIGURE_NAMES[figure]} bara för ${monthRuns(months)} ${shownYear}`;
}
