// The connect-node client of the RPC import benchmark (examples/rpc_import_bench/run.py starts
// it), with the code buf generates from proto/ (`npm ci && npm run generate` first):
//
//   node bench/import.mjs grpc|connect BASE_URL LINES_FILE [--build-only]
//
// Streams the records of LINES_FILE (the record format; `source` and `budget_line` lines) to
// ImportService/Import as typed messages, one record a message, from an async generator that
// reads the file line by line, so the transport pulls each message as flow control lets it.
// `grpc` is the gRPC protocol (binary), `connect` the Connect protocol (binary, HTTP/2). The
// first `source` line becomes the header; a later one gives the records after it their own
// document and table.
//
// Prints one JSON line: seconds from the call's start to its response, the records sent, the
// response's counts, and this process's peak RSS. --build-only parses the file and builds and
// serialises every message without a server, to tell the client's own cost apart.

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { create, toBinary } from "@bufbuild/protobuf";
import { createClient, ConnectError } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { ImportService, ImportRequestSchema } from "../gen/uppsikt/v1/import_pb.js";

const [protocol, baseUrl, path] = process.argv.slice(2);
const buildOnly = process.argv.includes("--build-only");
if (!["grpc", "connect"].includes(protocol) || !baseUrl || !path) {
  console.error("usage: node bench/import.mjs grpc|connect BASE_URL LINES_FILE [--build-only]");
  process.exit(2);
}

const SCENARIOS = { actual: 1, budget: 2, forecast: 3, plan: 4 };
const BUDGET_LINE_FIELDS = new Set([
  "org_unit", "category", "fiscal_year", "from_month", "to_month", "scenario", "amount_sek",
  "document", "table",
]);

// The key=value fields of one line; values may be double-quoted (with \" and \\ inside).
function fields(line) {
  const values = {};
  const words = [];
  if (!line.includes('"')) {
    for (const w of line.split(" ")) if (w) words.push(w);
  } else {
    let word = "", quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === "\\" && i + 1 < line.length) word += line[++i];
      else if (c === '"') quoted = !quoted;
      else if (c === " " && !quoted) { if (word) words.push(word); word = ""; }
      else word += c;
    }
    if (word) words.push(word);
  }
  for (const w of words.slice(1)) {
    const eq = w.indexOf("=");
    if (eq < 0) throw new Error(`not key=value: ${w}`);
    values[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return [words[0], values];
}

let sent = 0;
async function* messages() {
  let headerSent = false, headerSource = null, document = "", table = "";
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let number = 0;
  for await (const raw of lines) {
    number++;
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [kind, values] = fields(line);
    if (kind === "source") {
      if (!headerSent) {
        headerSent = true;
        headerSource = [values.document ?? "", values.table ?? ""];
        yield create(ImportRequestSchema, {
          content: {
            case: "header",
            value: {
              source: {
                document: values.document ?? "",
                table: values.table ?? "",
                system: `rpc_import_bench/node ${protocol}`,
              },
            },
          },
        });
      } else {
        document = values.document ?? "";
        table = values.table ?? "";
        if (document === headerSource[0] && table === headerSource[1]) document = table = "";
      }
      continue;
    }
    if (kind !== "budget_line") throw new Error(`${path}:${number}: kind ${kind}: budget_line only`);
    if (!headerSent) throw new Error(`${path}:${number}: a record before any source line`);
    for (const k of Object.keys(values)) {
      if (!BUDGET_LINE_FIELDS.has(k)) throw new Error(`${path}:${number}: field ${k} not sent`);
    }
    yield create(ImportRequestSchema, {
      content: {
        case: "record",
        value: {
          kind: {
            case: "budgetLine",
            value: {
              orgUnit: values.org_unit,
              category: values.category,
              fiscalYear: Number(values.fiscal_year),
              fromMonth: Number(values.from_month),
              toMonth: Number(values.to_month),
              scenario: SCENARIOS[values.scenario],
              amountSek: BigInt(values.amount_sek),
            },
          },
          document: values.document ?? document,
          table: values.table ?? table,
        },
      },
    });
    sent++;
  }
}

// The client's peak RSS is the OS's own (process.resourceUsage().maxRSS, KiB).
const started = performance.now();
let result;
if (buildOnly) {
  let bytes = 0;
  for await (const message of messages()) bytes += toBinary(ImportRequestSchema, message).length;
  result = { seconds: (performance.now() - started) / 1000, sent, bytes };
} else {
  const transport =
    protocol === "grpc"
      ? createGrpcTransport({ baseUrl, useBinaryFormat: true })
      : createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true });
  const client = createClient(ImportService, transport);
  try {
    const reply = await client.import(messages());
    const counts = {};
    for (const c of reply.counts) {
      counts[c.kind] = {
        inserted: Number(c.inserted),
        superseded: Number(c.superseded),
        unchanged: Number(c.unchanged),
      };
    }
    result = { seconds: (performance.now() - started) / 1000, sent, counts, import: reply.import };
  } catch (error) {
    const e = ConnectError.from(error);
    console.log(JSON.stringify({ error: `${e.code}: ${e.rawMessage}`, sent }));
    process.exit(1);
  }
}
result.client_peak_rss_kib = process.resourceUsage().maxRSS;
console.log(JSON.stringify(result));
