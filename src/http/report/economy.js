// Ekonomi: income and costs per category against budget and the year before with the
// totals rows and a chart; the full-year forecast and its deviation; the result per child
// unit; investments per child unit and funding, and new against reinvestment.

import { call, listAll } from "./api.js";
import { barChart, COLORS } from "./charts.js";
import { block, el, section, sourcesOf } from "./dom.js";
import { count, mkr, percent, present, tkr } from "./format.js";

const SPAN_FIGURES = ["actualSek", "budgetSek", "priorYearActualSek"];
const hasSpanFigure = (f) => f && SPAN_FIGURES.some((k) => present(f[k]));
const FUNDING = {
  FUNDING_CATEGORY_FRAME: "Årets beslutade investeringar (investeringsramen)",
  FUNDING_CATEGORY_UNFORESEEN: "Beviljat ur potten för oförutsedda investeringar",
  FUNDING_CATEGORY_EXTRA: "Extra medel",
  FUNDING_CATEGORY_CARRIED_OVER: "Överförda från föregående år",
  FUNDING_CATEGORY_OUTSIDE_FRAME: "Övriga investeringar utanför beslutad ram",
};
const KIND = { INVESTMENT_KIND_NEW: "Nyinvesteringar", INVESTMENT_KIND_REINVESTMENT: "Reinvesteringar" };

const STATEMENT_COLUMNS = [
  { label: "i tkr" }, { label: "Utfall", numeric: true }, { label: "Budget", numeric: true },
  { label: "Avvikelse", numeric: true, deviation: true }, { label: "Utfall fg år", numeric: true },
  { label: "Förändring", numeric: true }, { label: "Förändring %", numeric: true },
];
const STATEMENT_FIELDS = ["actualSek", "budgetSek", "deviationSek", "priorYearActualSek", "changeSek"];

function statementRow(key, label, f = {}, className) {
  const raw = [label, ...STATEMENT_FIELDS.map((k) => f[k]), f.changePercent];
  return {
    key, className, raw,
    cells: [label, ...STATEMENT_FIELDS.map((k) => tkr(f[k])), percent(f.changePercent, 2)],
  };
}

