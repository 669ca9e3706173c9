// Prints the failing test names and a one-line count from a vitest JSON report.
//
// Usage: node summarize-results.mjs REPORT.json
import { readFileSync } from "node:fs";

const reportPath = process.argv[2];
if (!reportPath) {
  console.error("usage: node summarize-results.mjs REPORT.json");
  process.exit(2);
}

const report = JSON.parse(readFileSync(reportPath, "utf8"));
const assertions = report.testResults.flatMap((file) => file.assertionResults);

const counts = { passed: 0, failed: 0, skipped: 0 };
const failedNames = [];
for (const assertion of assertions) {
  if (assertion.status === "passed") {
    counts.passed += 1;
  } else if (assertion.status === "failed") {
    counts.failed += 1;
    failedNames.push([...assertion.ancestorTitles, assertion.title].join(" > "));
  } else {
    // Every other vitest status (skipped, pending, todo, disabled) counts as skipped.
    counts.skipped += 1;
  }
}

// A test file that throws while loading (for example on an invalid environment variable)
// has a message but no assertion results.
const brokenFiles = report.testResults.filter(
  (file) => file.status === "failed" && file.assertionResults.length === 0,
);
for (const file of brokenFiles) {
  console.log(`\nerror: ${file.name} failed to load: ${file.message}`);
}

if (failedNames.length > 0) {
  console.log("\nFailed tests:");
  for (const name of failedNames) {
    console.log(`  ${name}`);
  }
}

console.log(`\nconformance: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
