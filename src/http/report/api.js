// The API as the explorer calls it: the Connect protocol's unary JSON form on this page's
// origin, and the GET forms for the tables' CSV and XLSX downloads. Requests use the proto
// field names, which both forms accept.

let token = "";

// The bearer token for calls and downloads; empty when the server needs none.
export function setToken(value) {
  token = (value || "").trim();
}

// POST /uppsikt.v1.{Service}/{Method} with a JSON body: the answer, or throws the error
// with its code, message and field violations.
export async function call(service, method, request) {
  const headers = { "Content-Type": "application/json", "Connect-Protocol-Version": "1" };
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(`/uppsikt.v1.${service}/${method}`, {
    method: "POST", headers, body: JSON.stringify(request, (key, value) => (value === "" ? undefined : value)),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const violations = (body.details || [])
      .flatMap((d) => (d.debug && d.debug.fieldViolations) || [])
      .map((v) => `${v.field}: ${v.description}`);
    throw new Error(`${service}/${method}: ${body.code || response.status}: ${body.message || ""} ${violations.join("; ")}`.trim());
  }
  return body;
}

// Every page of a List: the rows of its repeated field `field`.
export async function listAll(service, method, request, field) {
  const rows = [];
  let pageToken = "";
  do {
    const page = await call(service, method, { ...request, page_size: 1000, page_token: pageToken });
    rows.push(...(page[field] || []));
    pageToken = page.nextPageToken || "";
  } while (pageToken);
  return rows;
}

// The GET form of a read: `/uppsikt.v1.{Service}/{Method}?{field}={value}&…&format=…`.
export function getUrl(service, method, request, format) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined || value === null || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  params.set("format", format);
  return `/uppsikt.v1.${service}/${method}?${params}`;
}

// With a token, a plain link cannot send it: fetch the file with the header and save it.
export async function download(event) {
  const link = event.currentTarget;
  if (!token) return;
  event.preventDefault();
  const response = await fetch(link.href, { headers: { Authorization: "Bearer " + token } });
  if (!response.ok) {
    link.title = `${response.status} ${await response.text()}`;
    link.classList.add("failed");
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const save = document.createElement("a");
  save.href = url;
  save.download = link.dataset.filename;
  document.body.appendChild(save);
  save.click();
  save.remove();
  URL.revokeObjectURL(url);
}
