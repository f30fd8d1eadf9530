// Charts drawn as inline SVG by this page's own code: bars of actual against budget per
// category, and columns of the sick-leave rate per month beside the year before. Numbers
// place the marks only; every printed figure goes through format.js.

import { decimal, MONTHS, tkr } from "./format.js";

const NS = "http://www.w3.org/2000/svg";
export const COLORS = ["#2f6f9f", "#c9a13b", "#7a8a99"];

function svg(width, height, label) {
  const root = document.createElementNS(NS, "svg");
  root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  root.setAttribute("width", width);
  root.setAttribute("height", height);
  root.setAttribute("role", "img");
  root.setAttribute("aria-label", label);
  root.setAttribute("class", "chart");
  const add = (name, attributes, text) => {
    const element = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, v);
    if (text !== undefined) element.textContent = text;
    root.appendChild(element);
    return element;
  };
  return { root, add };
}

function legend(add, series, x, y) {
  series.forEach((s, i) => {
    add("rect", { x: x + i * 130, y, width: 10, height: 10, fill: s.color });
    add("text", { x: x + i * 130 + 14, y: y + 9 }, s.name);
  });
}

// Horizontal bars per row on one scale with zero marked: costs (negative) extend left,
// income right. rows: [{ label, values: [kronor string] }]; series: [{ name, color }].
export function barChart(label, rows, series) {
  const values = rows.flatMap((r) => r.values.map((v) => Number(v || 0)));
  const max = Math.max(1, ...values.map(Math.abs));
  const hasNegative = values.some((v) => v < 0), hasPositive = values.some((v) => v > 0);
  const labelWidth = 230, width = 900, barHeight = 8, rowHeight = 8 * series.length + 10;
  const plot = width - labelWidth - 20;
  const both = hasNegative && hasPositive;
  const zero = labelWidth + (both ? plot / 2 : hasNegative ? plot : 0);
  const scale = (both ? plot / 2 : plot) / max;
  const top = 22, bottom = top + rows.length * rowHeight;
  const { root, add } = svg(width, bottom + 22, label);
  legend(add, series, labelWidth, 4);
  rows.forEach((row, i) => {
    const y = top + i * rowHeight + 2;
    add("text", { x: 0, y: y + 2 + (barHeight * series.length) / 2 }, row.label);
    row.values.forEach((raw, j) => {
      const value = Number(raw || 0);
      const length = Math.abs(value) * scale;
      const bar = add("rect", {
        x: value < 0 ? zero - length : zero, y: y + j * (barHeight + 0),
        width: Math.max(length, 0.5), height: barHeight - 1, fill: series[j].color,
        "data-series": series[j].name, "data-row": row.label,
      });
      bar.appendChild(document.createElementNS(NS, "title")).textContent =
        `${row.label}: ${series[j].name} ${tkr(raw)} tkr`;
    });
  });
  add("line", { x1: zero, x2: zero, y1: top - 2, y2: bottom, stroke: "#1d2530" });
  const end = (value, x, anchor) => add("text", { x, y: bottom + 14, "text-anchor": anchor }, `${tkr(String(value))} tkr`);
  add("text", { x: zero, y: bottom + 14, "text-anchor": "middle" }, "0");
  if (hasNegative) end(-Math.round(max), zero - max * scale, "start");
  if (hasPositive) end(Math.round(max), zero + max * scale, "end");
  return root;
}

// Columns per month, one per series. series: [{ name, color, byMonth: Map(month → rate
// string) }]; months: the months shown.
export function monthChart(label, months, series) {
  const values = series.flatMap((s) => [...s.byMonth.values()].map(Number));
  const max = Math.max(1, ...values) * 1.15;
  const width = 900, height = 220, left = 44, top = 24, bottom = height - 26;
  const slot = (width - left - 10) / months.length;
  const barWidth = Math.min(22, (slot - 8) / series.length);
  const { root, add } = svg(width, height, label);
  legend(add, series, left, 4);
  const y = (v) => bottom - (v / max) * (bottom - top);
  const step = max > 10 ? 2 : 1;
  for (let v = 0; v <= max; v += step) {
    add("line", { x1: left, x2: width - 10, y1: y(v), y2: y(v), stroke: "#d8dde3" });
    add("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, `${v}\u00a0%`);
  }
  months.forEach((month, i) => {
    const x = left + i * slot + (slot - barWidth * series.length) / 2;
    series.forEach((s, j) => {
      const raw = s.byMonth.get(month);
      if (raw === undefined) return;
      const bar = add("rect", {
        x: x + j * barWidth, y: y(Number(raw)), width: barWidth - 2,
        height: bottom - y(Number(raw)), fill: s.color, "data-series": s.name, "data-month": month,
      });
      bar.appendChild(document.createElementNS(NS, "title")).textContent =
        `${MONTHS[month - 1]} ${s.name}: ${decimal(raw, 2)} %`;
    });
    add("text", { x: left + i * slot + slot / 2, y: bottom + 16, "text-anchor": "middle" }, MONTHS[month - 1]);
  });
  add("line", { x1: left, x2: width - 10, y1: bottom, y2: bottom, stroke: "#1d2530" });
  return root;
}
