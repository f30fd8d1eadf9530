// Måluppfyllelse: the counts of indicators met, not met and without outcome per goal area;
// the indicators per goal area with target, outcome, the prior year's outcome and status;
// the assignments with their comments.

import { call, listAll } from "./api.js";
import { block, section } from "./dom.js";
import { count, decimal, DASH } from "./format.js";

const STATUS = {
  INDICATOR_STATUS_MET: "Uppfyllt",
  INDICATOR_STATUS_NOT_MET: "Ej uppfyllt",
  INDICATOR_STATUS_NOT_COMPARABLE: "Ej jämförbart",
  INDICATOR_STATUS_NO_OUTCOME_YET: "Utfall saknas",
};
const COMPARATOR = {
  COMPARATOR_AT_LEAST: "Minst", COMPARATOR_AT_MOST: "Högst", COMPARATOR_ABOVE: "Över",
  COMPARATOR_BELOW: "Under", COMPARATOR_EQUAL: "Lika med",
};
const PERCENT_UNITS = new Set(["UNIT_OF_MEASURE_PERCENT"]);

// An outcome as printed: its text, else its value in Swedish format (with % for percent).
function outcomeText(outcome, indicator) {
  if (!outcome) return "";
  if (outcome.text) return outcome.text;
  if (!outcome.value) return "";
  return decimal(outcome.value) + (PERCENT_UNITS.has(indicator.unit) ? "\u00a0%" : "");
}

function targetText(target, indicator) {
  if (!target) return "";
  if (target.text) return target.text;
  if (target.comparator === "COMPARATOR_INCREASE") return "Ska öka";
  if (target.comparator === "COMPARATOR_DECREASE") return "Ska minska";
  const value = decimal(target.value) + (PERCENT_UNITS.has(indicator.unit) ? "\u00a0%" : "");
  return [COMPARATOR[target.comparator], value].filter(Boolean).join(" ");
}

// The prior year's outcome over the same months: the comparison the evaluation made, else
// the indicator's own outcome a year earlier ending by the report's last month.
function priorOutcome(indicator, evaluation, ctx) {
  if (evaluation.priorOutcome) return evaluation.priorOutcome;
  const prior = (indicator.outcomes || [])
    .filter((o) => o.span && o.span.fiscalYear === ctx.year - 1 && o.span.toMonth <= ctx.to)
    .sort((a, b) => a.span.toMonth - b.span.toMonth || b.span.fromMonth - a.span.fromMonth);
  return prior.pop();
}

function provenanceOf(items) {
  return items.filter(Boolean).map((p) => ({ document: p.document, table: p.table, import: p.import }));
}

