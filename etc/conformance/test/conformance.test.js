// Runs the Durable Streams server conformance suite against an already running server.
//
// The suite's own CLI (`--run URL`) finds no test files when the package is installed
// under node_modules, so this file calls runConformanceTests() directly instead.
import { runConformanceTests } from "@durable-streams/server-conformance-tests";

const DEFAULT_BASE_URL = "http://127.0.0.1:4437";

const baseUrl = (process.env.DS_BASE_URL || DEFAULT_BASE_URL).replace(/\/+$/, "");

// The suite uses longPollTimeoutMs + 1000 ms as the test timeout of its long-poll tests and
// defaults it to 20000 ms. Set DS_LONG_POLL_TIMEOUT_MS to the server's long-poll timeout when
// the server waits longer than that.
const longPollTimeoutMs = parseOptionalPositiveInteger("DS_LONG_POLL_TIMEOUT_MS");

runConformanceTests({
  baseUrl,
  ...(longPollTimeoutMs === undefined ? {} : { longPollTimeoutMs }),
  // The 6 tests of the reserved subscription APIs run only with DS_SUBSCRIPTIONS=true.
  subscriptions: process.env.DS_SUBSCRIPTIONS === "true",
});

function parseOptionalPositiveInteger(name) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") {
    return undefined;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer number of milliseconds, got "${raw}"`);
  }
  return value;
}