export async function economy(ctx, number) {
  const part = section("ekonomi", number, "Ekonomi");
  const base = { org_unit: ctx.orgUnit, structure_date: ctx.structureDate, as_of: ctx.asOf };
  const spanRequest = { ...base, fiscal_year: ctx.year, from_month: ctx.from, to_month: ctx.to };
  const byUnitRequest = { ...spanRequest, group_by: "SUMMARY_GROUPING_CHILD_UNIT" };
  const unitFunding = { ...spanRequest, group_by: ["INVESTMENT_DIMENSION_CHILD_UNIT", "INVESTMENT_DIMENSION_FUNDING"] };
  const byKind = { ...spanRequest, group_by: ["INVESTMENT_DIMENSION_KIND"] };
  const [summary, byUnit, investments, kinds, categories] = await Promise.all([
    call("BudgetService", "SummarizeBudget", spanRequest),
    call("BudgetService", "SummarizeBudget", byUnitRequest),
    call("InvestmentService", "SummarizeInvestments", unitFunding),
    call("InvestmentService", "SummarizeInvestments", byKind),
    listAll("BudgetService", "ListCategories", { as_of: ctx.asOf }, "categories"),
  ]);
  const categoryNames = new Map(categories.map((c) => [c.name, c.displayName]));
  const budgetRead = [{ service: "BudgetService", method: "SummarizeBudget", request: spanRequest }];
  const rows = (summary.groups && summary.groups[0] && summary.groups[0].categories) || [];

  // Intäkter och kostnader.
  const statement = rows.filter((c) => c.direction !== "DIRECTION_NET" && hasSpanFigure(c.figures));
  const income = statement.filter((c) => c.direction === "DIRECTION_INCOME");
  const costs = statement.filter((c) => c.direction === "DIRECTION_COST");
  const totals = summary.totals || {};
  const line = (c) => ({ ...statementRow(c.category, c.displayName, c.figures, c.parent ? "sub" : ""), });
  const inexact = (summary.inexactSpans || []).filter((s) => s.affectsTotals);
  const topLevel = statement.filter((c) => !c.parent);
  block(part, {
    key: "income-statement",
    title: "Intäkter och kostnader",
    unit: "tkr",
    missing: statement.length ? "" :
      `inga utfalls-, budget- eller jämförelserader för intäkter och kostnader ${ctx.spanText} är inlästa för ${ctx.unitName}.`,
    table: {
      columns: STATEMENT_COLUMNS,
      rows: [
        ...income.map(line),
        statementRow("income", "Summa intäkter", totals.income, "total"),
        ...costs.map(line),
        statementRow("gross_cost", "Summa bruttokostnader", totals.grossCost, "total"),
        statementRow("net_cost", "Summa verksamhetens nettokostnader", totals.netCost, "total grand"),
      ],
    },
    chart: el("figure", { className: "chart-figure", "data-chart": "actual-budget" },
      barChart("Utfall mot budget per kategori", topLevel.map((c) => ({
        label: c.displayName, values: [c.figures.actualSek, c.figures.budgetSek],
      })), [{ name: "Utfall", color: COLORS[0] }, { name: "Budget", color: COLORS[1] }]),
      el("figcaption", {}, `Utfall mot budget per kategori, ${ctx.spanText}, tkr.`)),
    note: [
      "Avvikelse = utfall − budget (positivt är bättre än budget); förändring = utfall − föregående års utfall; förändring % mot föregående års belopp med tecken.",
      summary.exact ? "" : ` Obs: de lagrade perioderna svarar inte exakt på ${ctx.spanText}` +
        (inexact.length ? ` (${inexact.length} rad(er) täcker andra månader och är utelämnade).` : "."),
    ].join(""),
    reads: budgetRead,
    sources: sourcesOf(summary, "budget_line"),
  });

  // The full-year forecast: categories with a forecast beside the full-year budget, and the
  // forecast-only rows (such as the deviation by cause) under their parent's name.
  const withBudget = rows.filter((c) => present(c.figures && c.figures.forecastSek) && present(c.figures.fullYearBudgetSek));
  const forecastOnly = rows.filter((c) => present(c.figures && c.figures.forecastSek) && !present(c.figures.fullYearBudgetSek));
  const mkrRow = (key, label, values, className) => ({
    key, className, raw: [label, ...values], cells: [label, ...values.map(mkr)],
  });
  block(part, {
    key: "forecast",
    title: `Prognos helår ${ctx.year}`,
    unit: "mkr",
    missing: withBudget.length || forecastOnly.length ? "" :
      `ingen helårsprognos för ${ctx.year} är inläst för ${ctx.unitName} (budgetrader med scenario prognos).`,
    table: withBudget.length ? {
      columns: [{ label: "i mkr" }, { label: "Prognos helår", numeric: true }, { label: "Budget helår", numeric: true },
        { label: "Prognosavvikelse", numeric: true, deviation: true }],
      rows: withBudget.map((c) => mkrRow(`forecast:${c.category}`, c.displayName,
        [c.figures.forecastSek, c.figures.fullYearBudgetSek, c.figures.forecastDeviationSek])),
    } : null,
    reads: budgetRead,
    sources: sourcesOf(summary, "budget_line"),
  });
  for (const parent of [...new Set(forecastOnly.map((c) => c.parent || ""))]) {
    const children = forecastOnly.filter((c) => (c.parent || "") === parent);
    block(part, {
      key: `forecast-causes:${parent}`,
      title: parent ? categoryNames.get(parent) || parent : "Prognos",
      unit: "mkr",
      table: {
        columns: [{ label: "i mkr" }, { label: `Helår ${ctx.year}`, numeric: true, deviation: true }],
        rows: children.map((c) => mkrRow(`forecast:${c.category}`, c.displayName, [c.figures.forecastSek])),
      },
      reads: budgetRead,
      sources: sourcesOf(summary, "budget_line"),
    });
  }

  // Net items reported beside the statement (e.g. the political budget).
  const net = rows.filter((c) => c.direction === "DIRECTION_NET" && hasSpanFigure(c.figures));
  if (net.length) {
    block(part, {
      key: "net-items",
      title: "Övriga poster (netto)",
      unit: "tkr",
      table: { columns: STATEMENT_COLUMNS, rows: net.map(line) },
      reads: budgetRead,
      sources: sourcesOf(summary, "budget_line"),
    });
  }

  // The result per child unit.
  const groups = (byUnit.groups || []).filter((g) => hasSpanFigure(g.totals && g.totals.netCost));
  const unitColumns = [{ label: "Enhet" }, { label: "Intäkter", numeric: true }, { label: "Bruttokostnader", numeric: true },
    { label: "Nettokostnad", numeric: true }, { label: "Budget", numeric: true }, { label: "Avvikelse", numeric: true, deviation: true },
    { label: "Utfall fg år", numeric: true }, { label: "Förändring", numeric: true }];
  const unitRow = (key, label, t = {}, className) => {
    const n = t.netCost || {};
    const values = [(t.income || {}).actualSek, (t.grossCost || {}).actualSek, n.actualSek, n.budgetSek,
      n.deviationSek, n.priorYearActualSek, n.changeSek];
    return { key, className, raw: [label, ...values], cells: [label, ...values.map(tkr)] };
  };
  const onlyOwn = groups.length === 1 && groups[0].orgUnit === ctx.orgUnit;
  block(part, {
    key: "result-per-unit",
    title: "Resultat per enhet",
    unit: "tkr",
    missing: groups.length ? "" : `inga rader per underliggande enhet ${ctx.spanText} är inlästa för ${ctx.unitName}.`,
    table: {
      columns: unitColumns,
      rows: [
        ...groups.map((g) => unitRow(`unit:${g.orgUnit}`,
          ctx.unitLabel(g.orgUnit) + (g.orgUnit === ctx.orgUnit ? " (bokfört direkt)" : ""), g.totals)),
        unitRow("result-total", "Totalt", byUnit.totals, "total"),
      ],
    },
    note: onlyOwn ? `Alla rader ${ctx.spanText} är bokförda direkt på ${ctx.unitName}; ingen underliggande enhet har egna rader.` : "",
    reads: [{ service: "BudgetService", method: "SummarizeBudget", request: byUnitRequest }],
    sources: sourcesOf(byUnit, "budget_line"),
  });

  // Investments per child unit × funding, with the sums per funding and in total.
  const cells = (s = {}) => [tkr(s.outcomeSek), tkr(s.budgetSek), count(s.objectCount || 0)];
  const investmentColumns = [{ label: "Finansiering och enhet" }, { label: `Utfall ${ctx.spanText}`, numeric: true },
    { label: `Budget ${ctx.year}`, numeric: true }, { label: "Antal objekt", numeric: true }];
  const investmentRows = [];
  for (const funding of investments.byFunding || []) {
    investmentRows.push({ key: `funding:${funding.funding}`, className: "group-head", span: FUNDING[funding.funding] || funding.funding });
    for (const g of (investments.groups || []).filter((x) => x.funding === funding.funding)) {
      investmentRows.push({ key: `investment:${g.orgUnit}:${g.funding}`, className: "sub", cells: [ctx.unitLabel(g.orgUnit), ...cells(g.sums)] });
    }
    investmentRows.push({ key: `funding-total:${funding.funding}`, className: "subtotal", cells: [`Summa ${(FUNDING[funding.funding] || "").toLowerCase()}`, ...cells(funding.sums)] });
  }
  investmentRows.push({ key: "investments-total", className: "total", cells: ["Totalt", ...cells(investments.totals)] });
  const hasInvestments = (investments.totals && investments.totals.objectCount) > 0;
  block(part, {
    key: "investments",
    title: "Investeringar per enhet och finansiering",
    unit: "tkr",
    missing: hasInvestments ? "" : `inga investeringsobjekt med belopp för ${ctx.spanText} är inlästa för ${ctx.unitName}.`,
    table: { columns: investmentColumns, rows: investmentRows },
    note: "Budgeten är den som redovisas med periodens utfall, vanligen helårets.",
    reads: [{ service: "InvestmentService", method: "SummarizeInvestments", request: unitFunding }],
    sources: sourcesOf(investments),
  });
  block(part, {
    key: "investment-kinds",
    title: "Ny- och reinvesteringar",
    unit: "tkr",
    missing: hasInvestments ? "" : `inga investeringsobjekt med belopp för ${ctx.spanText} är inlästa för ${ctx.unitName}.`,
    table: {
      columns: [{ label: "Slag" }, ...investmentColumns.slice(1)],
      rows: [
        ...(kinds.groups || []).map((g) => ({ key: `kind:${g.kind}`, cells: [KIND[g.kind] || g.kind, ...cells(g.sums)] })),
        { key: "kinds-total", className: "total", cells: ["Totalt", ...cells(kinds.totals)] },
      ],
    },
    reads: [{ service: "InvestmentService", method: "SummarizeInvestments", request: byKind }],
    sources: sourcesOf(kinds),
  });
  return part;
}