export async function goals(ctx, number) {
  const part = section("maluppfyllelse", number, "Måluppfyllelse");
  const base = { org_unit: ctx.orgUnit, structure_date: ctx.structureDate, as_of: ctx.asOf };
  const summaryRequest = { ...base, fiscal_year: ctx.year };
  const [summary, indicators, assignments] = await Promise.all([
    call("IndicatorService", "SummarizeIndicators", summaryRequest),
    listAll("IndicatorService", "ListIndicators", { ...base, include_descendants: true }, "indicators"),
    listAll("IndicatorService", "ListAssignments",
      { ...base, include_descendants: true, fiscal_year: ctx.year }, "assignments"),
  ]);

  const areas = summary.byGoalArea || [];
  const totals = summary.totals || {};
  const countCells = (c) => [c.met, c.notMet, c.notComparable, c.noOutcomeYet, c.total].map((n) => count(n || 0));
  block(part, {
    key: "indicator-counts",
    title: "Måluppfyllelse per målområde",
    unit: "antal nyckeltal",
    missing: areas.length ? "" : `inga nyckeltal med mål eller utfall för ${ctx.year} är inlästa för ${ctx.unitName}.`,
    table: {
      columns: [{ label: "Målområde" }, { label: "Uppfyllda", numeric: true }, { label: "Ej uppfyllda", numeric: true },
        { label: "Ej jämförbara", numeric: true }, { label: "Utfall saknas", numeric: true }, { label: "Totalt", numeric: true }],
      rows: [
        ...areas.map((g) => ({ key: `area:${g.goalArea}`, cells: [g.goalArea, ...countCells(g.counts || {})] })),
        { key: "indicator-counts-total", className: "total", cells: ["Totalt", ...countCells(totals)] },
      ],
    },
    reads: [{ service: "IndicatorService", method: "SummarizeIndicators", request: summaryRequest }],
    sources: summary.sources || [],
  });

  // The indicators of the year, per goal area in the order of the counts.
  const ofYear = indicators
    .map((indicator) => ({ indicator, evaluation: (indicator.evaluations || []).find((e) => e.fiscalYear === ctx.year) }))
    .filter((x) => x.evaluation);
  const goalAreas = [...new Set([...areas.map((g) => g.goalArea), ...ofYear.map((x) => x.indicator.goalArea)])];
  if (!ofYear.length) {
    block(part, {
      key: "indicators", title: "Kortsiktiga nyckeltal",
      missing: `inga nyckeltal för ${ctx.year} är inlästa för ${ctx.unitName} (ListIndicators).`,
      reads: [{ service: "IndicatorService", method: "ListIndicators", request: { ...base, include_descendants: true, fiscal_year: ctx.year } }],
    });
  }
  for (const area of goalAreas) {
    const rows = [];
    const sources = [];
    for (const { indicator, evaluation } of ofYear.filter((x) => x.indicator.goalArea === area)) {
      const outcome = evaluation.outcome;
      const prior = priorOutcome(indicator, evaluation, ctx);
      const span = outcome && outcome.span;
      const partial = span && (span.fromMonth !== ctx.from || span.toMonth !== ctx.to)
        ? ` (${span.fromMonth === span.toMonth ? "månad " + span.fromMonth : `mån ${span.fromMonth}${DASH}${span.toMonth}`})` : "";
      rows.push({
        key: `indicator:${indicator.code}`,
        className: "indicator",
        cells: [indicator.displayName, outcomeText(outcome, indicator) + partial, targetText(evaluation.target, indicator),
          outcomeText(prior, indicator), STATUS[evaluation.status] || evaluation.status],
      });
      if (outcome && outcome.comment) rows.push({ key: `comment:${indicator.code}`, className: "comment", span: outcome.comment });
      sources.push(...provenanceOf([indicator.provenance, evaluation.target && evaluation.target.provenance,
        outcome && outcome.provenance, prior && prior.provenance]));
    }
    block(part, {
      key: `indicators:${area}`,
      title: `Kortsiktiga nyckeltal: ${area}`,
      table: {
        columns: [{ label: "Nyckeltal" }, { label: "Utfall", numeric: true }, { label: "Mål" },
          { label: `Utfall ${ctx.year - 1}`, numeric: true }, { label: "Status" }],
        rows,
      },
      reads: [{ service: "IndicatorService", method: "ListIndicators",
        request: { ...base, include_descendants: true, fiscal_year: ctx.year, goal_area: area } }],
      sources,
    });
  }

  const assignmentAreas = [...new Set(assignments.map((a) => a.goalArea))];
  if (!assignments.length) {
    block(part, {
      key: "assignments", title: "Uppdrag",
      missing: `inga uppdrag för ${ctx.year} är inlästa för ${ctx.unitName} (ListAssignments).`,
      reads: [{ service: "IndicatorService", method: "ListAssignments", request: { ...base, include_descendants: true, fiscal_year: ctx.year } }],
    });
  }
  for (const area of assignmentAreas) {
    const ofArea = assignments.filter((a) => a.goalArea === area);
    block(part, {
      key: `assignments:${area}`,
      title: `Uppdrag: ${area}`,
      table: {
        columns: [{ label: "Uppdrag" }, { label: "Status" }, { label: "Kommentar" }],
        rows: ofArea.map((a) => ({ key: `assignment:${a.code}`, cells: [a.text, a.status || "", a.comment || ""] })),
      },
      reads: [{ service: "IndicatorService", method: "ListAssignments",
        request: { ...base, include_descendants: true, fiscal_year: ctx.year, goal_area: area } }],
      sources: provenanceOf(ofArea.map((a) => a.provenance)),
    });
  }
  return part;
}
