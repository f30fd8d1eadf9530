// Connect-ES v2 against a live server (UPPSIKT_URL, e.g. http://127.0.0.1:50051), with the
// code buf generates from proto/: every transport connect-node has, each codec, the same
// calls. Run by .ci/run; locally: `npm ci && npm run generate && UPPSIKT_URL=… npm test`.

import { test } from "node:test";
import assert from "node:assert/strict";
import diagnostics from "node:diagnostics_channel";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { BudgetService } from "../gen/uppsikt/v1/budget_pb.js";
import { Scenario } from "../gen/uppsikt/v1/common_pb.js";
import { ImportService, ImportRequestSchema } from "../gen/uppsikt/v1/import_pb.js";
import { OrganizationService } from "../gen/uppsikt/v1/organization_pb.js";

const baseUrl = process.env.UPPSIKT_URL;
if (!baseUrl) {
  throw new Error("set UPPSIKT_URL to the address of a running demo server");
}

// Every transport and codec of connect-node, as a client developer would pick them.
const transports = [
  ["Connect JSON, HTTP/1.1", createConnectTransport({ baseUrl, httpVersion: "1.1" })],
  ["Connect JSON, HTTP/2", createConnectTransport({ baseUrl, httpVersion: "2" })],
  [
    "Connect binary, HTTP/1.1",
    createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  ],
  [
    "Connect binary, HTTP/2",
    createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true }),
  ],
  [
    "Connect JSON, GET for reads",
    createConnectTransport({ baseUrl, httpVersion: "1.1", useHttpGet: true }),
  ],
  [
    "Connect binary, GET for reads",
    createConnectTransport({
      baseUrl,
      httpVersion: "1.1",
      useHttpGet: true,
      useBinaryFormat: true,
    }),
  ],
  ["gRPC binary", createGrpcTransport({ baseUrl, useBinaryFormat: true })],
  ["gRPC JSON", createGrpcTransport({ baseUrl, useBinaryFormat: false })],
  [
    "gRPC-Web binary, HTTP/1.1",
    createGrpcWebTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  ],
  [
    "gRPC-Web JSON, HTTP/1.1",
    createGrpcWebTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
  ],
  [
    "gRPC-Web binary, HTTP/2",
    createGrpcWebTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true }),
  ],
];

// The HTTP methods connect-node's HTTP/1.1 requests used, as Node's http module saw them.
// (Each request once: Node may publish a request's start more than once.)
const methodsSeen = [];
const requestsSeen = new WeakSet();
diagnostics.subscribe("http.client.request.start", ({ request }) => {
  if (requestsSeen.has(request)) return;
  requestsSeen.add(request);
  methodsSeen.push(`${request.method} ${request.path.split("?")[0]}`);
});

// A fiscal year of its own for each transport's import, far from the demo data and from
// earlier runs against the same server.
let nextYear = 2060;
async function freeYear(budget) {
  for (;;) {
    const year = nextYear++;
    const lines = await budget.listBudgetLines({ orgUnit: "orgUnits/HSN", fiscalYear: year });
    if (lines.budgetLines.length === 0) return year;
  }
}

