// `buf curl` on its defaults (the Connect protocol, HTTP/1.1, the schema from server
// reflection) against a live server (UPPSIKT_URL): it lists the services and calls
// SummarizeBudget, whose answer must equal Connect-ES's. Run by .ci/run.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { toJson } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { BudgetService, SummarizeBudgetResponseSchema } from "../gen/uppsikt/v1/budget_pb.js";

const baseUrl = process.env.UPPSIKT_URL;
if (!baseUrl) {
  throw new Error("set UPPSIKT_URL to the address of a running demo server");
}
// The buf that npm installed with this project.
const buf = fileURLToPath(new URL("../node_modules/.bin/buf", import.meta.url));

function bufCurl(...args) {
  return execFileSync(buf, ["curl", ...args], {
    encoding: "utf8",
    timeout: 30_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const services = [
  "grpc.health.v1.Health",
  "uppsikt.v1.BudgetService",
  "uppsikt.v1.ChangeService",
  "uppsikt.v1.ImportService",
  "uppsikt.v1.IndicatorService",
  "uppsikt.v1.InvestmentService",
  "uppsikt.v1.OrganizationService",
  "uppsikt.v1.StaffingService",
];

for (const reflect of ["grpc-v1", "grpc-v1alpha"]) {
  test(`buf curl lists the services by reflection (${reflect}) over Connect`, () => {
    const listed = bufCurl("--reflect-protocol", reflect, "--list-services", baseUrl)
      .trim()
      .split("\n");
    for (const service of services) {
      assert.ok(listed.includes(service), `${service} in ${listed}`);
    }
  });
}

test("buf curl calls SummarizeBudget and gets what Connect-ES gets", async () => {
  const request = { orgUnit: "orgUnits/HSN", fiscalYear: 2025, fromMonth: 1, toMonth: 4 };
  const output = bufCurl(
    "--data",
    JSON.stringify(request),
    `${baseUrl}/uppsikt.v1.BudgetService/SummarizeBudget`,
  );
  const viaBuf = JSON.parse(output);
  const client = createClient(
    BudgetService,
    createConnectTransport({ baseUrl, httpVersion: "1.1" }),
  );
  const viaConnectEs = toJson(SummarizeBudgetResponseSchema, await client.summarizeBudget(request));
  assert.equal(viaBuf.orgUnit, "orgUnits/HSN");
  assert.ok(viaBuf.groups.length > 0, output);
  assert.deepEqual(viaBuf, viaConnectEs);
});

test("buf curl reports an error with its code", () => {
  let failure;
  try {
    bufCurl("--data", '{"name":"orgUnits/NOPE"}', `${baseUrl}/uppsikt.v1.OrganizationService/GetOrgUnit`);
  } catch (error) {
    failure = error;
  }
  assert.ok(failure, "an unknown unit was found");
  assert.match(failure.stderr, /"code": "not_found"/);
});
