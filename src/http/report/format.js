// Swedish number format as the reports print it: a no-break space between thousands, a real
// minus sign (U+2212), a decimal comma. Money arrives as whole kronor in decimal strings and
// is rounded with BigInt, exact at any size; decimals arrive as decimal strings and are
// rounded as strings, never through floating point.

export const MINUS = "\u2212";
export const GROUP = "\u00a0";
export const DASH = "\u2013";
export const MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];

function group(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
}

// Whether a value is present (the API leaves absent figures out, or sends "").
export function present(value) {
  return value !== undefined && value !== null && value !== "";
}

// A decimal string ("-2875.857", "15") rounded half away from zero to `places` decimals
// (all of its own when `places` is undefined), in Swedish format; "" when absent.
export function decimal(text, places) {
  if (!present(text)) return "";
  const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(String(text).trim());
  if (!match) return String(text);
  const negative = match[1] === "-";
  let whole = match[2] || "0";
  let fraction = match[3] || "";
  if (places !== undefined) {
    const scaled = BigInt(whole + fraction.padEnd(places + 1, "0").slice(0, places + 1));
    // One extra digit decides the rounding; any further digits only matter when it is a 5
    // followed by zeros, which rounds away from zero all the same.
    const rounded = (scaled + 5n) / 10n;
    const digits = rounded.toString().padStart(places + 1, "0");
    whole = digits.slice(0, digits.length - places) || "0";
    fraction = digits.slice(digits.length - places);
  } else {
    fraction = fraction.replace(/0+$/, "");
  }
  whole = whole.replace(/^0+(?=\d)/, "");
  const zero = /^0*$/.test(whole + fraction);
  const body = group(whole) + (fraction ? "," + fraction : "");
  return (negative && !zero ? MINUS : "") + body;
}

// Whole kronor as thousand kronor (tkr), rounded half away from zero.
export function tkr(sek) {
  if (!present(sek)) return "";
  const value = BigInt(sek);
  const abs = value < 0n ? -value : value;
  const rounded = (abs + 500n) / 1000n;
  return (value < 0n && rounded > 0n ? MINUS : "") + group(rounded.toString());
}

// Whole kronor as million kronor (mkr) with one decimal, rounded half away from zero.
export function mkr(sek) {
  if (!present(sek)) return "";
  const value = BigInt(sek);
  const abs = value < 0n ? -value : value;
  const tenths = (abs + 50000n) / 100000n;
  const whole = (tenths / 10n).toString();
  return (value < 0n && tenths > 0n ? MINUS : "") + group(whole) + "," + (tenths % 10n).toString();
}

// A percentage from a decimal string, with `places` decimals: "5.23" → "5,23 %". The API's
// percentages are already rounded to two decimals: rounding them again to one could round
// a figure the other way than its exact value (−6,049 % served as "-6.05" would print
// −6,1 %), so they are shown with the two.
export function percent(text, places = 2) {
  return present(text) ? decimal(text, places) + "\u00a0%" : "";
}

// A count ("3793") with spaced thousands and a real minus.
export function count(value) {
  return present(value) ? decimal(String(value)) : "";
}

// Whether a value is negative (a minus before any digit).
export function negative(value) {
  return present(value) && String(value).trim().startsWith("-") && /[1-9]/.test(String(value));
}

// "jan–apr 2025", "april 2025", "2023".
export function spanText(year, from, to) {
  if (from === 1 && to === 12) return String(year);
  if (from === to) return `${MONTHS[from - 1]} ${year}`;
  return `${MONTHS[from - 1]}${DASH}${MONTHS[to - 1]} ${year}`;
}

// The months of a span without the year: "jan–apr", "helår", "april".
export function monthsText(from, to) {
  if (from === 1 && to === 12) return "helår";
  if (from === to) return MONTHS[from - 1];
  return `${MONTHS[from - 1]}${DASH}${MONTHS[to - 1]}`;
}

// An ISO date as the reports write it: "30 april 2025".
const LONG_MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
  "september", "oktober", "november", "december"];
export function dateText(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  if (!match) return iso || "";
  return `${Number(match[3])} ${LONG_MONTHS[Number(match[2]) - 1]} ${match[1]}`;
}