for (const [name, transport] of transports) {
  const organization = createClient(OrganizationService, transport);
  const budget = createClient(BudgetService, transport);
  const imports = createClient(ImportService, transport);

  test(`${name}: a unit, and NOT_FOUND with its ErrorInfo`, async () => {
    const unit = await organization.getOrgUnit({ name: "orgUnits/HSN" });
    assert.equal(unit.code, "HSN");
    assert.equal(unit.displayName, "Hälso- och sjukvårdsnämnden");

    const error = await organization
      .getOrgUnit({ name: "orgUnits/NOPE" })
      .then(() => assert.fail("an unknown unit was found"))
      .catch((e) => ConnectError.from(e));
    assert.equal(error.code, Code.NotFound, error.message);
    assert.ok(
      error.details.some((d) => d.type === "google.rpc.ErrorInfo"),
      JSON.stringify(error.details),
    );
  });

  test(`${name}: paging through the budget lines gives each line once`, async () => {
    const filter = { orgUnit: "orgUnits/HSN", includeDescendants: true, fiscalYear: 2025 };
    const whole = await budget.listBudgetLines({ ...filter, pageSize: 1000 });
    assert.equal(whole.nextPageToken, "", "the demo's HSN 2025 lines fit one page of 1000");
    assert.ok(whole.budgetLines.length > 20, `${whole.budgetLines.length} lines`);

    const paged = [];
    let pageToken = "";
    let pages = 0;
    do {
      const page = await budget.listBudgetLines({ ...filter, pageSize: 7, pageToken });
      assert.ok(page.budgetLines.length <= 7);
      paged.push(...page.budgetLines);
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken !== "");
    assert.equal(pages, Math.ceil(whole.budgetLines.length / 7));
    const key = (l) => JSON.stringify([l.orgUnit, l.category, l.fiscalYear, l.fromMonth, l.scenario]);
    assert.deepEqual(paged.map(key), whole.budgetLines.map(key));
  });

  test(`${name}: Import (client streaming) commits all or nothing`, async () => {
    const year = await freeYear(budget);
    const header = (document, requestId) =>
      create(ImportRequestSchema, {
        content: {
          case: "header",
          value: { source: { document }, requestId, dryRun: false },
        },
      });
    const line = (orgUnit, amountSek) =>
      create(ImportRequestSchema, {
        content: {
          case: "record",
          value: {
            kind: {
              case: "budgetLine",
              value: {
                orgUnit,
                category: "PERSONALKOSTNADER",
                fiscalYear: year,
                fromMonth: 1,
                toMonth: 1,
                scenario: Scenario.BUDGET,
                amountSek,
              },
            },
          },
        },
      });
    async function* stream(messages) {
      yield* messages;
    }
    const tag = `${name} ${year}`;
    const before = (await imports.listImports({ pageSize: 1000 })).imports.length;

    // One bad record (an unknown unit) rejects the whole stream: nothing is written.
    const refused = await imports
      .import(stream([header(`node bad ${tag}`, `node-bad-${year}`), line("HSN", -1000n), line("NOPE", -1n)]))
      .then(() => assert.fail("an import with an unknown unit was committed"))
      .catch((e) => ConnectError.from(e));
    assert.equal(refused.code, Code.InvalidArgument, refused.message);
    assert.match(refused.rawMessage, /records\[1\]\.org_unit/);
    assert.ok(refused.details.some((d) => d.type === "google.rpc.BadRequest"));
    assert.equal((await imports.listImports({ pageSize: 1000 })).imports.length, before);
    const none = await budget.listBudgetLines({ orgUnit: "orgUnits/HSN", fiscalYear: year });
    assert.equal(none.budgetLines.length, 0, "nothing of the refused import was written");

    const answer = await imports.import(
      stream([header(`node ${tag}`, `node-${year}`), line("HSN", -1000n)]),
    );
    const counts = answer.counts.find((c) => c.kind === "budget_line");
    assert.equal(counts?.inserted, 1n, JSON.stringify(answer.counts, (_, v) => (typeof v === "bigint" ? `${v}` : v)));
    const after = await imports.listImports({ pageSize: 1000 });
    assert.equal(after.imports.length, before + 1);
    assert.equal(after.imports[0].source?.document, `node ${tag}`);
    const written = await budget.listBudgetLines({ orgUnit: "orgUnits/HSN", fiscalYear: year });
    assert.equal(written.budgetLines.length, 1);
    assert.equal(written.budgetLines[0].amountSek, -1000n);
  });
}

test("useHttpGet sends the reads as GET and Import as POST", async () => {
  const transport = createConnectTransport({ baseUrl, httpVersion: "1.1", useHttpGet: true });
  methodsSeen.length = 0;
  await createClient(BudgetService, transport).listCategories({});
  await createClient(OrganizationService, transport).getOrgUnit({ name: "orgUnits/HSN" });
  assert.deepEqual(methodsSeen, [
    "GET /uppsikt.v1.BudgetService/ListCategories",
    "GET /uppsikt.v1.OrganizationService/GetOrgUnit",
  ]);
  methodsSeen.length = 0;
  await createClient(ImportService, transport)
    .import((async function* () {})())
    .catch(() => {});
  assert.deepEqual(methodsSeen, ["POST /uppsikt.v1.ImportService/Import"]);
});
