// Imports OpenAPI documents the way Postman does, with its own converter
// (npm `openapi-to-postmanv2`), and checks that every operation became a request.
//
//   node examples/postman_import.js openapi.json swagger.json
//
// .ci/run installs the converter into a temporary directory and runs this on the output of
// `uppsikt openapi` (3.1) and `uppsikt openapi --version 2.0`.
"use strict";

const fs = require("fs");
const Converter = require("openapi-to-postmanv2");

function operations(document) {
  const methods = ["get", "post", "put", "patch", "delete", "head", "options"];
  return Object.values(document.paths || {})
    .reduce((n, item) => n + methods.filter((m) => item[m]).length, 0);
}

function requests(items) {
  return items.reduce((n, item) => n + (item.item ? requests(item.item) : 1), 0);
}

for (const file of process.argv.slice(2)) {
  const data = fs.readFileSync(file, "utf8");
  const expected = operations(JSON.parse(data));
  Converter.convert({ type: "string", data }, { folderStrategy: "Tags" }, (error, result) => {
    if (error || !result.result) {
      console.error(`${file}: Postman's converter refused it: ${error || result.reason}`);
      process.exitCode = 1;
      return;
    }
    const collection = result.output[0].data;
    const count = requests(collection.item);
    if (count !== expected) {
      console.error(`${file}: ${count} requests for ${expected} operations`);
      process.exitCode = 1;
      return;
    }
    console.log(`${file}: "${collection.info.name}", ${count} requests, one per operation`);
  });
}
